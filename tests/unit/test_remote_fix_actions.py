"""Restart and delete-pod on a cluster kftui reads through Argo CD's API: planned as Argo CD's `restart` action and
Argo CD's delete of the resource, through the Application that manages it; Argo CD's RBAC decides; run through our
ArgoResourceOps seam (fix_fakes), never an HTTP library."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from kftui.cluster.ops import ArgoResource
from kftui.cluster.remote import FederatedSource
from kftui.cluster.source import StaticSource
from kftui.fixes.argo_access import ArgoRbac
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.plan import PlanError, actions_for, plan_action
from kftui.fixes.plans import DeleteResourcePlan, ResourceActionPlan
from kftui.fixes.registry import required_permissions
from kftui.fixes.run import NO_ARGO_API, FixRunner
from kftui.model import ClusterSnapshot, ObjectRef, WatchEvent, apply_events
from tests.fix_fakes import FakeAccess, FakeArgo, FakeWorkloads
from tests.unit.fixtures import builders
from tests.unit.test_argo_rbac import FakeArgoHttp
from tests.unit.test_remote_clusters import ORIGIN, SPOKE, hub_snapshot, spoke_app
from tests.unit.test_remote_clusters import FakeArgo as FakeArgoApi

POD = ObjectRef("Pod", "kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke")
DEPLOYMENT = ObjectRef("Deployment", "kubeflow", "ml-pipeline", "spoke")
APP = "kubeflow-pipelines"
RESTART = ArgoResource(APP, "apps", "v1", "Deployment", "kubeflow", "ml-pipeline")
DELETE = ArgoResource(APP, "", "v1", "Pod", "kubeflow", "ml-pipeline-7f9c6d-x2k4p")
REFUSED = "Argo CD at https://argocd.example refused the request (403): permission denied"
LEARNT = (
    f"Argo CD RBAC: {REFUSED} (the token may not action/apps/Deployment/restart applications "
    ".../kubeflow-pipelines)"
)


def spoke_snapshot(*apps: dict[str, object]) -> ClusterSnapshot:
    """The hub with the spoke's app read through Argo CD (tests/unit/fixtures/resource-tree.json)."""
    hub = StaticSource(lambda: hub_snapshot(*(apps or (spoke_app(server=SPOKE),))))
    return FederatedSource(hub, FakeArgoApi()).load()


def test_restart_of_a_remote_workload_is_argo_cds_restart_action_through_its_app() -> None:
    snapshot = spoke_snapshot()
    service = ObjectRef("Service", "kubeflow", "ml-pipeline", "spoke")
    for target in (DEPLOYMENT, POD, service):  # a pod's (or its Service's) restart restarts its Deployment
        plan = plan_action("restart", target, snapshot)
        assert isinstance(plan, ResourceActionPlan)
        assert (plan.app, plan.resource, plan.action, plan.target) == (APP, RESTART, "restart", DEPLOYMENT)
        assert plan.command == (
            "argocd app actions run kubeflow-pipelines restart --kind Deployment --resource-name ml-pipeline "
            "--namespace kubeflow"
        )
        assert plan.blocked is None and plan.mutating
        assert "through Application kubeflow-pipelines" in plan.changes[0]


def test_delete_pod_of_a_remote_pod_is_argo_cds_delete_of_that_resource() -> None:
    plan = plan_action("delete-pod", POD, spoke_snapshot())
    assert isinstance(plan, DeleteResourcePlan)
    assert (plan.app, plan.resource) == (APP, DELETE)
    assert plan.command == (
        "argocd app delete-resource kubeflow-pipelines --kind Pod --resource-name ml-pipeline-7f9c6d-x2k4p "
        "--namespace kubeflow"
    )
    assert plan.changes[1] == "its ReplicaSet ml-pipeline-7f9c6d creates a replacement"
    assert plan.confirm_word is None  # as on the hub: a controlled pod is deleted without typing its name


def test_what_each_plan_says_argo_cd_does_to_a_controlled_pod() -> None:
    snapshot = spoke_snapshot()
    restart = plan_action("restart", POD, snapshot)
    assert restart.title == "Restart Deployment/ml-pipeline through Argo CD (kubeflow-pipelines)"
    assert restart.changes == (
        "Argo CD runs its `restart` action on Deployment kubeflow/ml-pipeline through Application "
        "kubeflow-pipelines",
        "it sets spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]; the controller "
        "replaces the pods, respecting the rollout strategy",
    )
    assert restart.warnings == ("Argo CD may show the workload OutOfSync if it tracks that annotation",)
    assert restart.confirm_word is None
    delete = plan_action("delete-pod", POD, snapshot)
    assert delete.title == (
        "Delete pod ml-pipeline-7f9c6d-x2k4p through Argo CD (kubeflow-pipelines; its controller recreates it)"
    )
    assert delete.changes == (
        "Argo CD deletes Pod kubeflow/ml-pipeline-7f9c6d-x2k4p through Application kubeflow-pipelines",
        "its ReplicaSet ml-pipeline-7f9c6d creates a replacement",
    )
    assert (delete.warnings, delete.blocked) == ((), None)


def test_deleting_a_remote_pod_without_a_controller_warns_and_asks_for_its_name() -> None:
    """As on the hub: nothing recreates it, so the name must be typed."""
    snapshot = spoke_snapshot()
    pod = snapshot.pods[POD.key]
    bare = replace(pod, name="debug-shell", owner_kind="", owner_name="", workload_kind="", workload_name="")
    snapshot = apply_events(snapshot, [WatchEvent("ADDED", bare)])
    plan = plan_action("delete-pod", replace(POD, name="debug-shell"), snapshot)
    assert isinstance(plan, DeleteResourcePlan) and plan.app == APP
    assert plan.changes == (
        "Argo CD deletes Pod kubeflow/debug-shell through Application kubeflow-pipelines",
    )
    assert plan.warnings == ("this pod has no controller: nothing will recreate it",)
    assert (plan.confirm_word, plan.blocked) == ("debug-shell", None)
    assert plan.title == "Delete pod debug-shell through Argo CD (kubeflow-pipelines; nothing recreates it)"


def test_a_remote_pod_the_snapshot_lacks_is_blocked_without_guessing() -> None:
    """Its namespace's app is still named (Argo CD would say whether it knows the pod), but nothing runs."""
    gone = replace(POD, name="ml-pipeline-7f9c6d-gone1")
    plan = plan_action("delete-pod", gone, spoke_snapshot())
    assert isinstance(plan, DeleteResourcePlan) and plan.app == APP
    assert plan.blocked == "Pod/kubeflow/ml-pipeline-7f9c6d-gone1@spoke is not in the current snapshot"
    assert plan.changes == (
        "Argo CD deletes Pod kubeflow/ml-pipeline-7f9c6d-gone1 through Application kubeflow-pipelines",
    )
    assert (plan.warnings, plan.confirm_word) == ((), None)


@pytest.mark.parametrize(
    ("fix", "target", "refusal"),
    [
        ("delete-pod", DEPLOYMENT, "delete-pod acts on a Pod, not on Deployment/kubeflow/ml-pipeline@spoke"),
        (
            "delete-pod",
            replace(POD, namespace=None),
            "delete-pod acts on a Pod, not on Pod/ml-pipeline-7f9c6d-x2k4p@spoke",
        ),
        (
            "delete-pod",
            replace(POD, namespace=""),
            "delete-pod acts on a Pod, not on Pod/ml-pipeline-7f9c6d-x2k4p@spoke",
        ),
        (
            "restart",
            ObjectRef("Service", "kubeflow", "not-read", "spoke"),
            "Service/kubeflow/not-read@spoke selects no pod of a Deployment, StatefulSet or DaemonSet",
        ),
        (
            "restart",
            ObjectRef("ConfigMap", "kubeflow", "ml-pipeline", "spoke"),
            "restart acts on a Deployment, StatefulSet or DaemonSet, not on ConfigMap/kubeflow/ml-pipeline@spoke",
        ),
        (
            "restart",
            replace(DEPLOYMENT, namespace=None),
            "restart acts on a Deployment, StatefulSet or DaemonSet, not on Deployment/ml-pipeline@spoke",
        ),
    ],
)
def test_each_acts_only_on_a_namespaced_object_of_its_kind(fix: str, target: ObjectRef, refusal: str) -> None:
    with pytest.raises(PlanError) as caught:
        plan_action(fix, target, spoke_snapshot())
    assert str(caught.value) == refusal


def test_two_apps_deploying_there_and_none_listing_it_is_a_plan_error_naming_both() -> None:
    """kftui does not guess between them: Argo CD would act through whichever it was told."""
    other = spoke_app(server=SPOKE)
    other["metadata"]["name"] = "pipelines-extra"
    with pytest.raises(PlanError) as caught:
        plan_action("restart", DEPLOYMENT, spoke_snapshot(spoke_app(server=SPOKE), other))
    assert str(caught.value) == (
        "cannot tell which Argo CD Application manages Deployment/kubeflow/ml-pipeline@spoke: none lists it and "
        "2 apps (kubeflow-pipelines, pipelines-extra) deploy to namespace kubeflow on cluster spoke"
    )


def test_the_app_that_lists_the_workload_is_chosen_over_others_deploying_there() -> None:
    listing = spoke_app(server=SPOKE)
    listing["metadata"]["name"] = "pipelines-core"
    listing["status"]["resources"] = [
        {
            "group": "apps",
            "version": "v1",
            "kind": "Deployment",
            "namespace": "kubeflow",
            "name": "ml-pipeline",
        }
    ]
    other = spoke_app(server=SPOKE)
    snapshot = spoke_snapshot(other, listing)
    assert plan_action("restart", POD, snapshot).app == "pipelines-core"
    assert plan_action("delete-pod", POD, snapshot).app == "pipelines-core"  # through its workload's app


def test_no_app_to_act_through_is_a_plan_error_naming_the_candidates() -> None:
    snapshot = spoke_snapshot()
    moved = [replace(p, namespace="elsewhere") for p in snapshot.pods.values() if p.origin == ORIGIN]
    gone = [WatchEvent("DELETED", p) for p in snapshot.pods.values() if p.origin == ORIGIN]
    snapshot = apply_events(snapshot, [*gone, *(WatchEvent("ADDED", p) for p in moved)])
    with pytest.raises(PlanError) as caught:
        plan_action("delete-pod", replace(POD, namespace="elsewhere"), snapshot)
    assert str(caught.value) == (
        "cannot tell which Argo CD Application manages Pod/elsewhere/ml-pipeline-7f9c6d-x2k4p@spoke: none lists "
        "it and no app deploys to namespace elsewhere on cluster spoke"
    )


def test_cluster_supplied_names_are_each_one_quoted_argument() -> None:
    hostile = "x; touch /tmp/pwned; #"
    snapshot = spoke_snapshot()
    pod = snapshot.pods[POD.key]
    evil = replace(pod, name=hostile, workload_name=hostile)
    snapshot = apply_events(snapshot, [WatchEvent("ADDED", evil)])
    target = replace(POD, name=hostile)
    delete = plan_action("delete-pod", target, snapshot)
    assert shlex.split(delete.command) == [
        "argocd", "app", "delete-resource", APP, "--kind", "Pod", "--resource-name", hostile,
        "--namespace", "kubeflow",
    ]  # fmt: skip
    restart = plan_action("restart", target, snapshot)
    assert shlex.split(restart.command)[-4:] == ["--resource-name", hostile, "--namespace", "kubeflow"]
    assert restart.blocked == f"Deployment/kubeflow/{hostile}@spoke is not in the current snapshot"


def test_the_tree_offers_both_on_a_remote_pod_and_a_hub_pod_stays_kubectl() -> None:
    snapshot = spoke_snapshot(spoke_app(server=SPOKE))
    assert actions_for(POD, snapshot) == ("delete-pod", "restart")
    hub = StaticSource(
        lambda: hub_snapshot(
            spoke_app(server=SPOKE), builders.pod("other", "hub-api-5c8d7f9b6-abcde", "hub-api")
        )
    )
    hub_plan = plan_action("delete-pod", ObjectRef("Pod", "other", "hub-api-5c8d7f9b6-abcde"), hub.load())
    assert hub_plan.command == "kubectl delete pod hub-api-5c8d7f9b6-abcde -n other"


def runner(
    tmp_path: Path,
    http: FakeArgoHttp | None = None,
    read_only: bool = False,
    access: FakeAccess | None = None,
) -> tuple[FixRunner, FakeArgo, AuditLog]:
    audit = AuditLog(tmp_path / "a.jsonl", user="alice")
    argo = FakeArgo(name="argocd-rest")
    rbac = ArgoRbac(http) if http is not None else None
    gate = Gate(read_only, audit, access=access, argo_access=rbac)
    return FixRunner(gate, argo, FakeWorkloads(), step_timeout=5, poll_interval=0), argo, audit


def test_the_runner_carries_them_through_argo_cd_and_audits_them(tmp_path: Path) -> None:
    run, argo, audit = runner(tmp_path, access=FakeAccess())
    snapshot = spoke_snapshot()
    restart, delete = plan_action("restart", POD, snapshot), plan_action("delete-pod", POD, snapshot)
    assert run.run(restart).ok and run.run(delete).ok
    assert argo.calls == [("resource-action", "restart", RESTART), ("delete-resource", APP, DELETE)]
    assert run.workloads.calls == []  # type: ignore[union-attr]  # never the hub's kube connection
    assert run.gate.access.asked == []  # type: ignore[union-attr]  # Kubernetes RBAC does not decide it
    assert required_permissions(restart) == () and required_permissions(delete, "argocd-rest") == ()
    assert [(e["action"], e["backend"], e["result"]) for e in audit.entries()] == [
        ("restart", "argocd-rest", "ok"),
        ("delete-pod", "argocd-rest", "ok"),
    ]


def test_an_error_from_argo_cd_is_one_line_and_nothing_else_runs(tmp_path: Path) -> None:
    run, argo, _ = runner(tmp_path)
    argo.refuse_resources = (
        "Argo CD: Deployment apps ml-pipeline not found as part of application x (HTTP 400)"
    )
    result = run.run(plan_action("restart", POD, spoke_snapshot()))
    assert not result.ok and not result.refused
    assert result.message == argo.refuse_resources and "\n" not in result.message


def test_without_argo_cds_rest_api_they_show_why(tmp_path: Path) -> None:
    gate = Gate(False, AuditLog(tmp_path / "a.jsonl", user="alice"))
    run = FixRunner(gate, None, FakeWorkloads())
    plan = plan_action("delete-pod", POD, spoke_snapshot())
    assert run.refusal(plan) == NO_ARGO_API
    result = run.run(plan)
    assert result.refused and result.message == NO_ARGO_API


def test_can_i_is_not_asked_a_per_resource_action_and_argo_cds_own_refusal_then_disables_the_fix(
    tmp_path: Path,
) -> None:
    """Over REST, can-i would be asked another question (the gateway splits the decoded path), and Argo CD v3.2's
    can-i takes no per-resource action anyway: only the app's read is asked; Argo CD's 403 of the action itself
    is kept, and from then on the fix shows disabled with that reason, without I/O."""
    http = FakeArgoHttp(allowed={"get"})
    run, argo, _ = runner(tmp_path, http)
    snapshot = spoke_snapshot()
    plan = plan_action("restart", POD, snapshot)
    assert run.review(plan) is None  # unknown: refuses nothing
    assert run.review(plan_action("delete-pod", POD, snapshot)) is None
    assert http.asked == ["/api/v1/applications/kubeflow-pipelines"] * 2
    argo.refuse_resources = REFUSED
    result = run.run(plan)
    assert not result.ok and result.message == REFUSED
    assert run.refusal(plan) == LEARNT  # known now
    assert run.refusal(plan_action("restart", DEPLOYMENT, snapshot)) == LEARNT
    assert run.refusal(plan_action("delete-pod", POD, snapshot)) is None  # another action: not known
    again = run.run(plan)
    assert again.refused and again.message == LEARNT
    assert argo.calls == []


def test_an_error_that_is_not_a_refusal_disables_nothing(tmp_path: Path) -> None:
    run, argo, _ = runner(tmp_path, FakeArgoHttp(allowed={"get"}))
    plan = plan_action("restart", POD, spoke_snapshot())
    argo.refuse_resources = "cannot reach Argo CD at https://argocd.example: timed out"
    assert not run.run(plan).ok
    assert run.refusal(plan) is None


def test_a_token_that_may_not_read_the_app_is_refused_before_anything_runs(tmp_path: Path) -> None:
    run, argo, _ = runner(tmp_path, FakeArgoHttp(allowed=set(), refuse=True))
    plan = plan_action("delete-pod", POD, spoke_snapshot())
    reason = run.review(plan)
    assert reason is not None and reason.startswith("Argo CD RBAC: Argo CD at https://argocd.example refused")
    assert run.run(plan).refused and argo.calls == []


def test_read_only_asks_and_writes_nothing(tmp_path: Path) -> None:
    http = FakeArgoHttp(allowed={"get"})
    run, argo, _ = runner(tmp_path, http, read_only=True)
    for fix in ("restart", "delete-pod"):
        plan = plan_action(fix, POD, spoke_snapshot())
        assert run.review(plan) == READ_ONLY_REASON
        assert run.run(plan).refused
    assert http.asked == [] and argo.calls == []
