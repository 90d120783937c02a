"""Which Kubernetes API permissions a FixPlan needs, derived from the plan alone (pure, no I/O).

Each entry is a request the backend really makes (cluster/appops.py, cluster/portforward.py):
  sync, sync-*, terminate       get + update applications.argoproj.io/NAME (read, then a guarded PUT;
                                `sync-create-namespace` adds its option with the same PUT)
  refresh, disable-auto-prune   patch applications.argoproj.io/NAME
  ordered-sync                  get + update of every Application of the chain
  restart                       patch deployments|statefulsets|daemonsets.apps/NAME
  delete-pod                    delete pods/NAME
  create-namespaces             create namespaces (a create names no object to the authorizer)
  port-forward                  get services/NAME, endpoints/NAME and pods; get + create pods/portforward
                                (the client's websocket is a GET; since Kubernetes 1.35 the API server
                                also requires `create`, AuthorizePodWebsocketUpgradeCreatePermission)

Argo CD actions through its REST API (cluster/argocd.py) are authorized by Argo CD's own RBAC
(argocd-rbac-cm, projects), not by Kubernetes: for that backend they need nothing here, and nothing is
claimed about them. Workload actions always go through the Kubernetes API, whatever the Argo CD backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kftui.cluster.ops import Access, Permission
from kftui.fixes.plan import ActionKind, FixPlan

KUBE_BACKEND = "kubernetes"
"""The backend name (KubeAppOps.name) whose Argo CD actions are Kubernetes API requests."""

ARGO_GROUP = "argoproj.io"
ARGO_KINDS = frozenset(
    {
        ActionKind.SYNC,
        ActionKind.REFRESH,
        ActionKind.TERMINATE,
        ActionKind.ORDERED_SYNC,
        ActionKind.APP_SETTING,
    }
)
WORKLOAD_RESOURCES = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets"}


def backend_for(plan: FixPlan, argo_backend: str) -> str:
    """Which backend carries the plan: Argo CD actions go to `argo_backend`, the rest to Kubernetes."""
    return argo_backend if plan.kind in ARGO_KINDS else KUBE_BACKEND


def required_permissions(
    plan: FixPlan, backend: str = KUBE_BACKEND, argocd_namespace: str = "argocd"
) -> tuple[Permission, ...]:
    """The Kubernetes permissions running `plan` through `backend` needs, in the order they are used.

    Empty when Kubernetes RBAC does not decide: Argo CD actions through the REST backend.
    """
    if plan.kind in ARGO_KINDS:
        if backend != KUBE_BACKEND:
            return ()
        namespace = plan.target.namespace or argocd_namespace
        if plan.kind is ActionKind.ORDERED_SYNC:
            return tuple(p for app in plan.chain for p in _read_update_app(namespace, app))
        if plan.kind in (ActionKind.REFRESH, ActionKind.APP_SETTING):
            return (_app("patch", namespace, plan.target.name),)
        return _read_update_app(namespace, plan.target.name)
    target = plan.target
    if plan.kind is ActionKind.RESTART:
        resource = WORKLOAD_RESOURCES.get(target.kind, target.kind.lower() + "s")
        return (Permission("patch", resource, "apps", target.namespace or "", target.name),)
    if plan.kind is ActionKind.DELETE_POD:
        return (Permission("delete", "pods", "", target.namespace or "", target.name),)
    if plan.kind is ActionKind.CREATE_NAMESPACE:
        return (Permission("create", "namespaces"),)
    if plan.kind is ActionKind.PORT_FORWARD:
        forward = plan.forward
        namespace = forward.namespace if forward else target.namespace or ""
        service = forward.service if forward else target.name
        return (
            Permission("get", "services", "", namespace, service),
            Permission("get", "endpoints", "", namespace, service),
            Permission("get", "pods", "", namespace),
            Permission("get", "pods", "", namespace, subresource="portforward"),
            Permission("create", "pods", "", namespace, subresource="portforward"),
        )
    raise AssertionError(f"no permissions known for {plan.kind}")  # pragma: no cover


def _app(verb: str, namespace: str, name: str) -> Permission:
    return Permission(verb, "applications", ARGO_GROUP, namespace, name)


def _read_update_app(namespace: str, name: str) -> tuple[Permission, ...]:
    return (_app("get", namespace, name), _app("update", namespace, name))


def forbidden_reason(
    permissions: Iterable[Permission], answer: Callable[[Permission], Access | None], user: str = ""
) -> str | None:
    """The refusal to show when the authorizer denied any of `permissions`, else None.

    `answer` gives what is known about one permission (None or Access(None): unknown, which never refuses).
    "forbidden: system:serviceaccount:argocd:x may not update applications.argoproj.io/drift in argocd".
    """
    denied = [(p, a) for p in permissions if (a := answer(p)) is not None and a.denied]
    if not denied:
        return None
    first, access = denied[0]
    who = user or "these credentials"
    why = f" ({access.reason})" if access.reason else ""
    more = f"; and {len(denied) - 1} more" if len(denied) > 1 else ""
    return f"forbidden: {who} may not {first.describe()}{why}{more}"
