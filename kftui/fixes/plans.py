"""The plan types: one frozen dataclass per action kind, each carrying only the fields that kind needs.

A FixPlan is the common part every action shares (what, on what, the equivalent command, the preview,
whether it may run); its subclasses form a tagged union whose tag is the class itself (and `kind`, the
same fact as a value for display and tests). Executors (fixes/run.py) are keyed by the class, and the
fix registry (fixes/registry.py) says which class each fix id plans. Pure data: no I/O here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from kftui.cluster.ops import ArgoResource, SyncRequest
from kftui.model import ClusterSnapshot, FixRef, HeldObject, ObjectRef
from kftui.profile import Profile

if TYPE_CHECKING:
    from kftui.fixes.registry import FixSpec


class ActionKind(enum.Enum):
    """The tag of a plan type, as a value (one per FixPlan subclass)."""

    SYNC = "sync"
    REFRESH = "refresh"
    TERMINATE = "terminate"
    RESTART = "restart"
    DELETE_POD = "delete-pod"
    ORDERED_SYNC = "ordered-sync"
    PORT_FORWARD = "port-forward"
    APP_SETTING = "app-setting"
    CREATE_NAMESPACE = "create-namespace"
    DELETE_HOOK = "delete-hook"
    REMOVE_FINALIZERS = "remove-finalizers"
    IGNORE_DRIFT = "ignore-drift"
    RESOURCE_ACTION = "resource-action"
    DELETE_RESOURCE = "delete-resource"


class PlanError(Exception):
    """The fix id cannot be planned for this target (unknown id, or a target of the wrong kind)."""


@dataclass(frozen=True, slots=True)
class ForwardTarget:
    """Where a guided port-forward goes: a Service port, and the local port to try first."""

    namespace: str
    service: str
    port: int
    local_port: int
    login_hint: str = ""
    context: str = ""
    """The kube context to forward through when the Service is on a cluster read directly; "" = the hub's."""


@dataclass(frozen=True, kw_only=True)
class FixPlan:
    """One action, fully described before anything runs (the part every kind of action shares).

    fix_id: the id checks use (sync, sync-prune, force-sync, replace, ...).
    target: the object acted on (an Application, a Deployment, a Pod, a Service, a Namespace).
    app: the Argo CD Application concerned, when there is one.
    command: the equivalent CLI command(s), identical to the finding's FixRef command.
    changes: the preview, one line per change.
    warnings: what could go wrong or be lost.
    confirm_word: when set, the user must type exactly this (the app name) before it runs.
    mutating: whether it writes to the cluster (the read-only gate refuses those).
    blocked: why it cannot run right now (None when it can).
    """

    kind: ClassVar[ActionKind]

    fix_id: str
    title: str
    target: ObjectRef
    app: str | None = None
    command: str
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    confirm_word: str | None = None
    mutating: bool = True
    blocked: str | None = None

    @property
    def needs_typing(self) -> bool:
        return self.confirm_word is not None


@dataclass(frozen=True, kw_only=True)
class SyncPlan(FixPlan):
    """A sync of one Application.

    sync: the request; then_sync: a second sync once the first has finished (CRDs first, then the rest);
    set_option: a sync option added to the app's spec before the sync (`argocd app set --sync-option`).
    """

    kind = ActionKind.SYNC
    sync: SyncRequest = field(default_factory=SyncRequest)
    then_sync: SyncRequest | None = None
    set_option: str | None = None


@dataclass(frozen=True, kw_only=True)
class RefreshPlan(FixPlan):
    """A refresh of one Application; `hard` regenerates the manifests instead of using the cache."""

    kind = ActionKind.REFRESH
    hard: bool = False


@dataclass(frozen=True, kw_only=True)
class TerminatePlan(FixPlan):
    """Stop the operation running on one Application."""

    kind = ActionKind.TERMINATE


@dataclass(frozen=True, kw_only=True)
class AppSettingPlan(FixPlan):
    """Change a setting of one Application's spec (turn off automated prune)."""

    kind = ActionKind.APP_SETTING


@dataclass(frozen=True, kw_only=True)
class OrderedSyncPlan(FixPlan):
    """Sync the Applications of `chain` one after the other, each Synced and Healthy before the next."""

    kind = ActionKind.ORDERED_SYNC
    chain: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RestartPlan(FixPlan):
    """`kubectl rollout restart` of the workload in `target`."""

    kind = ActionKind.RESTART
    context: str = ""
    """The kube context of the cluster `target` is on when kftui reads it directly; "" = the hub's."""


@dataclass(frozen=True, kw_only=True)
class DeletePodPlan(FixPlan):
    """Delete the Pod in `target` (its controller, if any, replaces it)."""

    kind = ActionKind.DELETE_POD
    context: str = ""
    """The kube context of the cluster `target` is on when kftui reads it directly; "" = the hub's."""


@dataclass(frozen=True, kw_only=True)
class PortForwardPlan(FixPlan):
    """Forward a local port to a Service; changes nothing in the cluster."""

    kind = ActionKind.PORT_FORWARD
    forward: ForwardTarget
    mutating: bool = False


@dataclass(frozen=True, kw_only=True)
class CreateNamespacePlan(FixPlan):
    """Create the Namespace in `target`."""

    kind = ActionKind.CREATE_NAMESPACE


@dataclass(frozen=True, kw_only=True)
class DeleteHookPlan(FixPlan):
    """Delete the sync hook in `target` (a Job or Pod of `app`); with `terminate_first`, terminate the app's
    running operation first and wait until Argo CD has stopped it (the hook it waits on is then deleted)."""

    kind = ActionKind.DELETE_HOOK
    terminate_first: bool = False


@dataclass(frozen=True, kw_only=True)
class RemoveFinalizersPlan(FixPlan):
    """Remove metadata.finalizers of `target`, provided they are still exactly `finalizers`."""

    kind = ActionKind.REMOVE_FINALIZERS
    finalizers: tuple[str, ...] = ()
    held: tuple[HeldObject, ...] = ()
    """For a Namespace: the objects in it whose finalizers are removed first (each only if still the same)."""


@dataclass(frozen=True, kw_only=True)
class IgnoreDriftPlan(FixPlan):
    """Add ignoreDifferences entries (and the sync options they need) to one Application's spec.

    entries: what kftui/drift.py suggests for the explained drift; patch: the merge patch written (the
    app's lists in full, new entries appended); add_yaml: the fragment to add, for a person or for git;
    in_git: why the Application is managed from git (then nothing is written: the plan is blocked).
    """

    kind = ActionKind.IGNORE_DRIFT
    entries: tuple[Mapping[str, Any], ...] = ()
    patch: Mapping[str, Any] = field(default_factory=dict)
    add_yaml: str = ""
    in_git: str = ""


@dataclass(frozen=True, kw_only=True)
class ResourceActionPlan(FixPlan):
    """Argo CD's resource action `action` (`restart`) on `resource`, run by Argo CD through the Application that
    manages it: `target` is on a cluster kftui reads through Argo CD's API and holds no credentials for."""

    kind = ActionKind.RESOURCE_ACTION
    resource: ArgoResource
    action: str = "restart"


@dataclass(frozen=True, kw_only=True)
class DeleteResourcePlan(FixPlan):
    """Argo CD deletes `resource` (a Pod of a cluster read through its API) through the Application that manages it."""

    kind = ActionKind.DELETE_RESOURCE
    resource: ArgoResource


def plan_context(plan: FixPlan) -> str:
    """The kube context a workload plan goes through when its object is not the hub's ("" = the hub's)."""
    return plan.context if isinstance(plan, RestartPlan | DeletePodPlan) else ""


Planner = Callable[["FixSpec", ObjectRef, ClusterSnapshot, Profile | None], FixPlan]
"""(the fix's spec, target, snapshot, profile) -> its plan; pure. Raises PlanError for a wrong target."""


def command_ref(spec: FixSpec, *args: object) -> FixRef:
    """The spec's FixRef for these arguments: the title and command a plan shares with the finding."""
    ref = spec.command(*args)
    if ref is None or ref.id != spec.fix_id:
        raise PlanError(f"{spec.fix_id}: no command for {', '.join(map(str, args))}")
    return ref
