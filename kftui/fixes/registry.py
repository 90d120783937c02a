"""The fix registry: one table mapping each fix id to its planner, permissions, executor and command.

A row (FixSpec) names
  planner      the pure function that turns a target into a plan (fixes/app_planners.py, kube_planners.py)
  action       the kind of action it plans: its plan type, which backend carries it, and the Kubernetes
               permissions that needs (a rule from fixes/permissions.py); the plan type also selects the
               executor (fixes/run.py EXECUTORS, keyed by plan type, because executors do I/O)
  command      the checks/fixrefs.py builder of the equivalent CLI command, shared with the findings
  on           what the fix acts on: "Application" (a finding's app), a kind, "workload", "hook" or "object"
               (the finding's subject), "" (no target: the profile's chain), DIFF (an Application with its
               diff: offered by the diff view, not by every tree node)

VIA_ARGO holds the rows of the fixes that, on an object of a cluster kftui reads through Argo CD's API (no kube
credentials there), Argo CD carries out instead (fixes/argo_planners.py): same fix id, its own plan, command and
backend. Adding a fix of an existing kind is one row; a new kind of action is an Action, a plan type in
fixes/plans.py and an executor. Pure: no client library, no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType

from kftui.checks import fixrefs
from kftui.cluster.ops import CREATE_NAMESPACE as CREATE_NAMESPACE_OPTION
from kftui.cluster.ops import REPLACE, SERVER_SIDE_APPLY, Permission, SyncRequest
from kftui.fixes import (
    app_planners,
    argo_planners,
    drift_planner,
    kube_planners,
    permissions,
    stuck_planners,
)
from kftui.fixes.app_planners import SyncVariant
from kftui.fixes.permissions import KUBE_BACKEND, PermissionRule
from kftui.fixes.plans import (
    AppSettingPlan,
    CreateNamespacePlan,
    DeleteHookPlan,
    DeletePodPlan,
    DeleteResourcePlan,
    FixPlan,
    IgnoreDriftPlan,
    OrderedSyncPlan,
    Planner,
    PortForwardPlan,
    RefreshPlan,
    RemoveFinalizersPlan,
    ResourceActionPlan,
    RestartPlan,
    SyncPlan,
    TerminatePlan,
)
from kftui.model import FixRef


class Backend(enum.Enum):
    """Which connection carries an action."""

    ARGO = "argo"
    """The Argo CD backend: the Kubernetes API (KubeAppOps) or Argo CD's REST API (ArgoRestOps)."""
    KUBE = "kubernetes"
    """The Kubernetes API (workload operations), whatever the Argo CD backend."""
    ARGO_API = "argocd-api"
    """Argo CD's REST API only (cluster/ops.ArgoResourceOps): acting on a resource of an app's tree on any
    cluster Argo CD deploys to. Argo CD's RBAC decides."""
    FORWARD = "forward"
    """A local port-forward through the Kubernetes API, run by its own view (no runner backend)."""


@dataclass(frozen=True)
class Action:
    """One kind of action: its plan type, the backend that carries it, and the permissions it needs."""

    plan: type[FixPlan]
    backend: Backend
    permissions: PermissionRule


SYNC = Action(SyncPlan, Backend.ARGO, permissions.read_update_app)
REFRESH = Action(RefreshPlan, Backend.ARGO, permissions.patch_app)
TERMINATE = Action(TerminatePlan, Backend.ARGO, permissions.read_update_app)
APP_SETTING = Action(AppSettingPlan, Backend.ARGO, permissions.patch_app)
ORDERED_SYNC = Action(OrderedSyncPlan, Backend.ARGO, permissions.read_update_chain)
RESTART = Action(RestartPlan, Backend.KUBE, permissions.patch_workload)
DELETE_POD = Action(DeletePodPlan, Backend.KUBE, permissions.delete_pod)
CREATE_NAMESPACE = Action(CreateNamespacePlan, Backend.KUBE, permissions.create_namespace)
IGNORE_DRIFT = Action(IgnoreDriftPlan, Backend.ARGO, permissions.read_update_app)
PORT_FORWARD = Action(PortForwardPlan, Backend.FORWARD, permissions.port_forward)
DELETE_HOOK = Action(DeleteHookPlan, Backend.KUBE, permissions.delete_object)
REMOVE_FINALIZERS = Action(RemoveFinalizersPlan, Backend.KUBE, permissions.patch_object)
RESOURCE_ACTION = Action(ResourceActionPlan, Backend.ARGO_API, permissions.none)
DELETE_RESOURCE = Action(DeleteResourcePlan, Backend.ARGO_API, permissions.none)


@dataclass(frozen=True)
class FixSpec:
    """Everything about one fix id (see the module docstring)."""

    fix_id: str
    on: str
    action: Action
    planner: Planner
    command: Callable[..., FixRef | None]


APP = "Application"
DIFF = "Application diff"
_sync = app_planners.sync  # each sync variant is this planner with its SyncVariant bound

_SPECS = (
    FixSpec("sync", APP, SYNC, partial(_sync, SyncVariant()), fixrefs.sync),
    FixSpec("sync-prune", APP, SYNC, partial(_sync, SyncVariant(SyncRequest(prune=True), confirm=True)), fixrefs.sync_prune),
    FixSpec(
        "force-sync", APP, SYNC,
        partial(_sync, SyncVariant(
            SyncRequest(force=True),
            confirm=True,
            notes=("resources that cannot be patched are deleted and created again (apply --force)",),
            warnings=("force deletes and recreates objects: pods restart, and data in them is lost",),
        )),
        fixrefs.force_sync,
    ),
    FixSpec(
        "replace", APP, SYNC,
        partial(_sync, SyncVariant(
            SyncRequest(sync_options=(REPLACE,)),
            confirm=True,
            notes=("every resource is replaced (kubectl replace / create) instead of applied",),
            warnings=("replace drops fields other controllers set on the live objects",),
        )),
        fixrefs.replace_sync,
    ),
    FixSpec(
        "server-side-apply", APP, SYNC,
        partial(_sync, SyncVariant(
            SyncRequest(sync_options=(SERVER_SIDE_APPLY,)),
            notes=("resources are applied server-side (no last-applied annotation: large CRDs fit)",),
        )),
        fixrefs.server_side_apply,
    ),
    FixSpec("sync-crds-first", APP, SYNC, app_planners.sync_crds_first, fixrefs.sync_crds_first),
    FixSpec("refresh", APP, REFRESH, partial(app_planners.refresh, False), fixrefs.refresh),
    FixSpec("hard-refresh", APP, REFRESH, partial(app_planners.refresh, True), fixrefs.hard_refresh),
    FixSpec("terminate", APP, TERMINATE, app_planners.terminate, fixrefs.terminate),
    FixSpec(
        "sync-create-namespace", APP, SYNC, partial(_sync, SyncVariant(set_option=CREATE_NAMESPACE_OPTION)), fixrefs.sync_create_namespace
    ),
    FixSpec(
        "disable-auto-prune", APP, APP_SETTING, app_planners.disable_auto_prune, fixrefs.disable_auto_prune
    ),
    # The drift fix: planned with the entries of a diff (fixes/drift_planner.py); blocked without one.
    FixSpec("ignore-drift", DIFF, IGNORE_DRIFT, drift_planner.ignore_drift, fixrefs.ignore_drift),
    FixSpec("ordered-sync", "", ORDERED_SYNC, app_planners.ordered_sync, fixrefs.ordered_sync),
    FixSpec("restart", "workload", RESTART, kube_planners.restart, fixrefs.restart),
    FixSpec("delete-pod", "Pod", DELETE_POD, kube_planners.delete_pod, fixrefs.delete_pod),
    FixSpec("port-forward", "Service", PORT_FORWARD, kube_planners.port_forward, fixrefs.port_forward),
    FixSpec(
        "create-namespaces", "Namespace", CREATE_NAMESPACE,
        kube_planners.create_namespace, fixrefs.create_namespaces,
    ),
    FixSpec("delete-hook", "hook", DELETE_HOOK, stuck_planners.delete_hook, fixrefs.delete_hook),
    FixSpec(
        "remove-finalizers", "object", REMOVE_FINALIZERS, stuck_planners.remove_finalizers, fixrefs.remove_finalizers
    ),
)  # fmt: skip
FIXES: Mapping[str, FixSpec] = MappingProxyType({s.fix_id: s for s in _SPECS})

_VIA_ARGO = (
    FixSpec("restart", "workload", RESOURCE_ACTION, argo_planners.restart, fixrefs.argo_restart),
    FixSpec("delete-pod", "Pod", DELETE_RESOURCE, argo_planners.delete_pod, fixrefs.argo_delete_pod),
)
VIA_ARGO: Mapping[str, FixSpec] = MappingProxyType({s.fix_id: s for s in _VIA_ARGO})
"""The fixes Argo CD carries out on an object of a cluster kftui reads through its API (fixes/plan.py)."""

PLANNABLE: tuple[str, ...] = tuple(FIXES)
"""Every fix id that can be planned. `describe` and `logs` are views, not fixes: the UI opens them."""

APP_FIXES: tuple[str, ...] = tuple(i for i, s in FIXES.items() if s.on == APP)
"""The fixes of one Application, in the order a tree node offers them."""

ACTIONS: Mapping[type[FixPlan], Action] = MappingProxyType(
    {s.action.plan: s.action for s in (*FIXES.values(), *VIA_ARGO.values())}
)
"""Each plan type's action. Looked up by type, not fix id: an ordered sync runs its steps as sync plans."""


def action_of(plan: FixPlan) -> Action:
    return ACTIONS[type(plan)]


def backend_for(plan: FixPlan, argo_backend: str) -> str:
    """Which backend carries the plan: Argo CD actions go to `argo_backend`, the rest to Kubernetes."""
    return argo_backend if action_of(plan).backend in (Backend.ARGO, Backend.ARGO_API) else KUBE_BACKEND


def required_permissions(
    plan: FixPlan, backend: str = KUBE_BACKEND, argocd_namespace: str = "argocd"
) -> tuple[Permission, ...]:
    """The Kubernetes permissions running `plan` through `backend` needs, in the order they are used.

    Empty when Kubernetes RBAC does not decide: Argo CD actions through the REST backend, and what Argo CD
    does on a cluster kftui reads through its API.
    """
    action = action_of(plan)
    if action.backend is Backend.ARGO_API or (action.backend is Backend.ARGO and backend != KUBE_BACKEND):
        return ()
    return action.permissions(plan, argocd_namespace)
