"""The gate refuses what the credentials may not do, over a fake of our own AccessReview seam.

Read-only still wins and asks nothing; an unknown answer never refuses; `refusal` (the UI's question on the
event loop) never asks, only `review` and `execute` do; the REST backend's Argo CD actions are not
Kubernetes RBAC's to decide, but its workload actions are.
"""

from __future__ import annotations

from pathlib import Path

from kftui.checks import fixrefs
from kftui.cluster.ops import ActionError, Permission, SyncRequest
from kftui.fixes.argo_access import ArgoRbac
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.permissions import KUBE_BACKEND
from kftui.fixes.plan import APP_FIXES, plan_action
from kftui.fixes.plans import RemoveFinalizersPlan, SyncPlan
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Pod, Severity, Workload
from kftui.profile import builtin_profile
from tests.fix_fakes import T0, FakeAccess, FakeArgo, FakeWorkloads
from tests.unit.test_argo_rbac import FakeArgoHttp

APP = ObjectRef("Application", "argocd", "drift")
USER = "system:serviceaccount:argocd:limited"
UPDATE_DRIFT = Permission("update", "applications", "argoproj.io", "argocd", "drift")
PATCH_DRIFT = Permission("patch", "applications", "argoproj.io", "argocd", "drift")
DELETE_POD = Permission("delete", "pods", "", "kubeflow", "p")
POD = Pod(
    "kubeflow", "p", owner_kind="ReplicaSet", owner_name="rs", workload_kind="Deployment", workload_name="d"
)
FORBIDDEN_SYNC = f"forbidden: {USER} may not update applications.argoproj.io/drift in argocd"


def setup(
    tmp_path: Path, access: FakeAccess, read_only: bool = False, argo_name: str = "kubernetes"
) -> tuple[FixRunner, FakeArgo, FakeWorkloads, AuditLog]:
    argo, work = FakeArgo(name=argo_name), FakeWorkloads()
    argo.add("drift")
    audit = AuditLog(tmp_path / "audit.jsonl", user="alice")
    gate = Gate(read_only, audit, context="lab", access=access)
    return FixRunner(gate, argo, work, step_timeout=5, poll_interval=0), argo, work, audit


def snapshot(argo: FakeArgo) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(
        [*(f.app for f in argo.apps.values()), POD, Workload("Deployment", "kubeflow", "d")], now=T0
    )


def test_a_denied_permission_refuses_with_the_user_and_the_request(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT})
    runner, argo, _, _ = setup(tmp_path, access)
    plan = plan_action("sync", APP, snapshot(argo))
    assert runner.review(plan) == FORBIDDEN_SYNC
    # Once asked, the UI's non-blocking question gives the same answer.
    assert runner.refusal(plan) == FORBIDDEN_SYNC
    # Other permissions of the same app are not refused.
    assert runner.review(plan_action("refresh", APP, snapshot(argo))) is None


def test_refusal_never_asks_the_cluster(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT})
    runner, argo, _, _ = setup(tmp_path, access)
    plan = plan_action("sync", APP, snapshot(argo))
    assert runner.refusal(plan) is None  # not known yet: not refused, and not asked
    assert access.asked == []


def test_execute_refuses_a_denied_plan_before_the_backend_and_audits_it(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT, DELETE_POD})
    runner, argo, work, audit = setup(tmp_path, access)
    snap = snapshot(argo)
    sync = runner.run(plan_action("sync", APP, snap))
    delete = runner.run(plan_action("delete-pod", POD.ref, snap))
    assert not sync.ok and sync.refused and sync.message == FORBIDDEN_SYNC
    assert not delete.ok and delete.refused
    assert delete.message == f"forbidden: {USER} may not delete pods/p in kubeflow"
    assert argo.calls == [] and work.calls == []
    assert [e["result"] for e in audit.entries()] == [
        f"refused: {FORBIDDEN_SYNC}",
        f"refused: {delete.message}",
    ]


def test_allowed_plans_run(tmp_path: Path) -> None:
    access = FakeAccess(denied={DELETE_POD})
    runner, argo, work, _ = setup(tmp_path, access)
    snap = snapshot(argo)
    assert runner.run(plan_action("refresh", APP, snap)).ok
    assert runner.run(plan_action("restart", POD.ref, snap)).ok
    assert [c[0] for c in argo.calls] == ["refresh"] and [c[0] for c in work.calls] == ["restart"]
    assert PATCH_DRIFT in access.asked


def test_unknown_answers_never_block(tmp_path: Path) -> None:
    access = FakeAccess(
        unknown={UPDATE_DRIFT, Permission("get", "applications", "argoproj.io", "argocd", "drift")}
    )
    runner, argo, _, _ = setup(tmp_path, access)
    plan = plan_action("sync", APP, snapshot(argo))
    assert runner.review(plan) is None
    assert runner.run(plan).ok
    assert argo.calls and argo.calls[0][0] == "sync"


def test_read_only_wins_and_asks_nothing(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT, PATCH_DRIFT, DELETE_POD})
    runner, argo, _, _ = setup(tmp_path, access, read_only=True)
    snap = snapshot(argo)
    plans = [plan_action(f, APP, snap) for f in APP_FIXES]
    plans += [plan_action("restart", POD.ref, snap), plan_action("delete-pod", POD.ref, snap)]
    for plan in plans:
        assert runner.review(plan) == READ_ONLY_REASON
        assert runner.run(plan).message == READ_ONLY_REASON
    # The port-forward changes nothing and stays allowed in read-only mode, without a review either.
    forward = plan_action("port-forward", APP, snap, builtin_profile())
    assert runner.review(forward) is None
    assert access.asked == []


def test_a_plan_blocked_for_another_reason_is_not_reviewed(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT})
    runner, argo, _, _ = setup(tmp_path, access)
    plan = plan_action("terminate", APP, snapshot(argo))  # no operation is running
    assert plan.blocked is not None
    assert runner.review(plan) == plan.blocked
    assert access.asked == []


def test_rest_backend_app_actions_are_not_reviewed_but_workload_actions_are(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT, PATCH_DRIFT, DELETE_POD})
    runner, argo, _, _ = setup(tmp_path, access, argo_name="argocd-rest")
    snap = snapshot(argo)
    for fix_id in ("sync", "refresh", "hard-refresh"):
        assert runner.review(plan_action(fix_id, APP, snap)) is None, fix_id
    assert access.asked == []
    assert runner.review(plan_action("delete-pod", POD.ref, snap)) == (
        f"forbidden: {USER} may not delete pods/p in kubeflow"
    )


def test_ordered_sync_steps_are_refused_through_the_same_gate(tmp_path: Path) -> None:
    chain = builtin_profile().chain()
    first = Permission("update", "applications", "argoproj.io", "argocd", chain[0])
    access = FakeAccess(denied={first})
    runner, argo, _, audit = setup(tmp_path, access)
    for name in chain:
        argo.add(name)
    plan = plan_action("ordered-sync", APP, snapshot(argo), builtin_profile())
    assert runner.review(plan) == (
        f"forbidden: {USER} may not update applications.argoproj.io/{chain[0]} in argocd"
    )
    step = runner.sync_app(chain[0], SyncRequest())
    assert step.refused and "forbidden" in step.message
    assert argo.calls == []
    assert audit.entries()[-1]["result"].startswith("refused: forbidden")


def test_choices_with_review_mark_the_denied_fixes(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE_DRIFT})
    runner, argo, _, _ = setup(tmp_path, access)
    finding = Finding(
        check="app-out-of-sync",
        severity=Severity.WARNING,
        app="drift",
        subject=APP,
        title="drift is OutOfSync",
        evidence="status.sync.status: OutOfSync",
        explanation="",
        fixes=(
            fixrefs.sync("drift"),
            fixrefs.refresh("drift"),
        ),
    )
    snap = snapshot(argo)
    assert [c.disabled for c in runner.choices(finding, snap)] == [None, None]  # nothing known yet
    reviewed = runner.choices(finding, snap, review=True)
    assert [c.disabled for c in reviewed] == [FORBIDDEN_SYNC, None]


def test_a_kubernetes_refusal_of_an_apps_finalizers_is_not_taken_for_argo_cds_rbac(tmp_path: Path) -> None:
    """Removing an Application's finalizers goes through the Kubernetes API even with Argo CD's REST API at hand:
    its 403 says nothing about what Argo CD lets the token do, so the app's sync stays offered. Argo CD's own 403
    on the sync is what Argo CD's RBAC learns."""
    gate = Gate(
        False, AuditLog(tmp_path / "audit.jsonl"), "lab", argo_access=ArgoRbac(FakeArgoHttp({"sync"}))
    )
    sync = SyncPlan(
        fix_id="sync", title="Sync drift", target=APP, app="drift", command="", sync=SyncRequest()
    )
    finalizers = RemoveFinalizersPlan(
        fix_id="remove-finalizers", title="", target=APP, command="", finalizers=("resources-finalizer",)
    )

    def denied(text: str) -> str:
        raise ActionError(text)

    webhook = (
        'removing the finalizers of application/drift failed: admission webhook "finalizers.example.com" '
        "denied the request (403): finalizers are owned by Argo CD"
    )
    result = gate.execute(finalizers, lambda: denied(webhook), backend=KUBE_BACKEND)
    assert not result.ok and result.message == webhook
    assert gate.refusal(sync, "argocd-rest") is None
    argo_403 = "Argo CD at https://argocd.example refused the request (403): permission denied"
    assert not gate.execute(sync, lambda: denied(argo_403), backend="argocd-rest").ok
    assert gate.refusal(sync, "argocd-rest") == (
        f"Argo CD RBAC: {argo_403} (the token may not sync applications .../drift)"
    )


def test_kubernetes_rbac_decides_an_apps_finalizers_even_with_argo_cds_rbac_at_hand(tmp_path: Path) -> None:
    """Removing an Application's finalizers is a Kubernetes patch: the hub's access review is asked and its "no"
    shown, not Argo CD's can-i (which would allow it: the token may sync the app)."""
    access, argo_http = FakeAccess(denied={PATCH_DRIFT}), FakeArgoHttp({"sync"})
    gate = Gate(
        False, AuditLog(tmp_path / "audit.jsonl"), "lab", access=access, argo_access=ArgoRbac(argo_http)
    )
    finalizers = RemoveFinalizersPlan(
        fix_id="remove-finalizers", title="", target=APP, command="", finalizers=("resources-finalizer",)
    )
    forbidden = f"forbidden: {USER} may not patch applications.argoproj.io/drift in argocd"
    assert gate.review(finalizers, KUBE_BACKEND) == forbidden
    assert gate.refusal(finalizers, KUBE_BACKEND) == forbidden
    assert access.asked == [PATCH_DRIFT] and argo_http.asked == []
