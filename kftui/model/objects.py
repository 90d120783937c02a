"""The cluster as kftui sees it: small frozen dataclasses, free of any client library.

Everything above the cluster/ boundary works on these types only. They keep just the fields that the tree,
the checks and the fixes read, which keeps a 20,000-pod snapshot small and makes the checks easy to test
with hand-built objects.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal, TypeAlias

from kftui import shellcmd

EMPTY_MAP: Mapping[str, str] = MappingProxyType({})


def _no_entries() -> Mapping[str, str]:
    """Default for label/annotation maps: one shared read-only empty mapping."""
    return EMPTY_MAP


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Which object a finding, tree node or fix is about."""

    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


# --- Argo CD Applications -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """One entry of an Application's status.conditions (ComparisonError, SharedResourceWarning, ...)."""

    type: str
    message: str
    last_transition: datetime | None = None


@dataclass(frozen=True, slots=True)
class ManagedResource:
    """One entry of status.resources: what Argo CD manages for the app and how it compares."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    sync_status: str = ""
    health_status: str = ""
    health_message: str = ""
    hook: bool = False
    requires_pruning: bool = False
    sync_wave: int = 0

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace or None, self.name)


@dataclass(frozen=True, slots=True)
class ResourceResult:
    """One entry of status.operationState.syncResult.resources: what the last sync did to a resource."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    status: str = ""
    message: str = ""
    hook_phase: str = ""
    sync_phase: str = ""

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace or None, self.name)


@dataclass(frozen=True, slots=True)
class SyncOperation:
    """The sync part of an operation, as written to .operation or echoed in status.operationState.operation."""

    revision: str = ""
    prune: bool = False
    dry_run: bool = False
    force: bool = False
    sync_options: tuple[str, ...] = ()
    resources: tuple[ObjectRef, ...] = ()
    initiated_by: str = ""
    automated: bool = False


@dataclass(frozen=True, slots=True)
class OperationState:
    """status.operationState: the last (or running) operation and its outcome."""

    phase: str
    message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    operation: SyncOperation | None = None
    results: tuple[ResourceResult, ...] = ()
    retry_count: int = 0


@dataclass(frozen=True, slots=True)
class Application:
    """An argoproj.io/v1alpha1 Application, reduced to what diagnosis needs."""

    name: str
    namespace: str
    project: str = "default"
    repo_url: str = ""
    path: str = ""
    target_revision: str = ""
    dest_server: str = ""
    dest_namespace: str = ""
    automated: bool = False
    auto_prune: bool = False
    self_heal: bool = False
    sync_options: tuple[str, ...] = ()
    sync_status: str = "Unknown"
    sync_revision: str = ""
    health_status: str = "Unknown"
    health_message: str = ""
    operation: SyncOperation | None = None
    operation_state: OperationState | None = None
    conditions: tuple[Condition, ...] = ()
    resources: tuple[ManagedResource, ...] = ()
    sync_wave: int | None = None
    annotations: Mapping[str, str] = field(default_factory=_no_entries)
    labels: Mapping[str, str] = field(default_factory=_no_entries)
    reconciled_at: datetime | None = None
    created_at: datetime | None = None
    resource_version: str = ""

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Application", self.namespace, self.name)

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def operation_phase(self) -> str:
        """Running when an operation is requested or in flight; otherwise the last operation's phase."""
        if self.operation is not None and (
            self.operation_state is None or self.operation_state.phase in ("", "Running", "Terminating")
        ):
            return (
                self.operation_state.phase
                if self.operation_state and self.operation_state.phase
                else "Running"
            )
        return self.operation_state.phase if self.operation_state else ""

    @property
    def target_namespaces(self) -> tuple[str, ...]:
        """The namespaces the app deploys into: its destination plus every namespace its resources name."""
        seen: dict[str, None] = {}
        if self.dest_namespace:
            seen[self.dest_namespace] = None
        for res in self.resources:
            if res.kind == "Namespace":
                seen[res.name] = None
            elif res.namespace:
                seen[res.namespace] = None
        return tuple(seen)


# --- Core Kubernetes objects ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Namespace:
    name: str
    phase: str = "Active"
    labels: Mapping[str, str] = field(default_factory=_no_entries)
    annotations: Mapping[str, str] = field(default_factory=_no_entries)
    created_at: datetime | None = None
    deleting_since: datetime | None = None
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return ("", self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Namespace", None, self.name)


@dataclass(frozen=True, slots=True)
class ContainerStatus:
    """A container's state: enough to name CrashLoopBackOff, image pull errors and OOM kills."""

    name: str
    ready: bool = False
    restart_count: int = 0
    state: Literal["waiting", "running", "terminated", "unknown"] = "unknown"
    reason: str = ""
    message: str = ""
    exit_code: int | None = None
    last_terminated_reason: str = ""
    last_exit_code: int | None = None
    image: str = ""
    init: bool = False


@dataclass(frozen=True, slots=True)
class ContainerPort:
    name: str
    port: int
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class Pod:
    namespace: str
    name: str
    phase: str = "Pending"
    ready: bool = False
    containers: tuple[ContainerStatus, ...] = ()
    ports: tuple[ContainerPort, ...] = ()
    node: str = ""
    owner_kind: str = ""
    owner_name: str = ""
    workload_kind: str = ""
    workload_name: str = ""
    labels: Mapping[str, str] = field(default_factory=_no_entries)
    annotations: Mapping[str, str] = field(default_factory=_no_entries)
    reason: str = ""
    message: str = ""
    unschedulable_message: str = ""
    pod_ip: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    deleting: bool = False
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Pod", self.namespace, self.name)

    @property
    def restarts(self) -> int:
        return sum(c.restart_count for c in self.containers)

    @property
    def ready_count(self) -> tuple[int, int]:
        regular = [c for c in self.containers if not c.init]
        return sum(1 for c in regular if c.ready), len(regular)

    @property
    def display_status(self) -> str:
        """What `kubectl get pods` shows in STATUS: the most telling container reason, else the phase."""
        if self.deleting:
            return "Terminating"
        for c in self.containers:
            if c.init and c.state in ("waiting", "terminated") and c.reason and c.reason != "Completed":
                return f"Init:{c.reason}"
        for c in self.containers:
            if not c.init and c.state in ("waiting", "terminated") and c.reason:
                return c.reason
        return self.reason or self.phase


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str
    port: int
    target_port: int | str
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class Service:
    namespace: str
    name: str
    type: str = "ClusterIP"
    ports: tuple[ServicePort, ...] = ()
    selector: Mapping[str, str] = field(default_factory=_no_entries)
    labels: Mapping[str, str] = field(default_factory=_no_entries)
    annotations: Mapping[str, str] = field(default_factory=_no_entries)
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Service", self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class EndpointAddress:
    ip: str
    pod_name: str = ""


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Ready and not-ready backends of a Service (from Endpoints or EndpointSlices)."""

    namespace: str
    name: str
    ready: tuple[EndpointAddress, ...] = ()
    not_ready: tuple[EndpointAddress, ...] = ()
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Endpoints", self.namespace, self.name)


_LONG_AGO = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Event:
    namespace: str
    name: str
    involved: ObjectRef
    reason: str = ""
    message: str = ""
    type: str = "Normal"
    count: int = 1
    last_seen: datetime | None = None
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Event", self.namespace, self.name)

    @property
    def seen(self) -> datetime:
        """When it was last seen; an event without a time counts as the oldest (how events are ordered)."""
        return self.last_seen or _LONG_AGO


@dataclass(frozen=True, slots=True)
class CustomResourceDefinition:
    name: str
    group: str
    kind: str
    versions: tuple[str, ...] = ()
    established: bool = False
    annotations_bytes: int = 0
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return ("", self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("CustomResourceDefinition", None, self.name)


@dataclass(frozen=True, slots=True)
class WebhookService:
    """One webhook of a (Validating|Mutating)WebhookConfiguration that calls an in-cluster Service."""

    webhook: str
    namespace: str
    service: str
    port: int = 443
    failure_policy: str = "Fail"


@dataclass(frozen=True, slots=True)
class WebhookConfiguration:
    kind: str
    name: str
    webhooks: tuple[WebhookService, ...] = ()
    resource_version: str = ""

    @property
    def key(self) -> Key:
        return (self.kind, self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, None, self.name)


@dataclass(frozen=True, slots=True)
class Workload:
    """A Deployment, StatefulSet or DaemonSet: the thing a restart fix acts on."""

    kind: str
    namespace: str
    name: str
    desired: int = 0
    ready: int = 0
    available: int = 0
    labels: Mapping[str, str] = field(default_factory=_no_entries)
    resource_version: str = ""
    tracking_id: str = ""
    """Argo CD's argocd.argoproj.io/tracking-id annotation (`<app>:<group>/<kind>:<ns>/<name>`), if any."""

    @property
    def key(self) -> Key:
        return (self.kind, f"{self.namespace}/{self.name}")

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)


KubeObject: TypeAlias = (
    Application
    | Namespace
    | Pod
    | Service
    | Endpoints
    | Event
    | CustomResourceDefinition
    | WebhookConfiguration
    | Workload
)
Key: TypeAlias = tuple[str, str]

# The snapshot field each object type lives in; apply_event dispatches on it.
COLLECTION_OF: Mapping[type, str] = MappingProxyType(
    {
        Application: "applications",
        Namespace: "namespaces",
        Pod: "pods",
        Service: "services",
        Endpoints: "endpoints",
        Event: "events",
        CustomResourceDefinition: "crds",
        WebhookConfiguration: "webhooks",
        Workload: "workloads",
    }
)

KIND_OF_TYPE: Mapping[type, str] = MappingProxyType(
    {
        Application: "Application",
        Namespace: "Namespace",
        Pod: "Pod",
        Service: "Service",
        Endpoints: "Endpoints",
        Event: "Event",
        CustomResourceDefinition: "CustomResourceDefinition",
    }
)


# --- The snapshot ---------------------------------------------------------------------------------


class ConnectionState(enum.Enum):
    OFFLINE = "offline"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"


@dataclass(frozen=True)
class ClusterSnapshot:
    """Everything known about the cluster at one moment.

    Collections are dicts keyed by (namespace, name) and must be treated as read-only: apply_event
    copies the one collection it changes and shares the rest, so a snapshot is cheap to derive.
    `now` is the moment the snapshot describes; checks read time from it, never from the clock.
    """

    now: datetime
    applications: Mapping[Key, Application] = field(default_factory=dict)
    namespaces: Mapping[Key, Namespace] = field(default_factory=dict)
    pods: Mapping[Key, Pod] = field(default_factory=dict)
    services: Mapping[Key, Service] = field(default_factory=dict)
    endpoints: Mapping[Key, Endpoints] = field(default_factory=dict)
    events: Mapping[Key, Event] = field(default_factory=dict)
    crds: Mapping[Key, CustomResourceDefinition] = field(default_factory=dict)
    webhooks: Mapping[Key, WebhookConfiguration] = field(default_factory=dict)
    workloads: Mapping[Key, Workload] = field(default_factory=dict)
    argocd_config: Mapping[str, str] = field(default_factory=_no_entries)
    source: str = ""
    context: str = ""
    server: str = ""
    argocd_namespace: str = "argocd"
    forbidden: Mapping[str, str] = field(default_factory=_no_entries)
    """Kinds that could not be listed (forbidden, not served), with the API server's reason."""
    lineage: Lineage | None = field(default=None, compare=False, repr=False)
    """Set by apply_events: which snapshot this one was derived from and which keys changed (see changed_keys)."""

    @classmethod
    def from_objects(
        cls, objects: list[KubeObject], now: datetime | None = None, **meta: object
    ) -> ClusterSnapshot:
        """Build a snapshot from a flat list of model objects (a dump, a LIST)."""
        buckets: dict[str, dict[Key, KubeObject]] = {name: {} for name in COLLECTION_OF.values()}
        for obj in objects:
            buckets[COLLECTION_OF[type(obj)]][obj.key] = obj
        return cls(now=now or datetime.now(UTC), **buckets, **meta)  # type: ignore[arg-type]

    def collection(self, name: str) -> Mapping[Key, KubeObject]:
        return getattr(self, name)

    def events_for(self, ref: ObjectRef) -> list[Event]:
        """Events about one object, newest first."""
        found = [
            e
            for e in self.events.values()
            if e.involved.name == ref.name
            and e.involved.kind == ref.kind
            and e.involved.namespace == ref.namespace
        ]
        return sorted(found, key=lambda e: e.seen, reverse=True)


# --- Changes to a snapshot -----------------------------------------------------------------------


@dataclass(frozen=True)
class Lineage:
    """How apply_events derived a snapshot: from which one (held weakly, so old snapshots can go) and, per
    collection it copied, the copy it made and the keys added, modified or deleted in it."""

    parent: weakref.ref[ClusterSnapshot]
    changed: Mapping[str, tuple[Mapping[Key, KubeObject], frozenset[Key]]]


MAX_LINEAGE_STEPS = 64


def changed_keys(
    snapshot: ClusterSnapshot, collection: str, since: Mapping[Key, KubeObject]
) -> frozenset[Key] | None:
    """The keys of `collection` whose object differs from the one in `since`, an earlier state of that
    collection (added, modified or deleted), read from the lineage apply_events records: the cost follows
    the changes, not the size of the cluster.

    None when the lineage does not lead back to `since` (a reload, a snapshot built another way, a
    collection replaced after the fact): the caller then compares the collections in full.
    """
    keys: set[Key] = set()
    current = snapshot
    for _ in range(MAX_LINEAGE_STEPS):
        mine = current.collection(collection)
        if mine is since:
            return frozenset(keys)
        lineage = current.lineage
        parent = lineage.parent() if lineage is not None else None
        if lineage is None or parent is None:
            return None
        if collection in lineage.changed:
            copy, changed = lineage.changed[collection]
            if copy is not mine:
                return None
            keys |= changed
        elif mine is not parent.collection(collection):
            return None
        current = parent
    return None


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One ADDED / MODIFIED / DELETED event from a watch, already converted to a model object."""

    type: Literal["ADDED", "MODIFIED", "DELETED"]
    obj: KubeObject


@dataclass(frozen=True, slots=True)
class Relisted:
    """A fresh LIST of one kind: it replaces that kind's objects in the collection (after 410 Gone).

    Some collections hold several kinds (workloads: Deployment, StatefulSet, DaemonSet), each listed and
    watched on its own, so a relist replaces only the objects of its kind.
    """

    collection: str
    objects: tuple[KubeObject, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Forbidden:
    """The credentials may not list a kind; the snapshot remembers why (keyed by kind in `forbidden`)."""

    collection: str
    reason: str
    kind: str


def kind_of(obj: KubeObject) -> str:
    """The Kubernetes kind of a model object."""
    if isinstance(obj, Workload | WebhookConfiguration):
        return obj.kind
    return KIND_OF_TYPE[type(obj)]


SnapshotChange: TypeAlias = WatchEvent | Relisted | Forbidden


def apply_event(
    snapshot: ClusterSnapshot, change: SnapshotChange, now: datetime | None = None
) -> ClusterSnapshot:
    """Return the snapshot with one change applied; the input snapshot is left untouched."""
    return apply_events(snapshot, [change], now)


def apply_events(
    snapshot: ClusterSnapshot, changes: list[SnapshotChange], now: datetime | None = None
) -> ClusterSnapshot:
    """Apply a batch of changes, copying each touched collection once rather than once per event.

    A successful event or relist for a collection clears any earlier Forbidden note for it.
    """
    working: dict[str, dict[Key, KubeObject]] = {}
    touched: dict[str, set[Key]] = {}
    forbidden = dict(snapshot.forbidden)
    for change in changes:
        if isinstance(change, Forbidden):
            forbidden[change.kind] = change.reason
            continue
        if isinstance(change, Relisted):
            current = working.get(change.collection, snapshot.collection(change.collection))
            fresh = {key: obj for key, obj in current.items() if kind_of(obj) != change.kind}
            keys = touched.setdefault(change.collection, set())
            keys.update(current.keys() - fresh.keys())
            fresh.update((obj.key, obj) for obj in change.objects)
            keys.update(obj.key for obj in change.objects)
            working[change.collection] = fresh
            forbidden.pop(change.kind, None)
            continue
        name = COLLECTION_OF[type(change.obj)]
        if name not in working:
            working[name] = dict(snapshot.collection(name))
        touched.setdefault(name, set()).add(change.obj.key)
        forbidden.pop(kind_of(change.obj), None)
        if change.type == "DELETED":
            working[name].pop(change.obj.key, None)
        else:
            working[name][change.obj.key] = change.obj
    if not working and forbidden == snapshot.forbidden and now is None:
        return snapshot
    changed: dict[str, object] = dict(working)
    if forbidden != snapshot.forbidden:
        # A new mapping only when it changed: checks that read it are not run again for nothing.
        changed["forbidden"] = MappingProxyType(forbidden)
    changed["now"] = now or snapshot.now
    changed["lineage"] = Lineage(
        weakref.ref(snapshot),
        {name: (working[name], frozenset(keys)) for name, keys in touched.items()},
    )
    return replace(snapshot, **changed)  # type: ignore[arg-type]


# --- Findings ------------------------------------------------------------------------------------


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: errors first."""
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class FixRef:
    """A fix a finding offers: its id (sync, hard-refresh, ...), a title and the equivalent CLI command.

    The command is kept as argv lists, one per step, and only joined (quoted) by `kftui.shellcmd`, so a value
    from the cluster is always exactly one argument of the command a person copies.
    """

    id: str
    title: str
    argvs: tuple[shellcmd.Argv, ...]

    @property
    def command(self) -> str:
        return shellcmd.steps(self.argvs)


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosis: what is wrong, where, the evidence that says so, and how to fix it."""

    check: str
    severity: Severity
    app: str | None
    subject: ObjectRef
    title: str
    evidence: str
    explanation: str
    fixes: tuple[FixRef, ...] = ()

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.severity.rank, self.app or "~", self.check, str(self.subject))
