"""delete-hook and remove-finalizers: planned from the findings that offer them, previewed with what they leave
behind, run through the gate in order (terminate, then delete), with the equivalent commands shell-quoted."""

from __future__ import annotations

import json
import shlex
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kftui.checks.sync_ops import finalizer_stuck, hook_failed, sync_stuck
from kftui.cluster.appops import KubeWorkloadOps
from kftui.cluster.http import KubeApiError
from kftui.cluster.ops import ActionError, Permission
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import FixResult, Gate
from kftui.fixes.plan import PlanError, plan_action, plan_fix
from kftui.fixes.plans import DeleteHookPlan, RemoveFinalizersPlan
from kftui.fixes.registry import required_permissions
from kftui.fixes.run import FixRunner
from kftui.model import Application, HeldObject, ObjectRef, OperationState, SyncOperation
from kftui.profile import builtin_profile
from tests.fix_fakes import FakeAccess, FakeArgo, FakeWorkloads
from tests.unit.fixtures.builders import NOW, find, fresh, snapshot
from tests.unit.test_checks_sync_ops import running_sync

KUBEFLOW = builtin_profile("kubeflow")
APP = "kubeflow-pipelines"
HOOK = {
    "group": "batch", "version": "v1", "kind": "Job", "namespace": "kubeflow", "name": "schema-migrate",
    "hookType": "PreSync", "hookPhase": "Running", "syncPhase": "PreSync", "message": "job.batch/x created",
}  # fmt: skip


def stuck_on_hook() -> list[dict[str, object]]:
    return running_sync(timedelta(minutes=25), [HOOK])


def runner(
    tmp_path: Path, argo: FakeArgo, work: FakeWorkloads, access: FakeAccess | None = None
) -> FixRunner:
    gate = Gate(False, AuditLog(tmp_path / "audit.jsonl", user="t"), "lab", access=access)
    return FixRunner(gate, argo, work, step_timeout=5, poll_interval=0)


def audit(tmp_path: Path) -> list[tuple[str, str, str]]:
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    return [(e["action"], e["target"], e["result"]) for e in map(json.loads, lines)]


def test_sync_stuck_on_a_hook_offers_terminate_then_delete_in_that_order() -> None:
    snap = snapshot(stuck_on_hook())
    [finding] = sync_stuck(snap, KUBEFLOW)
    assert [f.id for f in finding.fixes] == ["terminate", "delete-hook"]
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    assert isinstance(plan, DeleteHookPlan) and plan.terminate_first and plan.app == APP
    assert plan.target == ObjectRef("Job", "kubeflow", "schema-migrate")
    assert plan.changes[0].startswith(f"1. terminate the running operation of Application argocd/{APP}")
    assert (
        plan.changes[1]
        == "2. delete the PreSync hook Job kubeflow/schema-migrate (and, for a Job, its pods) unless the "
        "terminate already did: Argo CD deletes the hooks it sees running, not those it sees failed"
    )
    assert plan.command == f"argocd app terminate-op {APP} && kubectl delete job schema-migrate -n kubeflow"
    assert plan.confirm_word is None and plan.blocked is None


def test_a_sync_stuck_on_a_plain_resource_offers_no_hook_deletion() -> None:
    snap = snapshot(running_sync(timedelta(minutes=25)))
    [finding] = sync_stuck(snap, KUBEFLOW)
    assert [f.id for f in finding.fixes] == ["terminate"]
    with pytest.raises(PlanError, match=f"^no hook holds the sync of {APP} in the snapshot$"):
        plan_action("delete-hook", ObjectRef("Application", "argocd", APP), snap)


def test_a_failed_hook_of_a_finished_sync_is_deleted_without_a_terminate() -> None:
    objects = fresh()
    app = find(objects, "Application", APP)
    app["status"]["operationState"]["syncResult"]["resources"] = [{**HOOK, "hookPhase": "Failed"}]
    snap = snapshot(objects)
    [finding] = hook_failed(snap, KUBEFLOW)
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    assert isinstance(plan, DeleteHookPlan) and not plan.terminate_first
    assert plan.command == "kubectl delete job schema-migrate -n kubeflow"


def test_delete_hook_terminates_waits_then_deletes_each_step_through_the_gate(tmp_path: Path) -> None:
    snap = snapshot(stuck_on_hook())
    [finding] = sync_stuck(snap, KUBEFLOW)
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    argo, work = FakeArgo(), FakeWorkloads()
    fake = argo.add(APP)
    fake.app = replace(fake.app, operation=SyncOperation(), operation_state=OperationState("Running"))
    result = runner(tmp_path, argo, work).run(plan)
    assert result.ok, result.message
    assert argo.calls == [("terminate", APP, None)]
    assert work.calls == [("delete", "Job", "kubeflow", "schema-migrate")]
    assert audit(tmp_path) == [
        ("terminate", f"Application/argocd/{APP}", "ok"),
        ("delete-hook", "Job/kubeflow/schema-migrate", "ok"),
    ]
    assert result.message == f"operation of {APP} terminated; job kubeflow/schema-migrate deleted"


def test_a_terminate_that_is_refused_deletes_nothing(tmp_path: Path) -> None:
    snap = snapshot(stuck_on_hook())
    [finding] = sync_stuck(snap, KUBEFLOW)
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    argo, work = FakeArgo(), FakeWorkloads()
    argo.add(APP)  # no operation: Argo CD answers "no operation is in progress"
    result = runner(tmp_path, argo, work).run(plan)
    assert not result.ok and "no operation is in progress" in result.message
    assert work.calls == []


def test_delete_hook_needs_delete_on_the_hooks_kind_and_the_rbac_refusal_names_it(tmp_path: Path) -> None:
    snap = snapshot(stuck_on_hook())
    [finding] = sync_stuck(snap, KUBEFLOW)
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    needed = Permission("delete", "jobs", "batch", "kubeflow", "schema-migrate")
    assert required_permissions(plan) == (needed,)
    access = FakeAccess(denied={needed})
    work = FakeWorkloads()
    result = runner(tmp_path, FakeArgo(), work, access).run(plan)
    assert result.refused and "may not delete jobs.batch/schema-migrate in kubeflow" in result.message
    assert work.calls == []


def test_a_target_that_is_no_hook_cannot_be_planned() -> None:
    with pytest.raises(PlanError, match="is no sync hook"):
        plan_action("delete-hook", ObjectRef("Job", "kubeflow", "other"), snapshot(stuck_on_hook()))


def deleting_app(finalizers: list[str]) -> list[dict[str, object]]:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-seaweedfs")
    app["metadata"].update(deletionTimestamp="2026-11-20T03:00:00Z", finalizers=finalizers)
    return objects


def test_remove_finalizers_of_an_application_is_typed_and_says_what_is_orphaned() -> None:
    snap = snapshot(deleting_app(["resources-finalizer.argocd.argoproj.io"]))
    [finding] = [f for f in finalizer_stuck(snap, KUBEFLOW) if f.subject.kind == "Application"]
    plan = plan_fix(finding, "remove-finalizers", snap, KUBEFLOW)
    assert isinstance(plan, RemoveFinalizersPlan) and plan.needs_typing
    assert plan.confirm_word == "kubeflow-seaweedfs" and plan.blocked is None
    assert plan.warnings[0].startswith("Argo CD stops deleting the app's resources; ")
    assert any(line.startswith("Namespace ") or "/" in line for line in plan.warnings[1:])
    argv = shlex.split(plan.command)
    assert argv[:6] == ["kubectl", "patch", "application", "kubeflow-seaweedfs", "-n", "argocd"]
    assert json.loads(argv[-1]) == [
        {"op": "test", "path": "/metadata/finalizers", "value": ["resources-finalizer.argocd.argoproj.io"]},
        {"op": "remove", "path": "/metadata/finalizers"},
    ]


def test_a_hostile_finalizer_stays_one_argument_of_the_command() -> None:
    hostile = "x'; rm -rf ~; echo '"
    snap = snapshot(deleting_app([hostile]))
    [finding] = [f for f in finalizer_stuck(snap, KUBEFLOW) if f.subject.kind == "Application"]
    plan = plan_fix(finding, "remove-finalizers", snap, KUBEFLOW)
    argv = shlex.split(plan.command)
    assert len(argv) == 9 and json.loads(argv[-1])[0]["value"] == [hostile]


def test_remove_finalizers_runs_with_the_finalizers_it_previewed(tmp_path: Path) -> None:
    snap = snapshot(deleting_app(["resources-finalizer.argocd.argoproj.io"]))
    plan = plan_action("remove-finalizers", ObjectRef("Application", "argocd", "kubeflow-seaweedfs"), snap)
    work = FakeWorkloads()
    assert runner(tmp_path, FakeArgo(), work).run(plan).ok
    assert work.calls == [
        (
            "remove-finalizers",
            "Application",
            "argocd",
            "kubeflow-seaweedfs",
            "resources-finalizer.argocd.argoproj.io",
        )
    ]
    assert required_permissions(plan) == (
        Permission("patch", "applications", "argoproj.io", "argocd", "kubeflow-seaweedfs"),
    )


def test_a_namespace_with_its_own_finalizer_is_offered_the_removal_a_held_one_is_not() -> None:
    own = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "team-a",
            "deletionTimestamp": "2026-11-20T02:32:00Z",
            "finalizers": ["example.com/keep"],
        },
        "status": {"phase": "Terminating"},
    }
    snap = snapshot([*fresh(), own])
    [finding] = [f for f in finalizer_stuck(snap, KUBEFLOW) if f.subject.kind == "Namespace"]
    assert [f.id for f in finding.fixes] == ["describe", "remove-finalizers"]
    assert "metadata.finalizers: example.com/keep" in finding.evidence
    plan = plan_fix(finding, "remove-finalizers", snap, KUBEFLOW)
    assert plan.command.startswith("kubectl patch namespace team-a --type=json -p ")
    assert required_permissions(plan) == (Permission("patch", "namespaces", "", "", "team-a"),)
    del own["metadata"]["finalizers"]  # type: ignore[attr-defined]
    held = snapshot([*fresh(), own])
    [finding] = [f for f in finalizer_stuck(held, KUBEFLOW) if f.subject.kind == "Namespace"]
    assert [f.id for f in finding.fixes] == ["describe"]
    with pytest.raises(PlanError, match="content with finalizers"):
        plan_action("remove-finalizers", ObjectRef("Namespace", None, "team-a"), held)


def test_finalizers_of_an_object_not_deleting_are_not_removed() -> None:
    snap = snapshot(fresh(), now=NOW)
    plan = plan_action("remove-finalizers", ObjectRef("Application", "argocd", "kubeflow-seaweedfs"), snap)
    assert plan.blocked is not None and "is not being deleted" in plan.blocked


class Recorder:
    """Our HTTP seam in memory: records what is sent and answers with `status` (an error) when set."""

    server = "https://fake:6443"

    def __init__(self, status: int = 0) -> None:
        self.status = status
        self.sent: list[tuple[str, str, object, str]] = []

    def send_json(
        self, method: str, path: str, body: object, content_type: str = "application/json"
    ) -> object:
        self.sent.append((method, path, body, content_type))
        if self.status:
            raise KubeApiError(self.status, "refused")
        return None


def test_the_kubernetes_backend_deletes_in_the_background_and_patches_with_a_guarded_json_patch() -> None:
    rec = Recorder()
    work = KubeWorkloadOps(rec)  # type: ignore[arg-type]
    assert work.delete_object("Job", "kubeflow", "migrate") == "job kubeflow/migrate deleted"
    work.remove_finalizers("Namespace", "", "team-a", ("example.com/keep",))
    assert rec.sent == [
        (
            "DELETE",
            "/apis/batch/v1/namespaces/kubeflow/jobs/migrate",
            {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"},
            "application/json",
        ),
        (
            "PATCH",
            "/api/v1/namespaces/team-a",
            [
                {"op": "test", "path": "/metadata/finalizers", "value": ["example.com/keep"]},
                {"op": "remove", "path": "/metadata/finalizers"},
            ],
            "application/json-patch+json",
        ),
    ]


def test_a_hook_already_gone_is_done_and_changed_finalizers_are_not_removed() -> None:
    gone = KubeWorkloadOps(Recorder(404))  # type: ignore[arg-type]
    assert gone.delete_object("Job", "kubeflow", "migrate") == "job kubeflow/migrate was already gone"
    changed = KubeWorkloadOps(Recorder(422))  # type: ignore[arg-type]
    with pytest.raises(ActionError, match="changed since they were read"):
        changed.remove_finalizers("Application", "argocd", "a", ("x",))
    with pytest.raises(ActionError, match="deleting job kubeflow/migrate failed: refused"):
        KubeWorkloadOps(Recorder(403)).delete_object("Job", "kubeflow", "migrate")  # type: ignore[arg-type]


class SlowToStop(FakeArgo):
    """An Argo CD whose terminated operation stays Terminating for `reads` reads (-1: for ever), then ends; with
    `error`, every read after the terminate fails with it."""

    def __init__(self, reads: int = -1, error: str = "", phase: str = "Terminating") -> None:
        super().__init__()
        self.left, self.error, self.phase = reads, error, phase

    def get_app(self, name: str) -> Application:
        if self.error and self.calls:
            raise ActionError(self.error)
        if self.calls and self.left != 0:
            self.left -= 1
            app = self.apps[name].app
            return replace(app, operation_state=OperationState(self.phase))
        return super().get_app(name)


def _delete_hook_with(
    tmp_path: Path, argo: FakeArgo, step_timeout: float, cancel: threading.Event | None
) -> tuple[FixResult, FakeWorkloads]:
    snap = snapshot(stuck_on_hook())
    [finding] = sync_stuck(snap, KUBEFLOW)
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    fake = argo.add(APP)
    fake.app = replace(fake.app, operation=SyncOperation(), operation_state=OperationState("Running"))
    work = FakeWorkloads()
    gate = Gate(False, AuditLog(tmp_path / "audit.jsonl", user="t"), "lab")
    runner = FixRunner(gate, argo, work, step_timeout=step_timeout, poll_interval=0.001)
    return runner.run(plan, cancel), work


@pytest.mark.parametrize(
    ("argo", "cancelled", "why"),
    [
        (SlowToStop(), False, f"the operation of {APP} did not stop: still Terminating"),
        (SlowToStop(), True, f"the operation of {APP} did not stop: cancelled"),
        (SlowToStop(error="Argo CD refused the request (403)"), False, "Argo CD refused the request (403)"),
    ],
    ids=["timeout", "cancelled", "unreadable"],
)
def test_delete_hook_stops_when_the_terminated_operation_does_not_end(
    tmp_path: Path, argo: SlowToStop, cancelled: bool, why: str
) -> None:
    """The result is the delete-hook's (its fix id and hook), failed with why the wait ended; the hook stays."""
    cancel = threading.Event()
    if cancelled:
        cancel.set()
    result, work = _delete_hook_with(tmp_path, argo, 30.0 if cancelled else 0.0, cancel)
    assert result == FixResult("delete-hook", "Job/kubeflow/schema-migrate", False, why)
    assert work.calls == []
    assert audit(tmp_path) == [("terminate", f"Application/argocd/{APP}", "ok")]


@pytest.mark.parametrize(
    ("with_cancel", "phase"),
    [(True, "Terminating"), (False, "Terminating"), (True, "Running")],
    ids=["cancellable", "not-cancellable", "not-terminating-yet"],
)
def test_delete_hook_polls_until_the_terminated_operation_ends(
    tmp_path: Path, with_cancel: bool, phase: str
) -> None:
    """Each step is audited as what it is: the terminate through the Argo CD backend, then the delete."""
    argo = SlowToStop(reads=3, phase=phase)
    result, work = _delete_hook_with(tmp_path, argo, 30.0, threading.Event() if with_cancel else None)
    assert result.ok and argo.left == 0
    assert work.calls == [("delete", "Job", "kubeflow", "schema-migrate")]
    entries = AuditLog(tmp_path / "audit.jsonl").entries()
    assert [(e["action"], e["backend"], e["context"], e["detail"]) for e in entries] == [
        ("terminate", "fake", "lab (fake://argocd)", f"1/2 terminate termination of {APP} requested"),
        ("delete-hook", "kubernetes", "lab", "job kubeflow/schema-migrate deleted"),
    ]


def test_a_failed_hook_is_deleted_without_touching_its_apps_operation(tmp_path: Path) -> None:
    objects = fresh()
    app = find(objects, "Application", APP)
    app["status"]["operationState"]["syncResult"]["resources"] = [{**HOOK, "hookPhase": "Failed"}]
    snap = snapshot(objects)
    [finding] = hook_failed(snap, KUBEFLOW)
    plan = plan_fix(finding, "delete-hook", snap, KUBEFLOW)
    assert isinstance(plan, DeleteHookPlan) and plan.app == APP and not plan.terminate_first
    argo, work = FakeArgo(), FakeWorkloads()
    argo.add(APP)
    result = runner(tmp_path, argo, work).run(plan)
    assert result.message == "job kubeflow/schema-migrate deleted" and result.ok
    assert argo.calls == [] and work.calls == [("delete", "Job", "kubeflow", "schema-migrate")]


def test_a_namespaces_finalizers_fix_says_what_each_patch_did(tmp_path: Path) -> None:
    held = HeldObject(
        "widgets.example.com", "Widget", "team-a", "w1", "/apis/example.com/v1/namespaces/team-a/widgets/w1",
        ("example.com/keep",),
    )  # fmt: skip
    plan = RemoveFinalizersPlan(
        fix_id="remove-finalizers",
        title="",
        target=ObjectRef("Namespace", None, "team-a"),
        command="",
        finalizers=("kubernetes",),
        held=(held,),
    )
    result = runner(tmp_path, FakeArgo(), FakeWorkloads()).run(plan)
    assert result.message == (
        "finalizers removed from widgets.example.com w1; finalizers removed from namespace team-a"
    )
