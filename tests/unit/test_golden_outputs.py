"""Golden outputs of the pure layers, through their public entry points only.

For each offline scenario (the embedded demo, the Argo CD 3 dump in fixtures/, and the demo with every object's
text made hostile): every finding `run_checks` makes, with its fixes and their commands, and the preview of every
fix plan a finding or a tree node offers (`plan_fix`, `plan_action`). The files in golden/ are the approved output;
a change in behaviour shows as a diff to review. After a deliberate change, regenerate them with
`KFTUI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_golden_outputs.py` and read the diff.

These tests exist because mutation testing (`make mutants`, docs/mutants.md) showed which lines no other test
guards: titles, previews, warnings and required permissions of fix plans, the commands fixes offer. They read only
public names (kftui.model, kftui.checks.registry, kftui.fixes.plan, kftui.cluster.dumpfile), so moving code
between modules does not touch them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo, load_snapshot
from kftui.fixes.gate import Gate
from kftui.fixes.plan import PLANNABLE, PlanError, actions_for, plan_action, plan_fix
from kftui.fixes.registry import required_permissions
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, Finding, ObjectRef
from kftui.profile import builtin_profile, detect_profile
from tests.fix_fakes import FakeArgo, FakeWorkloads
from tests.hostile import hostile_snapshot

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("KFTUI_UPDATE_GOLDEN") == "1"

SCENARIOS: dict[str, Callable[[], ClusterSnapshot]] = {
    "demo": load_demo,
    "argocd3-failed-install": lambda: load_snapshot(FIXTURES / "argocd3_failed_install.yaml"),
    "hostile": lambda: hostile_snapshot("\x1b[31m[red]x[/red]\u202e$(id)`id`\n"),
}

# What a fix plan shows before it runs (the confirm screen), whatever type the plan is.
PREVIEW_FIELDS = ("fix_id", "title", "target", "app", "command", "changes", "warnings", "confirm_word")
# What the plan hands its executor, where the plan type has it.
PLAN_DETAILS = ("sync", "then_sync", "chain", "hard", "forward", "set_option")
PREVIEW_FLAGS = ("mutating", "blocked", "needs_typing")


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def preview(plan: object) -> dict[str, Any]:
    shown = {
        name: _plain(getattr(plan, name, None)) for name in (*PREVIEW_FIELDS, *PREVIEW_FLAGS, *PLAN_DETAILS)
    }
    kind = getattr(plan, "kind", None)
    shown["kind"] = getattr(kind, "value", _plain(kind))
    # The RBAC the gate asks about before running it, through the Kubernetes API and through Argo CD's.
    shown["needs"] = {
        backend: [
            " ".join(map(repr, dataclasses.astuple(p))) for p in required_permissions(plan, backend, "ops")
        ]  # type: ignore[arg-type]
        for backend in ("kubernetes", "argocd-rest")
    }
    return shown


def planned(plan: Callable[[], object]) -> dict[str, Any]:
    try:
        return preview(plan())
    except PlanError as exc:
        return {"refused": str(exc)}


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "check": f.check,
        "severity": f.severity.value,
        "app": f.app,
        "subject": str(f.subject),
        "title": f.title,
        "evidence": list(f.evidence_lines),
        "explanation": f.explanation,
        "fixes": [{"id": r.id, "title": r.title, "command": r.command} for r in f.fixes],
        "caused_by": list(f.caused_by),
    }


def nodes(snapshot: ClusterSnapshot) -> list[ObjectRef]:
    """Every tree node that can offer an action: Applications, workloads, pods, services."""
    refs = [
        ObjectRef("Application", snapshot.argocd_namespace, name) for _, name in sorted(snapshot.applications)
    ]
    refs += [ObjectRef(w.kind, w.namespace, w.name) for _, w in sorted(snapshot.workloads.items())]
    refs += [ObjectRef("Pod", ns, name) for ns, name in sorted(snapshot.pods)]
    refs += [ObjectRef("Service", ns, name) for ns, name in sorted(snapshot.services)]
    return refs


def result_dict(result: object) -> dict[str, Any]:
    return {
        name: _plain(getattr(result, name, None)) for name in ("fix_id", "target", "ok", "message", "refused")
    }


def runner_outputs(snapshot: ClusterSnapshot, findings: list[Finding], profile: Any) -> dict[str, Any]:
    """What the fix panel lists for each finding offline, and what running each node's plan does when only
    the Kubernetes side is there (workloads faked; no Argo CD backend, so app actions are refused)."""
    offline = FixRunner(Gate(False, None, context="golden"), None)
    workloads = FakeWorkloads()
    kube_only = FixRunner(Gate(False, None, context="golden"), None, workloads)
    choices = {
        f"{f.check} {f.subject}": [
            {"fix": c.fix.id, "plan": getattr(c.plan, "fix_id", None), "why": c.disabled}
            for c in offline.choices(f, snapshot, profile)
        ]
        for f in findings
    }
    runs = {}
    for node in nodes(snapshot):
        for fix_id in actions_for(node, snapshot):
            try:
                plan = plan_action(fix_id, node, snapshot, profile)
            except PlanError:
                continue
            runs[f"{node} {fix_id}"] = result_dict(kube_only.run(plan))
    calls = [" ".join(c[:4]) for c in workloads.calls]  # the restart time (c[4]) is the clock's
    return {"choices": choices, "runs": runs, "workload_calls": calls, **argo_outputs(snapshot, profile)}


def argo_outputs(snapshot: ClusterSnapshot, profile: Any) -> dict[str, Any]:
    """Every Application action run against an in-memory Argo CD whose operations finish at once (one whose
    first app's first step of a two-step sync fails, so its second step is never sent)."""
    apps = sorted(name for _, name in snapshot.applications)
    runs = {}
    for name in apps:
        node = ObjectRef("Application", snapshot.argocd_namespace, name)
        for fix_id in actions_for(node, snapshot):
            argo = FakeArgo()
            for known in apps:
                argo.add(
                    known,
                    fail_with="ComparisonError: boom"
                    if (fix_id, known) == ("sync-crds-first", apps[0])
                    else "",
                )
            runner = FixRunner(Gate(False, None, context="golden"), argo, step_timeout=5, poll_interval=0)
            try:
                plan = plan_action(fix_id, node, snapshot, profile)
            except PlanError:
                continue
            result = result_dict(runner.run(plan))
            result["argo_calls"] = [f"{what} {app} {_plain(arg)}" for what, app, arg in argo.calls]
            runs[f"{node} {fix_id}"] = result
    return {"argo_runs": runs}


ASKED = ("sync", "restart", "delete-pod", "port-forward", "ordered-sync", "create-namespaces")


def one_of_each_kind(snapshot: ClusterSnapshot) -> list[ObjectRef]:
    first: dict[str, ObjectRef] = {}
    for node in nodes(snapshot):
        first.setdefault(node.kind, node)
    return [*first.values(), ObjectRef("Namespace", None, "kubeflow"), ObjectRef("Pod", None, "no-namespace")]


def outputs(snapshot: ClusterSnapshot) -> dict[str, Any]:
    profile = detect_profile({name for _, name in snapshot.applications})
    findings = run_checks(snapshot, profile)
    return {
        **runner_outputs(snapshot, findings, profile),
        "findings": [finding_dict(f) for f in findings],
        "finding_plans": {
            f"{f.check} {f.subject} {ref.id}": planned(
                lambda f=f, ref=ref: plan_fix(f, ref.id, snapshot, profile)
            )
            for f in findings
            for ref in f.fixes
        },
        # Each fix asked of each finding, offered or not: what it plans or why it refuses.
        "any_fix_of_a_finding": {
            f"{f.check} {f.subject} {fix_id}": planned(
                lambda f=f, i=fix_id: plan_fix(f, i, snapshot, profile)
            )
            for f in findings
            for fix_id in ASKED
        },
        # Every fix id asked of one node of each kind (and of a Namespace): the wrong targets are refused.
        "any_fix_of_a_node": {
            f"{node} {fix_id}": planned(lambda n=node, i=fix_id: plan_action(i, n, snapshot, profile))
            for node in one_of_each_kind(snapshot)
            for fix_id in PLANNABLE
        },
        "node_plans": {
            f"{node} {fix_id}": planned(lambda n=node, i=fix_id: plan_action(i, n, snapshot, profile))
            for node in nodes(snapshot)
            for fix_id in actions_for(node, snapshot)
        },
    }


def compare_with_golden(name: str, produced: Any) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(produced, indent=1, ensure_ascii=True, sort_keys=True) + "\n"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path}: run with KFTUI_UPDATE_GOLDEN=1 and review it"
    expected = json.loads(path.read_text())
    for key in expected:
        assert produced[key] == expected[key], f"{name}: {key} differs from {path}"
    assert produced == expected


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> tuple[str, ClusterSnapshot]:
    return request.param, SCENARIOS[request.param]()


def test_findings_plans_permissions_and_runs_are_the_approved_ones(
    scenario: tuple[str, ClusterSnapshot],
) -> None:
    name, snapshot = scenario
    compare_with_golden(f"plans-{name}", outputs(snapshot))


def test_the_kubeflow_profile_is_the_one_the_demo_detects() -> None:
    """The golden files are made with the detected profile: for the demo, that is the Kubeflow one."""
    demo = load_demo()
    assert detect_profile({name for _, name in demo.applications}) == builtin_profile("kubeflow")
