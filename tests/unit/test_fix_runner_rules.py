"""FixRunner: which backend carries each plan, why a plan cannot run, and what each run reports and audits.

Over the fakes of our own seams (tests/fix_fakes.py): an in-memory Argo CD, workloads and access review.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kftui.cluster.ops import ActionError, Permission, SyncRequest
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, FixResult, Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.plans import FixPlan, OrderedSyncPlan, SyncPlan
from kftui.fixes.run import FixChoice, FixRunner
from kftui.model import (
    ClusterSnapshot,
    Finding,
    FixRef,
    ManagedResource,
    ObjectRef,
    Pod,
    Severity,
    Workload,
)
from tests.fix_fakes import T0, FakeAccess, FakeArgo, FakeWorkloads, StaleArgo

APP = ObjectRef("Application", "argocd", "drift")
CRD = ManagedResource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "x.example.com")
NO_ARGO = "no Argo CD backend (offline snapshot)"
NO_KUBE = "no Kubernetes connection (offline snapshot)"


def runner(
    tmp_path: Path,
    *,
    argo: FakeArgo | None = None,
    workloads: FakeWorkloads | None = None,
    read_only: bool = False,
    access: FakeAccess | None = None,
) -> tuple[FixRunner, AuditLog]:
    audit = AuditLog(tmp_path / "audit.jsonl", user="alice")
    gate = Gate(read_only, audit, context="lab", access=access)
    return FixRunner(gate, argo, workloads, step_timeout=5, poll_interval=0), audit


def argo_with_drift(**kw: object) -> FakeArgo:
    argo = FakeArgo()
    argo.add("drift", **kw)
    return argo


def snapshot(argo: FakeArgo, *extra: object) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([*(f.app for f in argo.apps.values()), *extra], now=T0)  # type: ignore[list-item]


def workload_snapshot(argo: FakeArgo) -> tuple[Pod, ClusterSnapshot]:
    pod = Pod(
        "kubeflow",
        "p",
        owner_kind="ReplicaSet",
        owner_name="rs",
        workload_kind="Deployment",
        workload_name="d",
    )
    return pod, snapshot(argo, pod, Workload("Deployment", "kubeflow", "d"))


def finding(*fix_ids: str, app: str = "drift") -> Finding:
    return Finding(
        check="t",
        severity=Severity.WARNING,
        app=app,
        subject=ObjectRef("Application", "argocd", app),
        title=f"{app} is OutOfSync",
        evidence="",
        explanation="",
        fixes=tuple(FixRef(i, i, ()) for i in fix_ids),
    )


# ---- which backend, and who asks -----------------------------------------------------------------------


def test_the_backend_is_named_after_the_argocd_backend_or_none(tmp_path: Path) -> None:
    """The preview names the backend: the Argo CD backend's name for app actions, Kubernetes for workloads."""
    argo = argo_with_drift()
    pod, snap = workload_snapshot(argo)
    online, _ = runner(tmp_path, argo=argo, workloads=FakeWorkloads())
    offline, _ = runner(tmp_path / "off")
    assert (online.backend_name, offline.backend_name) == ("fake", "none")
    assert online.backend_for(plan_action("sync", APP, snap)) == "fake"
    assert online.backend_for(plan_action("restart", pod.ref, snap)) == "kubernetes"
    assert offline.backend_for(plan_action("sync", APP, snap)) == "none"
    assert online.initiated_by == "kftui:alice"


def test_only_a_writable_session_with_an_access_review_asks_the_cluster(tmp_path: Path) -> None:
    """asks_access: an access review is configured and kftui is not read-only."""
    assert runner(tmp_path, access=FakeAccess())[0].asks_access is True
    assert runner(tmp_path, access=FakeAccess(), read_only=True)[0].asks_access is False
    assert runner(tmp_path)[0].asks_access is False


# ---- refusal and review --------------------------------------------------------------------------------


def test_a_missing_backend_is_the_reason_a_plan_cannot_run(tmp_path: Path) -> None:
    """Offline, app actions lack Argo CD and workload actions lack Kubernetes; a port-forward needs neither."""
    argo = argo_with_drift()
    pod, snap = workload_snapshot(argo)
    sync, restart = plan_action("sync", APP, snap), plan_action("restart", pod.ref, snap)
    only_argo, _ = runner(tmp_path, argo=argo)
    only_kube, _ = runner(tmp_path / "k", workloads=FakeWorkloads())
    for check in (only_argo.refusal, only_argo.review):
        assert (check(sync), check(restart)) == (None, NO_KUBE)
    for check in (only_kube.refusal, only_kube.review):
        assert (check(sync), check(restart)) == (NO_ARGO, None)
    forward = plan_action("port-forward", APP, snapshot(argo))
    assert runner(tmp_path / "n")[0].refusal(forward) is None


def test_read_only_is_the_reason_before_a_missing_backend(tmp_path: Path) -> None:
    """Read-only is said first: offline and read-only, a sync is refused for read-only mode."""
    argo = argo_with_drift()
    offline, _ = runner(tmp_path, read_only=True)
    assert offline.refusal(plan_action("sync", APP, snapshot(argo))) == READ_ONLY_REASON


def test_review_asks_the_cluster_but_refusal_only_reads_what_is_known(tmp_path: Path) -> None:
    """Through the Kubernetes backend a sync needs get+update on the app; review asks, refusal does not."""
    argo = argo_with_drift()
    argo.name = "kubernetes"
    update = Permission("update", "applications", "argoproj.io", "argocd", "drift")
    access = FakeAccess(denied={update})
    run, _ = runner(tmp_path, argo=argo, access=access)
    plan = plan_action("sync", APP, snapshot(argo))
    assert run.refusal(plan) is None and access.asked == []
    reason = run.review(plan)
    assert reason is not None and reason.startswith("forbidden: system:serviceaccount:argocd:limited")
    assert "update applications.argoproj.io/drift in argocd" in reason
    assert access.asked == [Permission("get", "applications", "argoproj.io", "argocd", "drift"), update]
    assert run.refusal(plan) == reason  # now known


# ---- choices -------------------------------------------------------------------------------------------


def test_choices_keep_views_plan_fixes_and_show_why_a_plan_is_impossible(tmp_path: Path) -> None:
    """Views (describe, logs) have no plan and are never disabled; a fix that cannot be planned shows why."""
    argo = argo_with_drift()
    run, _ = runner(tmp_path, argo=argo)
    snap = snapshot(argo)
    choices = run.choices(finding("describe", "logs", "sync", "terminate"), snap)
    assert [c.fix.id for c in choices] == ["describe", "logs", "sync", "terminate"]
    describe, logs, sync, terminate = choices
    assert describe == FixChoice(describe.fix, None, None) and logs.plan is None and logs.disabled is None
    assert isinstance(sync.plan, SyncPlan) and sync.disabled is None
    # terminate plans with a reason it is blocked (no operation running): the panel shows that reason
    assert terminate.plan is not None and terminate.disabled == terminate.plan.blocked
    assert terminate.disabled is not None and "no operation" in terminate.disabled


def test_a_fix_that_cannot_be_planned_is_disabled_with_the_planners_reason(tmp_path: Path) -> None:
    """A PlanError (delete-pod offered on an Application) becomes the reason; the choice has no plan."""
    argo = argo_with_drift()
    run, _ = runner(tmp_path, argo=argo, workloads=FakeWorkloads())
    (choice,) = run.choices(finding("delete-pod"), snapshot(argo))
    assert choice.plan is None
    assert choice.disabled == "delete-pod acts on a Pod, not on Application/argocd/drift"


def test_choices_ask_the_cluster_only_when_reviewing(tmp_path: Path) -> None:
    """The panel's first paint reads known answers; with review=True the worker asks for the rest."""
    argo = argo_with_drift()
    argo.name = "kubernetes"
    update = Permission("update", "applications", "argoproj.io", "argocd", "drift")
    access = FakeAccess(denied={update})
    run, _ = runner(tmp_path, argo=argo, access=access)
    snap = snapshot(argo)
    (quick,) = run.choices(finding("sync"), snap)
    assert quick.disabled is None and access.asked == []
    (reviewed,) = run.choices(finding("sync"), snap, review=True)
    assert reviewed.disabled is not None and reviewed.disabled.startswith("forbidden:")


# ---- refused runs --------------------------------------------------------------------------------------


def test_a_plan_refused_by_the_gate_is_audited_and_touches_no_backend(tmp_path: Path) -> None:
    """Denied permissions: the run is refused with the reason, recorded, and nothing is called."""
    argo = argo_with_drift()
    argo.name = "kubernetes"
    access = FakeAccess(denied={Permission("update", "applications", "argoproj.io", "argocd", "drift")})
    run, audit = runner(tmp_path, argo=argo, access=access)
    result = run.run(plan_action("sync", APP, snapshot(argo)))
    assert (result.ok, result.refused, result.fix_id, result.target) == (False, True, "sync", str(APP))
    assert result.message.startswith("forbidden:")
    assert argo.calls == [] and argo.reads == 0
    (entry,) = audit.entries()
    assert entry["result"] == f"refused: {result.message}" and entry["backend"] == "kubernetes"


def test_a_plan_without_its_backend_is_refused_without_an_audit_entry(tmp_path: Path) -> None:
    """Offline, a run says which connection is missing; no change was attempted, so none is recorded."""
    argo = argo_with_drift()
    pod, snap = workload_snapshot(argo)
    offline, audit = runner(tmp_path)
    sync = offline.run(plan_action("sync", APP, snap))
    assert sync == FixResult("sync", str(APP), False, NO_ARGO, refused=True)
    restart = offline.run(plan_action("restart", pod.ref, snap))
    assert restart == FixResult("restart", "Deployment/kubeflow/d", False, NO_KUBE, refused=True)
    assert audit.entries() == []


def test_ordered_sync_and_port_forward_run_in_their_own_views(tmp_path: Path) -> None:
    """run() of a plan driven by its own screen says so and calls nothing (even read-only: no refusal)."""
    argo = argo_with_drift()
    run, audit = runner(tmp_path, argo=argo, read_only=True)
    ordered = OrderedSyncPlan(fix_id="ordered-sync", title="t", target=APP, command="c", chain=("drift",))
    assert run.run(ordered) == FixResult("ordered-sync", str(APP), False, "ordered-sync runs in its own view")
    forward = run.run(plan_action("port-forward", APP, snapshot(argo)))
    assert not forward.ok and forward.message == "port-forward runs in its own view"
    assert argo.calls == [] and audit.entries() == []


# ---- what a run records --------------------------------------------------------------------------------


def test_app_actions_are_audited_with_the_argocd_backend_and_its_endpoint(tmp_path: Path) -> None:
    """Refresh, terminate and disable-auto-prune go through the Argo CD backend, named with its endpoint."""
    argo = argo_with_drift(reads_until_done=5)
    run, audit = runner(tmp_path, argo=argo, workloads=FakeWorkloads())
    fake = argo.apps["drift"]
    fake.app = replace(fake.app, automated=True, auto_prune=True)
    assert run.run(plan_action("refresh", APP, snapshot(argo))).message == "normal refresh of drift requested"
    assert run.run(plan_action("disable-auto-prune", APP, snapshot(argo))).ok
    run.sync_app("drift", SyncRequest())
    argo.get_app("drift")  # the controller picks the operation up: Running
    terminated = run.run(plan_action("terminate", APP, snapshot(argo)))
    assert terminated.message == "termination of drift requested"
    assert [c[:2] for c in argo.calls] == [
        ("refresh", "drift"),
        ("disable-auto-prune", "drift"),
        ("sync", "drift"),
        ("terminate", "drift"),
    ]
    assert argo.calls[0][2] is False
    entries = audit.entries()
    assert {(e["backend"], e["context"]) for e in entries} == {("fake", "lab (fake://argocd)")}
    assert [e["action"] for e in entries] == ["refresh", "disable-auto-prune", "sync", "terminate"]


def test_workload_actions_are_audited_as_kubernetes_without_the_argocd_endpoint(tmp_path: Path) -> None:
    """Restart, delete and create-namespace go to Kubernetes even when an Argo CD backend is configured."""
    argo, work = argo_with_drift(), FakeWorkloads()
    run, audit = runner(tmp_path, argo=argo, workloads=work)
    pod, snap = workload_snapshot(argo)
    assert run.run(plan_action("restart", pod.ref, snap)).message == "deployment/d restarted"
    assert run.run(plan_action("delete-pod", pod.ref, snap)).message == "pod kubeflow/p deleted"
    ns = ObjectRef("Namespace", None, "team-a")
    assert run.run(plan_action("create-namespaces", ns, snap)).message == "namespace team-a created"
    assert [e["backend"] for e in audit.entries()] == ["kubernetes"] * 3
    assert {e["context"] for e in audit.entries()} == {"lab"}
    assert [e["target"] for e in audit.entries()] == [
        "Deployment/kubeflow/d",
        "Pod/kubeflow/p",
        "Namespace/team-a",
    ]


def test_a_restart_is_stamped_with_the_current_time_like_kubectl(tmp_path: Path) -> None:
    """restartedAt is now, in RFC 3339 with seconds and Z, as `kubectl rollout restart` writes it."""
    argo, work = argo_with_drift(), FakeWorkloads()
    run, _ = runner(tmp_path, argo=argo, workloads=work)
    pod, snap = workload_snapshot(argo)
    before = datetime.now(UTC).replace(microsecond=0)
    run.run(plan_action("restart", pod.ref, snap))
    at = work.calls[0][4]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at)
    stamped = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= stamped <= datetime.now(UTC) + timedelta(seconds=1)


# ---- sync_app: one step of an ordered sync -------------------------------------------------------------


class NamelessArgo(FakeArgo):
    """A backend that does not say which namespace Argo CD runs in."""

    def __getattribute__(self, name: str) -> object:
        if name == "argocd_namespace":
            raise AttributeError(name)
        return super().__getattribute__(name)


def test_a_step_sync_is_audited_with_its_fix_id_step_and_endpoint(tmp_path: Path) -> None:
    """The ordered sync's steps are audited as its own fix, with "step i/n", on the app in Argo CD's namespace."""
    argo = argo_with_drift()
    argo.argocd_namespace = "ops"
    run, audit = runner(tmp_path, argo=argo)
    result = run.sync_app("drift", SyncRequest(prune=True), fix_id="ordered-sync", step="step 2/3")
    assert result == FixResult("ordered-sync", "Application/ops/drift", True, "sync of drift requested")
    assert argo.calls == [("sync", "drift", SyncRequest(prune=True))]
    op = argo.apps["drift"].app.operation
    assert op is not None and op.initiated_by == "kftui:alice" and op.prune
    (entry,) = audit.entries()
    assert (entry["action"], entry["backend"], entry["context"]) == (
        "ordered-sync",
        "fake",
        "lab (fake://argocd)",
    )
    assert entry["detail"] == "step 2/3 sync of drift requested"
    plain = run.sync_app("drift", SyncRequest())
    assert plain.fix_id == "sync" and not plain.ok  # the first one still runs
    assert audit.entries()[-1]["detail"] == ""


def test_a_backend_that_does_not_name_argocds_namespace_means_argocd(tmp_path: Path) -> None:
    """Without an argocd_namespace attribute the app is taken to live in "argocd"."""
    argo = NamelessArgo()
    argo.add("drift")
    run, _ = runner(tmp_path, argo=argo)
    assert run.sync_app("drift", SyncRequest()).target == "Application/argocd/drift"


def test_a_step_sync_is_checked_against_the_apps_permissions(tmp_path: Path) -> None:
    """Through the Kubernetes API the step needs update on that app in Argo CD's namespace."""
    argo = argo_with_drift()
    argo.name, argo.argocd_namespace = "kubernetes", "ops"
    update = Permission("update", "applications", "argoproj.io", "ops", "drift")
    run, _ = runner(tmp_path, argo=argo, access=FakeAccess(denied={update}))
    result = run.sync_app("drift", SyncRequest())
    assert result.refused and "update applications.argoproj.io/drift in ops" in result.message


def test_a_step_sync_without_argocd_raises_the_backend_error(tmp_path: Path) -> None:
    """The ordered sync checks for a backend first; asked anyway, sync_app says none is configured."""
    offline, _ = runner(tmp_path)
    with pytest.raises(ActionError, match="no Argo CD backend"):
        offline.sync_app("drift", SyncRequest())


# ---- syncs in two parts --------------------------------------------------------------------------------


def crds_first(argo: FakeArgo) -> FixPlan:
    fake = argo.apps["drift"]
    fake.app = replace(fake.app, resources=(CRD,))
    return plan_action("sync-crds-first", APP, snapshot(argo))


def test_crds_first_reports_both_syncs_and_audits_the_second_as_the_rest(tmp_path: Path) -> None:
    """The result joins both messages; the second sync is the plan's second request."""
    argo = argo_with_drift()
    run, audit = runner(tmp_path, argo=argo)
    plan = crds_first(argo)
    assert isinstance(plan, SyncPlan) and plan.then_sync is not None
    result = run.run(plan)
    assert result.ok and result.message == "sync of drift requested; sync of drift requested"
    assert [c[2] for c in argo.calls] == [plan.sync, plan.then_sync]
    assert [(e["action"], e["detail"]) for e in audit.entries()] == [
        ("sync-crds-first", "sync of drift requested"),
        ("sync-crds-first", "then the rest sync of drift requested"),
    ]


def test_crds_first_stops_when_argocd_cannot_be_read_first(tmp_path: Path) -> None:
    """The startedAt before the request is read first; if that read fails nothing is synced."""
    argo = argo_with_drift()
    run, _ = runner(tmp_path, argo=argo)
    plan = crds_first(argo)
    del argo.apps["drift"]
    result = run.run(plan)
    assert result == FixResult("sync-crds-first", str(APP), False, "Application argocd/drift not found")
    assert argo.calls == []


def test_crds_first_says_why_the_second_sync_was_not_made(tmp_path: Path) -> None:
    """When the first sync fails, the message keeps the request's outcome and adds why it stopped."""
    argo = argo_with_drift(fail_with="CRD x.example.com: Too long")
    run, _ = runner(tmp_path, argo=argo)
    result = run.run(crds_first(argo))
    assert not result.ok and not result.refused
    assert (
        result.message
        == "sync of drift requested; then stopped: sync of drift failed: CRD x.example.com: Too long"
    )
    assert len(argo.calls) == 1


def test_crds_first_stops_when_cancelled_while_the_crds_sync_runs(tmp_path: Path) -> None:
    """A cancel while the CRDs sync runs stops before the rest is requested."""
    argo = argo_with_drift(reads_until_done=100)
    run, _ = runner(tmp_path, argo=argo)
    cancel = threading.Event()
    cancel.set()
    result = run.run(crds_first(argo), cancel)
    assert not result.ok and result.message.endswith("then stopped: cancelled")
    assert len(argo.calls) == 1


def test_crds_first_waits_past_the_previous_operation(tmp_path: Path) -> None:
    """An app whose last sync finished before ours is not taken as our sync being done."""
    argo = argo_with_drift()
    run, _ = runner(tmp_path, argo=argo)
    plan = crds_first(argo)
    run.sync_app("drift", SyncRequest())
    argo.get_app("drift")
    argo.get_app("drift")  # an earlier sync: Succeeded
    argo.apps["drift"].fail_with = "the CRD sync failed"
    result = run.run(plan)
    assert "then stopped: sync of drift failed: the CRD sync failed" in result.message


class OptionRefusingArgo(FakeArgo):
    """An Argo CD that refuses to change the app's spec."""

    def add_sync_option(self, name: str, option: str) -> str:
        raise ActionError(f"{name}: permission denied to update the spec")


def test_a_sync_that_first_sets_an_option_stops_if_the_option_cannot_be_set(tmp_path: Path) -> None:
    """sync-create-namespace adds CreateNamespace=true first; if that fails, no sync is requested."""
    argo = OptionRefusingArgo()
    argo.add("drift")
    run, audit = runner(tmp_path, argo=argo)
    result = run.run(plan_action("sync-create-namespace", APP, snapshot(argo)))
    assert result == FixResult(
        "sync-create-namespace", str(APP), False, "drift: permission denied to update the spec"
    )
    assert argo.calls == []
    (entry,) = audit.entries()
    assert entry["detail"] == "app set" and entry["result"].startswith("error: drift: permission denied")


def test_crds_first_is_not_fooled_by_a_stale_read_of_the_previous_sync(tmp_path: Path) -> None:
    """A read that still shows the previous, finished sync is not taken for ours: ours is waited for."""
    argo = StaleArgo()
    argo.add("drift")
    run, _ = runner(tmp_path, argo=argo)
    run.sync_app("drift", SyncRequest())
    argo.stale = None
    argo.get_app("drift")
    assert argo.get_app("drift").operation_phase == "Succeeded"  # an earlier sync, finished
    plan = crds_first(argo)
    argo.apps["drift"].fail_with = "the CRD sync failed"
    result = run.run(plan)
    assert result.message.endswith("then stopped: sync of drift failed: the CRD sync failed")
    assert len(argo.calls) == 2  # the earlier sync and the CRDs: never the rest


def test_both_syncs_of_crds_first_are_initiated_by_kftui_and_the_user(tmp_path: Path) -> None:
    """Argo CD shows who asked for each operation: the second sync too."""
    argo = argo_with_drift()
    run, _ = runner(tmp_path, argo=argo)
    assert run.run(crds_first(argo)).ok
    op = argo.apps["drift"].app.operation
    assert op is not None and op.initiated_by == "kftui:alice"


def test_a_refused_crds_first_does_not_even_read_the_app(tmp_path: Path) -> None:
    """A plan the credentials may not run is refused before any call to Argo CD, reads included."""
    argo = argo_with_drift()
    argo.name = "kubernetes"
    access = FakeAccess(denied={Permission("update", "applications", "argoproj.io", "argocd", "drift")})
    run, _ = runner(tmp_path, argo=argo, access=access)
    plan = crds_first(argo)
    reads = argo.reads
    result = run.run(plan)
    assert result.refused and result.message.startswith("forbidden:")
    assert argo.reads == reads and argo.calls == []


def test_through_the_rest_api_kubernetes_rbac_does_not_decide(tmp_path: Path) -> None:
    """With Argo CD's REST API as backend, a denied Kubernetes update on the app neither disables nor
    refuses a sync (Argo CD's own RBAC decides, and says so if it refuses)."""
    update = Permission("update", "applications", "argoproj.io", "argocd", "drift")
    access = FakeAccess(denied={update})
    kube_argo = argo_with_drift()
    kube_argo.name = "kubernetes"
    through_kube, _ = runner(tmp_path / "k", argo=kube_argo, access=access)
    assert (
        through_kube.review(plan_action("sync", APP, snapshot(kube_argo))) is not None
    )  # the denial is known
    rest_argo = argo_with_drift()
    rest_argo.name = "argocd-rest"
    through_rest, _ = runner(tmp_path / "r", argo=rest_argo, access=access)
    plan = plan_action("sync", APP, snapshot(rest_argo))
    assert through_rest.refusal(plan) is None
    result = through_rest.run(plan)
    assert result.ok and result.message == "sync of drift requested"
    assert rest_argo.calls == [("sync", "drift", SyncRequest())]


def test_a_restart_is_stamped_in_utc_whatever_the_local_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """restartedAt ends in Z, so it must be UTC even when the machine's time zone is not."""
    import time

    argo, work = argo_with_drift(), FakeWorkloads()
    run, _ = runner(tmp_path, argo=argo, workloads=work)
    pod, snap = workload_snapshot(argo)
    with monkeypatch.context() as m:
        m.setenv("TZ", "EST+05")
        time.tzset()
        try:
            run.run(plan_action("restart", pod.ref, snap))
        finally:
            m.undo()
            time.tzset()
    stamped = datetime.strptime(work.calls[0][4], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(stamped - datetime.now(UTC)) < timedelta(minutes=5)
