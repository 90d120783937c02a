"""The Kubernetes permissions each kind of action needs, as small pure rules over a plan, and the refusal text.

Each rule names a request the backend really makes (cluster/appops.py, cluster/portforward.py); the fix
registry (fixes/registry.py) says which rule each fix id uses:
  read_update_app      sync, sync-*, terminate: get + update applications.argoproj.io/NAME (read, then a
                       guarded PUT; `sync-create-namespace` adds its option with the same PUT)
  patch_app            refresh, disable-auto-prune: patch applications.argoproj.io/NAME
  read_update_chain    ordered-sync: get + update of every Application of the chain
  patch_workload       restart: patch deployments|statefulsets|daemonsets.apps/NAME
  delete_pod           delete-pod: delete pods/NAME
  create_namespace     create-namespaces: create namespaces (a create names no object to the authorizer)
  delete_object        delete-hook: delete jobs.batch|pods/NAME (its terminate step is reviewed as terminate)
  patch_object         remove-finalizers: patch applications.argoproj.io|namespaces/NAME, and each object
                       holding the namespace (PLURAL.GROUP/NAME)
  none                 restart and delete-pod on a cluster read through Argo CD's API: Argo CD acts there,
                       its RBAC decides (fixes/argo_access.py)
  port_forward         get services/NAME, endpoints/NAME and pods; get + create pods/portforward
                       (the client's websocket is a GET; since Kubernetes 1.35 the API server also
                       requires `create`, AuthorizePodWebsocketUpgradeCreatePermission)

Argo CD actions through its REST API (cluster/argocd.py) are authorized by Argo CD's own RBAC
(argocd-rbac-cm, projects), not by Kubernetes: for that backend they need nothing here, and nothing is
claimed about them (fixes/registry.required_permissions applies that). Workload actions always go through
the Kubernetes API, whatever the Argo CD backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kftui.cluster.ops import Access, Permission
from kftui.fixes.plans import FixPlan, OrderedSyncPlan, RemoveFinalizersPlan
from kftui.kinds import KINDS, plural_of

KUBE_BACKEND = "kubernetes"
"""The backend name (KubeAppOps.name) whose Argo CD actions are Kubernetes API requests."""

ARGO_GROUP = "argoproj.io"

PermissionRule = Callable[[FixPlan, str], tuple[Permission, ...]]
"""(plan, Argo CD namespace) -> the permissions running the plan through the Kubernetes API needs."""


def _app(verb: str, namespace: str, name: str) -> Permission:
    return Permission(verb, "applications", ARGO_GROUP, namespace, name)


def _get_update(namespace: str, name: str) -> tuple[Permission, ...]:
    return (_app("get", namespace, name), _app("update", namespace, name))


def read_update_app(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    return _get_update(plan.target.namespace or argocd_namespace, plan.target.name)


def patch_app(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    return (_app("patch", plan.target.namespace or argocd_namespace, plan.target.name),)


def read_update_chain(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    chain = plan.chain if isinstance(plan, OrderedSyncPlan) else ()
    namespace = plan.target.namespace or argocd_namespace
    return tuple(p for app in chain for p in _get_update(namespace, app))


def patch_workload(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    target = plan.target
    return (Permission("patch", plural_of(target.kind), "apps", target.namespace or "", target.name),)


def delete_pod(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    return (Permission("delete", "pods", "", plan.target.namespace or "", plan.target.name),)


def create_namespace(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    return (Permission("create", "namespaces"),)


def delete_object(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    """delete-hook: delete the hook object (the terminate before it is a plan of its own, reviewed as such)."""
    target = plan.target
    kind = KINDS[target.kind]
    return (Permission("delete", kind.plural, kind.group, target.namespace or "", target.name),)


def patch_object(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    """remove-finalizers: a JSON patch of the object's metadata (first of each object that holds a namespace)."""
    target = plan.target
    kind = KINDS[target.kind]
    own = (Permission("patch", kind.plural, kind.group, target.namespace or "", target.name),)
    if not isinstance(plan, RemoveFinalizersPlan):
        return own
    held = tuple(Permission("patch", h.plural, h.group, h.namespace, h.name) for h in plan.held)
    # (a namespace held only by objects in it is not patched itself)
    return held + own if plan.finalizers else held


def port_forward(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    # The plan's target is the Service the forward goes to (fixes/kube_planners.port_forward).
    namespace, service = plan.target.namespace or "", plan.target.name
    return (
        Permission("get", "services", "", namespace, service),
        Permission("get", "endpoints", "", namespace, service),
        Permission("get", "pods", "", namespace),
        Permission("get", "pods", "", namespace, subresource="portforward"),
        Permission("create", "pods", "", namespace, subresource="portforward"),
    )


def none(plan: FixPlan, argocd_namespace: str) -> tuple[Permission, ...]:
    """What Argo CD does on a cluster kftui reads through its API: Kubernetes RBAC does not decide it."""
    return ()


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
