"""Kubernetes objects as kftui sees them: small frozen dataclasses, free of any client library.

Everything above the cluster/ boundary works on these types only. They keep just the fields that the tree,
the checks and the fixes read, which keeps a 20,000-pod snapshot small and makes the checks easy to test
with hand-built objects. Services, Endpoints and webhook configurations are in network.py, Argo CD's Applications in applications.py;
the snapshot that holds them all is in snapshot.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal, TypeAlias

from kftui.kinds import WORKLOAD_KINDS
from kftui.model.clusters import OnCluster, Origin

EMPTY_MAP: Mapping[str, str] = MappingProxyType({})
_set = object.__setattr__

Key: TypeAlias = tuple[str, ...]
"""How a snapshot collection keys its objects: (namespace, name) for most, see each type's `key`. An object
read from another cluster than the hub (its `origin` set) adds that cluster's name as a third element, so the
hub's `kubeflow/ml-pipeline-x` and a spoke's of the same name are two entries, not one overwriting the other."""


def on_cluster(key: tuple[str, str], cluster: str) -> Key:
    """`key` as a collection holds it for an object of `cluster` ("" for the hub's: the key unchanged)."""
    return (*key, cluster) if cluster else key


# Cluster-scoped kinds whose key is (kind, name), as WebhookConfiguration's; the others are ("", name).
_KIND_KEYED = frozenset({"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"})


def no_entries() -> Mapping[str, str]:
    """Default for label/annotation maps: one shared read-only empty mapping."""
    return EMPTY_MAP


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Which object a finding, tree node or fix is about."""

    kind: str
    namespace: str | None
    name: str
    cluster: str = ""
    """The cluster the object is on when kftui read it from another one than the hub ("" for the hub's)."""

    def __str__(self) -> str:
        where = f"@{self.cluster}" if self.cluster else ""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}{where}"
        return f"{self.kind}/{self.name}{where}"

    @property
    def key(self) -> Key:
        """The key of the object this names in its snapshot collection (see Key)."""
        if self.kind in WORKLOAD_KINDS:
            key: tuple[str, str] = (self.kind, f"{self.namespace}/{self.name}")
        elif self.kind in _KIND_KEYED:
            key = (self.kind, self.name)
        else:
            key = (self.namespace or "", self.name)
        return on_cluster(key, self.cluster)


@dataclass(frozen=True, slots=True)
class HeldObject:
    """An object that keeps a Terminating namespace from going: it is deleting, with finalizers left.

    Listed by the cluster layer from the resources the namespace's NamespaceContentRemaining condition names
    (`widgets.example.com`), which may be kinds kftui knows nothing else about (custom resources).
    """

    resource: str
    """plural.group as the namespace controller names it (`widgets.example.com`; `configmaps` for core)."""
    kind: str
    namespace: str
    name: str
    path: str
    """The object's API path (/apis/example.com/v1/namespaces/ns/widgets/name), resolved by discovery."""
    finalizers: tuple[str, ...] = ()

    @property
    def plural(self) -> str:
        return self.resource.split(".", 1)[0]

    @property
    def group(self) -> str:
        return self.resource.split(".", 1)[1] if "." in self.resource else ""


@dataclass(frozen=True, slots=True)
class Namespace(OnCluster):
    name: str
    phase: str = "Active"
    labels: Mapping[str, str] = field(default_factory=no_entries)
    annotations: Mapping[str, str] = field(default_factory=no_entries)
    created_at: datetime | None = None
    deleting_since: datetime | None = None
    resource_version: str = ""
    finalizers: tuple[str, ...] = ()
    """metadata.finalizers (not spec.finalizers, which the namespace controller itself removes)."""
    conditions: tuple[tuple[str, str], ...] = ()
    """(type, message) of each True status condition: while Terminating, what still holds the namespace
    (NamespaceContentRemaining, NamespaceFinalizersRemaining, NamespaceDeletionDiscoveryFailure, ...)."""
    held_by: tuple[HeldObject, ...] = ()
    """While Terminating: the objects in it still carrying finalizers (a live load lists them; empty when not
    listed, e.g. from a watch event or a dump)."""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""

    @property
    def key(self) -> Key:
        return ("", self.name) if self.origin is None else ("", self.name, self.origin.cluster)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Namespace", None, self.name, self.cluster)


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
class Pod(OnCluster):
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
    labels: Mapping[str, str] = field(default_factory=no_entries)
    annotations: Mapping[str, str] = field(default_factory=no_entries)
    reason: str = ""
    message: str = ""
    unschedulable_message: str = ""
    pod_ip: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    deleting: bool = False
    resource_version: str = ""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""
    plainly_healthy: bool = field(init=False, repr=False, compare=False)
    """Running and Ready (or Succeeded), not unschedulable, and every container running or terminated
    Completed: nothing a pod check looks for, now or as time passes. Decided once, when the pod is built
    (a watch event's pod is a new object, and `replace` builds one too), so the checks skip the 95,000 of
    100,000 pods that are plainly fine with one attribute read (checks/pods.py)."""

    def __post_init__(self) -> None:
        # (Inlined: 100,000 pods are built at every relist, and a call per pod would double what this costs.)
        phase = self.phase
        healthy = (
            phase == "Running" and self.ready and not self.unschedulable_message
        ) or phase == "Succeeded"
        if healthy:
            for c in self.containers:
                if c.state != "running" and (c.state != "terminated" or c.reason != "Completed"):
                    healthy = False
                    break
        _set(self, "plainly_healthy", healthy)

    @property
    def key(self) -> Key:
        # (The hub's pods pay one test: the benchmark builds 100,000 of these keys.)
        return (
            (self.namespace, self.name)
            if self.origin is None
            else (self.namespace, self.name, self.origin.cluster)
        )

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Pod", self.namespace, self.name, self.cluster)

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


_LONG_AGO = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Event(OnCluster):
    namespace: str
    name: str
    involved: ObjectRef
    reason: str = ""
    message: str = ""
    type: str = "Normal"
    count: int = 1
    last_seen: datetime | None = None
    resource_version: str = ""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""

    @property
    def key(self) -> Key:
        return (
            (self.namespace, self.name)
            if self.origin is None
            else (self.namespace, self.name, self.origin.cluster)
        )

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Event", self.namespace, self.name, self.cluster)

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
class Workload(OnCluster):
    """A Deployment, StatefulSet or DaemonSet: the thing a restart fix acts on."""

    kind: str
    namespace: str
    name: str
    desired: int = 0
    ready: int = 0
    available: int = 0
    labels: Mapping[str, str] = field(default_factory=no_entries)
    resource_version: str = ""
    tracking_id: str = ""
    """Argo CD's argocd.argoproj.io/tracking-id annotation (`<app>:<group>/<kind>:<ns>/<name>`), if any."""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""

    @property
    def key(self) -> Key:
        key = (self.kind, f"{self.namespace}/{self.name}")
        return key if self.origin is None else (*key, self.origin.cluster)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name, self.cluster)
