"""fixes/permissions.py: the Kubernetes permissions each plan needs, derived from the plan alone.

Every action kind is covered (a test below fails when a kind is added without a row here), and each row
names the request the backend really makes (cluster/appops.py, cluster/portforward.py).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from kftui.cluster.ops import Access, Permission
from kftui.fixes.permissions import KUBE_BACKEND, forbidden_reason
from kftui.fixes.plan import APP_FIXES, ActionKind, FixPlan, plan_action
from kftui.fixes.registry import backend_for, required_permissions
from kftui.model import (
    Application,
    ClusterSnapshot,
    ManagedResource,
    Namespace,
    ObjectRef,
    OperationState,
    Pod,
    ResourceResult,
    Service,
    ServicePort,
    Workload,
)
from kftui.profile import builtin_profile

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
APP = ObjectRef("Application", "argocd", "drift")
POD = Pod("kubeflow", "crash-looper-abc", owner_kind="ReplicaSet", owner_name="crash-looper-5d",
          workload_kind="Deployment", workload_name="crash-looper")  # fmt: skip
STS_POD = Pod("kubeflow", "mysql-0", owner_kind="StatefulSet", owner_name="mysql",
              workload_kind="StatefulSet", workload_name="mysql")  # fmt: skip
HOOK = ResourceResult("batch", "v1", "Job", "kubeflow", "migrate", hook_type="PreSync", hook_phase="Failed")
GATEWAY = Service("istio-system", "istio-ingressgateway", ports=(ServicePort("http2", 80, 8080),))


def snap() -> ClusterSnapshot:
    drift = Application(
        name="drift",
        namespace="argocd",
        sync_status="OutOfSync",
        health_status="Healthy",
        automated=True,
        auto_prune=True,
        resources=(
            ManagedResource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "x.example.com"),
        ),
    )
    return ClusterSnapshot.from_objects(
        [
            drift,
            POD,
            STS_POD,
            GATEWAY,
            Workload("Deployment", "kubeflow", "crash-looper"),
            Workload("StatefulSet", "kubeflow", "mysql"),
        ],
        now=T0,
    )


def app_perm(verb: str, name: str = "drift") -> Permission:
    return Permission(verb, "applications", "argoproj.io", "argocd", name)


READ_UPDATE = (app_perm("get"), app_perm("update"))
APP_EXPECTED = {
    "sync": READ_UPDATE,
    "sync-prune": READ_UPDATE,
    "force-sync": READ_UPDATE,
    "replace": READ_UPDATE,
    "server-side-apply": READ_UPDATE,
    "sync-crds-first": READ_UPDATE,
    "sync-create-namespace": READ_UPDATE,
    "terminate": READ_UPDATE,
    "refresh": (app_perm("patch"),),
    "hard-refresh": (app_perm("patch"),),
    "disable-auto-prune": (app_perm("patch"),),
}


def test_every_app_fix_has_an_expected_row() -> None:
    assert set(APP_EXPECTED) == set(APP_FIXES)


@pytest.mark.parametrize("fix_id", APP_FIXES)
def test_app_fixes_through_the_kubernetes_backend(fix_id: str) -> None:
    plan = plan_action(fix_id, APP, snap())
    assert required_permissions(plan, KUBE_BACKEND) == APP_EXPECTED[fix_id]


@pytest.mark.parametrize("fix_id", APP_FIXES)
def test_app_fixes_through_the_rest_backend_are_not_kubernetes_rbac(fix_id: str) -> None:
    plan = plan_action(fix_id, APP, snap())
    assert required_permissions(plan, "argocd-rest") == ()
    assert backend_for(plan, "argocd-rest") == "argocd-rest"


def test_ordered_sync_needs_every_app_of_the_chain_in_order() -> None:
    plan = plan_action("ordered-sync", APP, snap(), builtin_profile())
    assert plan.chain, "the builtin profile has a chain"
    perms = required_permissions(plan)
    assert perms == tuple(p for a in plan.chain for p in (app_perm("get", a), app_perm("update", a)))
    assert required_permissions(plan, "argocd-rest") == ()


def test_the_argocd_namespace_comes_from_the_plan_target() -> None:
    other = ObjectRef("Application", "gitops", "drift")
    plan = plan_action("refresh", other, snap())
    assert required_permissions(plan, argocd_namespace="argocd") == (
        Permission("patch", "applications", "argoproj.io", "gitops", "drift"),
    )


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        (POD, Permission("patch", "deployments", "apps", "kubeflow", "crash-looper")),
        (STS_POD, Permission("patch", "statefulsets", "apps", "kubeflow", "mysql")),
    ],
)
def test_restart_patches_the_workload(pod: Pod, expected: Permission) -> None:
    plan = plan_action("restart", pod.ref, snap())
    for backend in (KUBE_BACKEND, "argocd-rest"):  # workloads always go through Kubernetes
        assert required_permissions(plan, backend_for(plan, backend)) == (expected,)


def test_delete_pod_deletes_that_pod() -> None:
    plan = plan_action("delete-pod", POD.ref, snap())
    assert backend_for(plan, "argocd-rest") == KUBE_BACKEND
    assert required_permissions(plan) == (Permission("delete", "pods", "", "kubeflow", "crash-looper-abc"),)


def test_create_namespace_is_a_cluster_wide_create_without_a_name() -> None:
    plan = plan_action("create-namespaces", ObjectRef("Namespace", None, "kubeflow-user"), snap())
    assert required_permissions(plan) == (Permission("create", "namespaces"),)
    assert required_permissions(plan)[0].describe() == "create namespaces (cluster-wide)"


def test_port_forward_reads_the_service_and_streams_to_a_pod() -> None:
    plan = plan_action("port-forward", APP, snap(), builtin_profile())
    assert required_permissions(plan) == (
        Permission("get", "services", "", "istio-system", "istio-ingressgateway"),
        Permission("get", "endpoints", "", "istio-system", "istio-ingressgateway"),
        Permission("get", "pods", "", "istio-system"),
        Permission("get", "pods", "", "istio-system", subresource="portforward"),
        Permission("create", "pods", "", "istio-system", subresource="portforward"),
    )


def test_every_action_kind_needs_something_through_kubernetes_or_is_argo_cds_to_decide() -> None:
    """A new ActionKind must get a row: derivation raises (or returns nothing) for an unknown kind. What Argo CD
    does on a cluster kftui reads through its API needs nothing of Kubernetes: Argo CD's RBAC decides, and the
    action it asks for is spelled as Argo CD's server checks it."""
    from kftui.fixes.argo_access import argo_action
    from tests.unit.test_remote_fix_actions import POD as REMOTE_POD
    from tests.unit.test_remote_fix_actions import spoke_snapshot

    spoke = spoke_snapshot()
    by_argo = {
        ActionKind.RESOURCE_ACTION: plan_action("restart", REMOTE_POD, spoke),
        ActionKind.DELETE_RESOURCE: plan_action("delete-pod", REMOTE_POD, spoke),
    }
    s, profile = snap(), builtin_profile()
    # drift with a failed hook and a finalizer: what delete-hook and remove-finalizers act on.
    stuck = dataclasses.replace(
        s.applications[("argocd", "drift")],
        finalizers=("resources-finalizer.argocd.argoproj.io",),
        operation_state=OperationState("Failed", results=(HOOK,)),
    )
    unsticking = ClusterSnapshot.from_objects([stuck], now=s.now)
    plans: dict[ActionKind, FixPlan] = {
        ActionKind.SYNC: plan_action("sync", APP, s),
        ActionKind.REFRESH: plan_action("refresh", APP, s),
        ActionKind.TERMINATE: plan_action("terminate", APP, s),
        ActionKind.APP_SETTING: plan_action("disable-auto-prune", APP, s),
        ActionKind.ORDERED_SYNC: plan_action("ordered-sync", APP, s, profile),
        ActionKind.RESTART: plan_action("restart", POD.ref, s),
        ActionKind.DELETE_POD: plan_action("delete-pod", POD.ref, s),
        ActionKind.CREATE_NAMESPACE: plan_action("create-namespaces", Namespace("new").ref, s),
        ActionKind.PORT_FORWARD: plan_action("port-forward", APP, s, profile),
        ActionKind.DELETE_HOOK: plan_action("delete-hook", HOOK.ref, unsticking),
        ActionKind.REMOVE_FINALIZERS: plan_action("remove-finalizers", APP, unsticking),
        ActionKind.IGNORE_DRIFT: plan_action("ignore-drift", APP, s),
    }
    assert set(plans) | set(by_argo) == set(ActionKind)
    for kind, plan in plans.items():
        assert plan.kind is kind
        assert required_permissions(plan), kind
    for kind, plan in by_argo.items():
        assert plan.kind is kind
        assert required_permissions(plan) == () and required_permissions(plan, "argocd-rest") == ()
    assert [argo_action(p) for p in by_argo.values()] == [
        "action/apps/Deployment/restart",
        "delete//Pod/kubeflow/ml-pipeline-7f9c6d-x2k4p",
    ]


def test_the_drift_fix_reads_the_app_and_updates_it_through_kubernetes() -> None:
    """It reads the Application just before writing (to keep its entries) and updates it guarded by the
    resourceVersion it read: get + update, like the sync family; through REST, Argo CD's RBAC decides."""
    plan = plan_action("ignore-drift", APP, snap())
    assert required_permissions(plan, KUBE_BACKEND) == READ_UPDATE
    assert required_permissions(plan, "argocd-rest") == ()


@pytest.mark.parametrize(
    ("perm", "text"),
    [
        (app_perm("update"), "update applications.argoproj.io/drift in argocd"),
        (Permission("delete", "pods", "", "kubeflow", "p"), "delete pods/p in kubeflow"),
        (Permission("create", "pods", "", "ns", subresource="portforward"), "create pods/portforward in ns"),
        (Permission("get", "pods", "", "ns", "p", "portforward"), "get pods/portforward p in ns"),
        (Permission("list", "namespaces"), "list namespaces (cluster-wide)"),
    ],
)
def test_permission_reads_like_kubectl_auth_can_i(perm: Permission, text: str) -> None:
    assert perm.describe() == text


def test_forbidden_reason_names_the_user_and_the_first_denied_request() -> None:
    perms = (*READ_UPDATE, app_perm("patch"))
    answers = {
        app_perm("get"): Access(True),
        app_perm("update"): Access(False),
        app_perm("patch"): Access(False),
    }
    reason = forbidden_reason(perms, answers.get, "system:serviceaccount:argocd:limited")
    assert reason == (
        "forbidden: system:serviceaccount:argocd:limited may not update applications.argoproj.io/drift"
        " in argocd; and 1 more"
    )


def test_forbidden_reason_carries_the_authorizer_reason_and_a_fallback_subject() -> None:
    answers = {app_perm("update"): Access(False, "denied by policy webhook")}
    assert forbidden_reason([app_perm("update")], answers.get) == (
        "forbidden: these credentials may not update applications.argoproj.io/drift in argocd"
        " (denied by policy webhook)"
    )


@pytest.mark.parametrize("answer", [None, Access(None, "timed out"), Access(True)])
def test_unknown_or_allowed_never_refuses(answer: Access | None) -> None:
    assert forbidden_reason(READ_UPDATE, lambda _p: answer, "me") is None


@pytest.mark.parametrize("fix_id", APP_FIXES)
def test_an_app_named_without_its_namespace_is_asked_about_in_the_argocd_namespace(fix_id: str) -> None:
    """A tree node may name an Application without its namespace: the permissions are those of the
    Argo CD namespace the caller passes, not of a guessed one."""
    plan = plan_action(fix_id, ObjectRef("Application", None, "drift"), snap())
    perms = required_permissions(plan, KUBE_BACKEND, argocd_namespace="gitops")
    assert perms == tuple(
        Permission(p.verb, p.resource, p.group, "gitops", p.name) for p in APP_EXPECTED[fix_id]
    )


def test_without_a_namespace_from_anyone_argo_cds_default_namespace_is_asked() -> None:
    """A caller that names no Argo CD namespace gets the one Argo CD installs into by default."""
    plan = plan_action("refresh", ObjectRef("Application", None, "drift"), snap())
    assert required_permissions(plan) == (app_perm("patch"),)
    assert required_permissions(plan_action("sync", ObjectRef("Application", None, "drift"), snap())) == (
        READ_UPDATE
    )


def test_deleting_a_cluster_scoped_object_asks_for_it_without_a_namespace() -> None:
    """delete_object reviews the delete of the plan's target, whatever its kind: a cluster-scoped one (here a
    Namespace) is asked for with no namespace, as the API server's authorizer sees it."""
    from kftui.fixes import permissions
    from kftui.fixes.plans import DeleteHookPlan

    plan = DeleteHookPlan(
        fix_id="delete-hook", title="t", target=ObjectRef("Namespace", None, "scratch"), command="c"
    )
    assert permissions.delete_object(plan, "argocd") == (
        Permission("delete", "namespaces", "", "", "scratch"),
    )
