"""Checks and fixes read a remote app's objects on its own cluster, where the hub has an object of the same name.

The companion of tests/unit/test_cluster_keys.py (its two-cluster scenario: the hub's and the spoke's
`kubeflow/ml-pipeline`): the health computed from live objects, the login path's pods and namespace, the
missing namespaces a remote app names, and the create-namespaces fix on a namespace of another cluster.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kftui.checks import fixrefs
from kftui.checks.provenance import placed_fixes
from kftui.checks.registry import run_checks
from kftui.cluster.remote import tagged
from kftui.fixes.plan import PlanError, plan_action, plan_fix
from kftui.model import (
    ARGOCD_API,
    DIRECT,
    ClusterSnapshot,
    Finding,
    KubeObject,
    Namespace,
    ObjectRef,
    Origin,
    Pod,
    Workload,
)
from kftui.model.clusters import IN_CLUSTER_SERVER
from kftui.profile import AppSpec, KeyWorkload, Profile
from kftui.ui.tree_model import TreeModel
from tests.unit.fixtures import builders
from tests.unit.test_cluster_keys import (
    CLUSTERS,
    POD,
    PROFILE,
    SPOKE,
    _convert,
    app,
    apps,
    cluster_objects,
    two_clusters,
)


def snapshot_of(*objects: KubeObject) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(
        list(objects), now=builders.NOW, clusters=CLUSTERS, argocd_config=builders.HEALTHY_ARGOCD_CM
    )


def spoke_app(resources: list[dict[str, Any]], **status: Any) -> KubeObject:
    raw = app("pipelines-spoke", SPOKE, "Degraded")
    raw["status"]["resources"] = resources
    raw["status"].update(status)
    return _convert(raw)


def degraded_evidence(snapshot: ClusterSnapshot, app_name: str = "pipelines-spoke") -> str:
    found = [f for f in run_checks(snapshot, PROFILE) if f.check == "app-degraded" and f.app == app_name]
    assert len(found) == 1
    return found[0].evidence


# --- health computed from the live objects of the app's cluster -----------------------------------------


def test_a_remote_apps_deployment_without_failing_pods_is_read_on_its_cluster() -> None:
    """The spoke's Deployment has no ready replica (and no pod to blame); the hub's of that name is fine."""
    hub, spoke = cluster_objects(hub_crashing=False)
    spoke = [o for o in spoke if not isinstance(o, Pod)]
    evidence = degraded_evidence(snapshot_of(*apps(), *hub, *spoke))
    assert "Deployment/kubeflow/ml-pipeline Progressing (0/1 replicas ready, 0 available)" in evidence


def test_a_remote_apps_deployment_missing_there_is_missing_though_the_hub_has_one() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    spoke = [o for o in spoke if not isinstance(o, Workload | Pod)]
    evidence = degraded_evidence(snapshot_of(*apps(), *hub, *spoke))
    assert (
        "Deployment/kubeflow/ml-pipeline Missing (Deployment kubeflow/ml-pipeline does not exist)" in evidence
    )


def test_a_remote_apps_pod_and_namespace_are_read_on_its_cluster() -> None:
    """A Pod and a Namespace the spoke's app manages, with no health recorded: the spoke's pod crash-loops
    (the hub's of that name runs) and the spoke has no namespace `istio-system` (the hub has)."""
    hub, spoke = cluster_objects(hub_crashing=False)
    hub.append(_convert(builders.namespace("istio-system")))
    resources = [
        builders.resource("Pod", POD, "kubeflow", health=None),
        builders.resource("Namespace", "istio-system", health=None),
    ]
    evidence = degraded_evidence(snapshot_of(spoke_app(resources), *hub, *spoke))
    assert f"Pod/kubeflow/{POD} Degraded (CrashLoopBackOff)" in evidence
    assert "Namespace/istio-system Missing" in evidence


# --- the login path -------------------------------------------------------------------------------------

AUTH = Profile(
    name="auth",
    applications=(AppSpec("pipelines-hub"), AppSpec("pipelines-spoke")),
    key_workloads=(KeyWorkload("Deployment", "kubeflow", "ml-pipeline", "dex"),),
    auth_roles=("dex",),
)


def login(snapshot: ClusterSnapshot) -> list[Finding]:
    return [f for f in run_checks(snapshot, AUTH) if f.check == "auth-stack"]


def test_a_remote_login_workload_names_its_own_clusters_crashing_pod() -> None:
    """The spoke's dex crash-loops, the hub's pod of the same name runs: the finding names the spoke's pod and
    offers its logs."""
    hub, spoke = cluster_objects(hub_crashing=False)
    only_spoke = _convert(app("pipelines-spoke", SPOKE))
    (found,) = login(
        ClusterSnapshot.from_objects([only_spoke, *hub, *spoke], now=builders.NOW, clusters=CLUSTERS)
    )
    assert found.evidence_lines[1:] == (f"pod {POD}: CrashLoopBackOff", "via Argo CD API (cluster spoke)")
    assert [f.id for f in found.fixes] == ["restart", "logs", "sync"]


def test_a_remote_login_workload_missing_says_so_when_its_clusters_namespace_is_missing_too() -> None:
    """On the spoke neither the Deployment nor its namespace exists; the hub has both (not the login's)."""
    hub, spoke = cluster_objects(hub_crashing=False)
    spoke = [o for o in spoke if not isinstance(o, Workload | Pod | Namespace)]
    spoke.append(tagged(_convert(builders.namespace("other")), Origin("spoke", "argocd-api")))
    only_spoke = _convert(app("pipelines-spoke", SPOKE))
    (found,) = login(
        ClusterSnapshot.from_objects([only_spoke, *hub, *spoke], now=builders.NOW, clusters=CLUSTERS)
    )
    assert found.subject.cluster == "spoke"
    assert found.evidence_lines[0] == (
        "Deployment kubeflow/ml-pipeline does not exist (namespace kubeflow is missing too)"
    )


# --- namespaces missing on a remote app's cluster ---------------------------------------------------------


def test_an_expected_namespace_missing_on_the_spoke_is_named_on_the_spoke() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    without = [o for o in spoke if not isinstance(o, Namespace)]
    snapshot = snapshot_of(_convert(app("pipelines-spoke", SPOKE)), *hub, *without)
    (missing,) = [f for f in run_checks(snapshot, PROFILE) if f.check == "namespace-missing"]
    assert missing.subject == ObjectRef("Namespace", None, "kubeflow", "spoke")
    assert (
        missing.evidence == "profile two-clusters expects namespace kubeflow; it is not in the cluster spoke"
    )


NOT_FOUND = 'namespaces "kubeflow" not found'


def spoke_sync_failed_for_lack_of_kubeflow(*, hub_has_it: bool, spoke_has_it: bool) -> ClusterSnapshot:
    hub, spoke = cluster_objects(hub_crashing=False)
    hub = [o for o in hub if hub_has_it or not isinstance(o, Namespace)]
    spoke = [o for o in spoke if spoke_has_it or not isinstance(o, Namespace)]
    state = {
        "operation": {"sync": {"revision": "abc"}},
        "phase": "Failed",
        "message": f"one or more objects failed to apply, reason: {NOT_FOUND}",
        "startedAt": "2026-11-20T02:41:02Z",
        "finishedAt": "2026-11-20T02:43:55Z",
    }
    raw = app("pipelines-spoke", SPOKE, "Missing")
    raw["status"]["operationState"] = state
    return snapshot_of(_convert(raw), *hub, *spoke)


def not_found(snapshot: ClusterSnapshot) -> Finding:
    (found,) = [
        f for f in run_checks(snapshot, PROFILE) if f.check == "namespace-missing" and NOT_FOUND in f.evidence
    ]
    return found


@pytest.mark.parametrize("hub_has_it", [True, False])
def test_a_remote_apps_sync_failing_on_a_missing_namespace_names_it_on_its_cluster(hub_has_it: bool) -> None:
    """The hub's namespace of that name neither hides the spoke's missing one nor is the one to create."""
    snapshot = spoke_sync_failed_for_lack_of_kubeflow(hub_has_it=hub_has_it, spoke_has_it=False)
    found = not_found(snapshot)
    assert found.title == "pipelines-spoke: namespace kubeflow does not exist"
    assert found.subject == ObjectRef("Namespace", None, "kubeflow", "spoke")
    with pytest.raises(
        PlanError, match=r"kubeflow@spoke is on cluster spoke, which kftui reads through Argo CD"
    ):
        plan_fix(found, "create-namespaces", snapshot)
    created = spoke_sync_failed_for_lack_of_kubeflow(hub_has_it=hub_has_it, spoke_has_it=True)
    assert not_found(created).title == "pipelines-spoke: namespace kubeflow does not exist (it does now)"


def test_create_namespaces_on_a_cluster_read_through_its_own_context_says_so() -> None:
    """A namespace missing on a cluster kftui reads through a kube context: refused, naming that path, not
    Argo CD's (the path is the one the namespaces already read from that cluster came by)."""
    snapshot = spoke_sync_failed_for_lack_of_kubeflow(hub_has_it=True, spoke_has_it=False)
    direct = Origin("spoke", DIRECT, "spoke-admin")
    other = replace(snapshot.namespaces[("", "kubeflow")], name="other", origin=direct)
    spoke = ClusterSnapshot.from_objects(
        [*snapshot.applications.values(), *snapshot.namespaces.values(), other],
        now=builders.NOW,
        clusters=CLUSTERS,
    )
    with pytest.raises(PlanError) as refused:
        plan_action("create-namespaces", ObjectRef("Namespace", None, "kubeflow", "spoke"), spoke)
    said = str(refused.value)
    assert said.startswith(
        "cannot create-namespaces kubeflow: Namespace/kubeflow@spoke is on cluster spoke, which kftui reads "
        "through a kube context of its own; "
    )
    assert said.endswith(": use kubectl with that context")


def test_create_namespaces_for_a_namespace_only_remote_apps_deploy_to_is_refused_on_the_hub() -> None:
    """A namespace named without a cluster (as the profile's expected namespaces are) that the hub lacks: when
    every app deploying there deploys to the spoke, it is the spoke's to create; when one deploys to the hub,
    the hub's."""
    hub, spoke = cluster_objects(hub_crashing=False)
    hub = [o for o in hub if not isinstance(o, Namespace)]
    kubeflow = ObjectRef("Namespace", None, "kubeflow")
    spoke_only = snapshot_of(_convert(app("pipelines-spoke", SPOKE)), *hub, *spoke)
    with pytest.raises(PlanError) as refused:
        plan_action("create-namespaces", kubeflow, spoke_only)
    assert "Namespace/kubeflow is on cluster spoke, which kftui reads through Argo CD's API" in str(
        refused.value
    )
    second = _convert(app("pipelines-spoke-2", SPOKE))
    with pytest.raises(PlanError, match="on cluster spoke"):
        plan_action(
            "create-namespaces", kubeflow, snapshot_of(_convert(app("pipelines-spoke", SPOKE)), second, *hub)
        )
    both = snapshot_of(
        _convert(app("pipelines-hub", IN_CLUSTER_SERVER)), *spoke_only.applications.values(), *hub
    )
    assert plan_action("create-namespaces", kubeflow, both).command == "kubectl create namespace kubeflow"
    other = plan_action("create-namespaces", ObjectRef("Namespace", None, "other"), spoke_only)
    assert other.command == "kubectl create namespace other"  # (no app deploys there: the hub's)


def test_a_port_forward_to_a_service_of_a_cluster_read_through_argocd_is_refused_without_argocds_actions() -> (
    None
):
    """A Service in a namespace only the spoke has: no kube credentials for it, and Argo CD has no port-forward to
    offer instead (its resource actions restart and delete, they do not forward)."""
    hub, spoke = cluster_objects(hub_crashing=False)
    hub = [o for o in hub if not isinstance(o, Namespace)]
    snapshot = snapshot_of(_convert(app("pipelines-spoke", SPOKE)), *hub, *spoke)
    with pytest.raises(PlanError) as refused:
        plan_action("port-forward", ObjectRef("Service", "kubeflow", "ml-pipeline"), snapshot)
    said = str(refused.value)
    assert said.startswith(
        "cannot port-forward ml-pipeline: Service/kubeflow/ml-pipeline is on cluster spoke, which kftui reads "
        "through Argo CD's API; kftui holds no kube credentials for it"
    )
    assert said.endswith("in kftui's config file)") and "argocd app" not in said


def test_delete_hook_from_an_app_names_the_fix_and_the_remote_hook_it_refuses() -> None:
    """From the Application whose running sync waits on the spoke's hook: the refusal names delete-hook and the
    hook, as the fix's confirm dialog would have."""
    from tests.unit.test_cluster_keys import FAILED_HOOK, FAILED_HOOK_RESULT

    raw = app("pipelines-spoke", SPOKE)
    running: dict[str, Any] = {**FAILED_HOOK, "phase": "Running", "finishedAt": None}
    running["syncResult"] = {"revision": "abc", "resources": [{**FAILED_HOOK_RESULT, "hookPhase": "Running"}]}
    raw["status"]["operationState"] = running
    snapshot = snapshot_of(_convert(raw), *cluster_objects(hub_crashing=False)[1])
    with pytest.raises(PlanError) as refused:
        plan_action("delete-hook", ObjectRef("Application", "argocd", "pipelines-spoke"), snapshot)
    assert str(refused.value).startswith(
        "cannot delete-hook smoke-test: Job/kubeflow/smoke-test@spoke is on cluster spoke, which kftui reads "
        "through Argo CD's API"
    )


# --- a remote object's commands act on its cluster, not on the hub's ------------------------------------


def pod_failing(snapshot: ClusterSnapshot) -> Finding:
    (crash,) = [f for f in run_checks(snapshot, PROFILE) if f.check == "pod-failing"]
    return crash


def test_a_pod_read_through_argocd_offers_argo_cds_commands_and_no_kubectl() -> None:
    """The spoke's pod crash-loops; kftui holds no credentials for the spoke. `kubectl logs` or `describe` with
    the hub's context would show the hub's pod of the same name (which runs fine): every command the finding
    offers goes through Argo CD and the app that manages the pod."""
    snapshot = two_clusters(hub_crashing=False)
    crash = pod_failing(snapshot)
    argvs = {f.id: f.argvs for f in crash.fixes}
    assert argvs == {
        "logs": (("argocd", "app", "logs", "pipelines-spoke", "--kind", "Pod", "--name", POD,
                  "--namespace", "kubeflow", "--container", "ml-pipeline", "--previous"),),
        "restart": (("argocd", "app", "actions", "run", "pipelines-spoke", "restart", "--kind", "Deployment",
                     "--resource-name", "ml-pipeline", "--namespace", "kubeflow"),),
        "delete-pod": (("argocd", "app", "delete-resource", "pipelines-spoke", "--kind", "Pod",
                        "--resource-name", POD, "--namespace", "kubeflow"),),
        "describe": (("argocd", "app", "get-resource", "pipelines-spoke", "--kind", "Pod", "--resource-name", POD,
                      "-o", "yaml"),),
    }  # fmt: skip
    delete = next(f for f in crash.fixes if f.id == "delete-pod")
    assert delete.title == f"Delete pod {POD} through Argo CD (pipelines-spoke; its controller recreates it)"
    # What the fix key runs is what the finding shows.
    for fix in ("restart", "delete-pod"):
        assert plan_fix(crash, fix, snapshot).command == next(f.command for f in crash.fixes if f.id == fix)


def test_a_pod_read_through_its_own_context_offers_kubectl_with_that_context() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    direct = Origin("spoke", DIRECT, "spoke-admin")
    snapshot = snapshot_of(*apps(), *hub, *(tagged(o, direct) for o in spoke))
    crash = pod_failing(snapshot)
    assert crash.evidence_lines[-1] == "via a direct kube context (cluster spoke)"
    assert [f.id for f in crash.fixes] == ["logs", "restart", "delete-pod", "describe"]
    for ref in crash.fixes:
        (argv,) = ref.argvs
        assert argv[0] == "kubectl" and argv[-2:] == ("--context", "spoke-admin")
    for fix in ("restart", "delete-pod"):
        assert plan_fix(crash, fix, snapshot).command == next(f.command for f in crash.fixes if f.id == fix)


def test_the_hubs_crashing_pod_keeps_plain_kubectl_beside_a_spoke() -> None:
    crash = pod_failing(two_clusters(hub_crashing=True))
    assert crash.app == "pipelines-hub"
    assert [f.id for f in crash.fixes] == ["logs", "restart", "delete-pod", "describe"]
    assert all(ref.argvs[0][0] == "kubectl" and "--context" not in ref.argvs[0] for ref in crash.fixes)


def test_a_kubectl_command_for_an_object_read_through_argocd_is_not_offered() -> None:
    """A check that only knows kubectl (here: describe a namespace) for an object of a cluster read through
    Argo CD: the command would act on the hub's namespace of that name, so it is dropped; Argo CD's stay."""
    argo, direct = Origin("spoke", ARGOCD_API), Origin("spoke", DIRECT, "spoke-admin")
    refs = fixrefs.offered(fixrefs.describe("Namespace", None, "kubeflow"), fixrefs.sync("pipelines-spoke"))
    assert [f.id for f in placed_fixes(refs, argo)] == ["sync"]
    placed = placed_fixes(refs, direct)
    assert [f.command for f in placed] == [
        "kubectl describe namespace kubeflow --context spoke-admin",
        "argocd app sync pipelines-spoke",
    ]


def test_the_argo_cd_views_name_the_app_and_take_the_container_only_when_given() -> None:
    logs = fixrefs.argo_logs("pipelines-spoke", "kubeflow", POD)
    assert logs.title == f"Show the previous logs of {POD} through Argo CD (pipelines-spoke)"
    assert logs.argvs == (
        ("argocd", "app", "logs", "pipelines-spoke", "--kind", "Pod", "--name", POD, "--namespace", "kubeflow",
         "--previous"),
    )  # fmt: skip
    described = fixrefs.argo_describe("pipelines-spoke", "Pod", POD)
    assert described.title == f"Show the live Pod/{POD} through Argo CD (pipelines-spoke)"


def test_placed_commands_keep_their_titles_and_a_context_less_direct_origin_offers_no_kubectl() -> None:
    """`--context` is added to the command only; an origin that names no context (never built so) cannot place a
    kubectl command on its cluster, so none is offered rather than one acting on the hub."""
    refs = fixrefs.offered(fixrefs.describe("Pod", "kubeflow", POD), fixrefs.sync("pipelines-spoke"))
    placed = placed_fixes(refs, Origin("spoke", DIRECT, "spoke-admin"))
    assert [f.title for f in placed] == [f.title for f in refs]
    assert [f.id for f in placed_fixes(refs, Origin("spoke", DIRECT))] == ["sync"]


# --- a spoke app's resource rows name the spoke --------------------------------------------------------


def test_a_spoke_apps_service_row_names_the_spoke_and_its_port_forward_is_refused_there() -> None:
    """The hub has `kubeflow` too. The Service row under the spoke's app names the spoke, so describe and the
    fixes act there: a port-forward is refused (kftui reads the spoke through Argo CD only) instead of
    forwarding to the hub's Service of that name."""
    hub, spoke = cluster_objects(hub_crashing=False)
    raw = app("pipelines-spoke", SPOKE)
    raw["status"]["resources"].append(builders.resource("Service", "ml-pipeline", "kubeflow", health=None))
    snapshot = snapshot_of(_convert(raw), *hub, *spoke)
    model = TreeModel(snapshot, [])
    root = next(item for item in model.roots() if item.name == "pipelines-spoke")
    ns = next(c for c in model.children(root) if c.name == "kubeflow")
    rows = {c.ref.kind: c for c in model.children(ns) if c.kind == "resource" and c.ref is not None}
    assert rows["Service"].ref == ObjectRef("Service", "kubeflow", "ml-pipeline", "spoke")
    assert rows["Deployment"].ref == ObjectRef("Deployment", "kubeflow", "ml-pipeline", "spoke")
    with pytest.raises(PlanError, match="is on cluster spoke, which kftui reads through Argo CD's API"):
        plan_action("port-forward", rows["Service"].ref, snapshot)


def test_a_port_forward_to_a_spoke_service_read_through_its_context_goes_through_that_context() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    direct = Origin("spoke", DIRECT, "spoke-admin")
    snapshot = snapshot_of(*apps(), *hub, *(tagged(o, direct) for o in spoke))
    plan = plan_action("port-forward", ObjectRef("Service", "kubeflow", "ml-pipeline", "spoke"), snapshot)
    assert plan.command.endswith("--context spoke-admin") and plan.target.cluster == "spoke"
    hubs = plan_action("port-forward", ObjectRef("Service", "kubeflow", "ml-pipeline"), snapshot)
    assert "--context" not in hubs.command and hubs.target.cluster == ""


def test_a_port_forward_from_a_spoke_pods_row_goes_to_the_profiles_gateway_on_the_hub() -> None:
    """The gateway the profile names has no cluster: asked from another row (a spoke's pod), it is the hub's,
    though the spoke, read through its own context, has an `istio-system` too."""
    hub, spoke = cluster_objects(hub_crashing=False)
    direct = Origin("spoke", DIRECT, "spoke-admin")
    gateway_ns = _convert(builders.namespace("istio-system"))
    spoke_side = (tagged(o, direct) for o in [*spoke, gateway_ns])
    snapshot = snapshot_of(*apps(), *hub, gateway_ns, *spoke_side)
    plan = plan_action("port-forward", ObjectRef("Pod", "kubeflow", POD, "spoke"), snapshot)
    assert plan.target == ObjectRef("Service", "istio-system", "istio-ingressgateway")
    assert "--context" not in plan.command
