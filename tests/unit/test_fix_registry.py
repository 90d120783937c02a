"""fixes/registry.py: every fix id has a planner, permissions, an executor and a command, and they are used.

The registry is the one place a fix is described; these tests fail when a row is incomplete, when a plan
type has no executor, or when planning, permissions or execution stop reading the table.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kftui.cluster.ops import Permission
from kftui.fixes import plan as plan_module
from kftui.fixes import registry, run
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import FixResult, Gate
from kftui.fixes.permissions import KUBE_BACKEND
from kftui.fixes.plans import FixPlan
from kftui.fixes.registry import ACTIONS, APP_FIXES, FIXES, PLANNABLE, FixSpec, required_permissions
from kftui.fixes.run import EXECUTORS, FixRunner
from kftui.model import (
    ClusterSnapshot,
    ObjectRef,
    OperationState,
    Pod,
    ResourceResult,
    Service,
    ServicePort,
    Workload,
)
from kftui.profile import builtin_profile
from tests.fix_fakes import T0, FakeArgo, FakeWorkloads

APP = ObjectRef("Application", "argocd", "drift")
POD = Pod(
    "kubeflow", "p", owner_kind="ReplicaSet", owner_name="rs", workload_kind="Deployment", workload_name="d"
)
DEPLOY = Workload("Deployment", "kubeflow", "d")
SVC = Service("kubeflow", "ml-pipeline", ports=(ServicePort("http", 8888, 8888),))
# What each row's `on` means as a target: a fix whose `on` has no entry here fails the tests below.
TARGETS = {
    "Application": APP,
    "Application diff": APP,
    "": APP,
    "workload": DEPLOY.ref,
    "Pod": POD.ref,
    "Service": SVC.ref,
    "Namespace": ObjectRef("Namespace", None, "new-ns"),
    "hook": ObjectRef("Job", "kubeflow", "migrate"),
    "object": APP,
}
HOOK = ResourceResult("batch", "v1", "Job", "kubeflow", "migrate", hook_type="PreSync", hook_phase="Failed")


def snap() -> ClusterSnapshot:
    argo = FakeArgo()
    argo.add("drift")
    # Deleting, with a finalizer and a failed hook: every row of the table can plan on it.
    app = dataclasses.replace(
        argo.apps["drift"].app,
        finalizers=("resources-finalizer.argocd.argoproj.io",),
        deleting_since=T0,
        operation_state=OperationState("Failed", results=(HOOK,)),
    )
    return ClusterSnapshot.from_objects([app, POD, DEPLOY, SVC], now=T0)


def planned(spec: FixSpec) -> FixPlan:
    return plan_module.plan_action(spec.fix_id, TARGETS[spec.on], snap(), builtin_profile())


def every_plan_type() -> set[type[FixPlan]]:
    found: set[type[FixPlan]] = set()
    pending = [FixPlan]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.add(sub)
            pending.append(sub)
    return found


@pytest.mark.parametrize("fix_id", list(FIXES))
def test_every_fix_id_has_all_four_parts(fix_id: str) -> None:
    spec = FIXES[fix_id]
    assert spec.fix_id == fix_id
    assert spec.on in TARGETS, f"{fix_id}: no target known for on={spec.on!r}"
    assert callable(spec.planner) and callable(spec.command) and callable(spec.action.permissions)
    assert spec.action.plan in EXECUTORS, f"{fix_id}: no executor for {spec.action.plan.__name__}"
    plan = planned(spec)
    # The planner makes the row's plan type, with the row's command builder's title and command.
    assert type(plan) is spec.action.plan
    assert plan.fix_id == fix_id and plan.command and plan.title
    assert required_permissions(plan), f"{fix_id} needs no permission through Kubernetes"


def test_plannable_ids_are_the_table() -> None:
    assert tuple(FIXES) == PLANNABLE
    assert plan_module.PLANNABLE is PLANNABLE and plan_module.APP_FIXES is APP_FIXES
    assert tuple(i for i, s in FIXES.items() if s.on == "Application") == APP_FIXES
    assert APP_FIXES[:2] == ("sync", "sync-prune") and "ordered-sync" not in APP_FIXES
    with pytest.raises(plan_module.PlanError, match="no plan for fix 'describe'"):
        plan_module.plan_action("describe", APP, snap())


def test_every_plan_type_has_one_action_and_one_executor() -> None:
    """A plan type added without a registry row or an executor fails here."""
    types = every_plan_type()
    assert set(ACTIONS) == types
    assert set(EXECUTORS) == types
    assert len({t.kind for t in types}) == len(types), "two plan types share a kind tag"
    for spec in FIXES.values():
        assert ACTIONS[spec.action.plan] is spec.action, f"{spec.fix_id}: its plan type has two actions"


def test_planning_reads_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new fix is one row: plan_action finds it there and calls its planner with its spec."""
    seen: list[FixSpec] = []
    base = FIXES["refresh"]

    def planner(spec: FixSpec, target: ObjectRef, s: ClusterSnapshot, profile: object) -> FixPlan:
        seen.append(spec)
        return base.planner(base, target, s, None)

    row = dataclasses.replace(base, fix_id="new-fix", planner=planner)
    monkeypatch.setattr(plan_module, "FIXES", {**FIXES, "new-fix": row})
    plan = plan_module.plan_action("new-fix", APP, snap())
    assert seen == [row] and plan.title == base.command("drift").title


@pytest.mark.parametrize("fix_id", list(FIXES))
def test_permissions_come_from_the_table(monkeypatch: pytest.MonkeyPatch, fix_id: str) -> None:
    spec = FIXES[fix_id]
    plan = planned(spec)
    assert required_permissions(plan, KUBE_BACKEND, "argocd") == spec.action.permissions(plan, "argocd")
    marker = (Permission("list", "marker"),)
    swapped = dataclasses.replace(spec.action, permissions=lambda p, ns: marker)
    monkeypatch.setattr(registry, "ACTIONS", {**ACTIONS, spec.action.plan: swapped})
    assert required_permissions(plan, KUBE_BACKEND) == marker


def test_argo_actions_need_nothing_from_kubernetes_through_the_rest_backend() -> None:
    for spec in FIXES.values():
        plan = planned(spec)
        argo = spec.action.backend is registry.Backend.ARGO
        assert (required_permissions(plan, "argocd-rest") == ()) is argo, spec.fix_id


@pytest.mark.parametrize("fix_id", list(FIXES))
def test_run_dispatches_through_executors(
    monkeypatch: pytest.MonkeyPatch, fix_id: str, tmp_path: Path
) -> None:
    plan = planned(FIXES[fix_id])
    calls: list[tuple[FixPlan, threading.Event | None]] = []

    def executor(runner: FixRunner, p: FixPlan, cancel: threading.Event | None) -> FixResult:
        calls.append((p, cancel))
        return FixResult(p.fix_id, str(p.target), True, "recorded")

    monkeypatch.setattr(run, "EXECUTORS", {type(plan): executor})
    runner = FixRunner(Gate(False, AuditLog(tmp_path / "a.jsonl")), FakeArgo(), FakeWorkloads())
    cancel = threading.Event()
    assert runner.run(plan, cancel).message == "recorded"
    assert calls == [(plan, cancel)]


def test_the_registry_loads_without_client_or_ui_libraries() -> None:
    """Planning is pure: importing the registry and the planners pulls in no client or UI library."""
    code = (
        "import sys, kftui.fixes.registry, kftui.fixes.plan\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'kubernetes', 'httpx'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_row_whose_command_builder_fails_or_disagrees_cannot_plan() -> None:
    """The plan shows the finding's command or nothing: a builder that gives no command (a kind it cannot
    handle), or the command of another fix id, makes planning fail with the fix id and its arguments."""
    refresh, prune = FIXES["refresh"], FIXES["disable-auto-prune"]
    no_command = dataclasses.replace(refresh, command=lambda *args: None)
    with pytest.raises(plan_module.PlanError, match=r"^refresh: no command for drift$"):
        no_command.planner(no_command, APP, snap(), None)
    other_id = dataclasses.replace(prune, command=lambda *args: FIXES["sync"].command("drift"))
    with pytest.raises(plan_module.PlanError, match=r"^disable-auto-prune: no command for drift, argocd$"):
        other_id.planner(other_id, APP, snap(), None)


def test_only_plans_with_a_confirm_word_need_typing() -> None:
    needs = {fix_id: planned(spec).needs_typing for fix_id, spec in FIXES.items()}
    assert {fix_id for fix_id, typed in needs.items() if typed} == {
        "sync-prune",
        "force-sync",
        "replace",
        "remove-finalizers",
    }
