"""The snapshot: everything known about the cluster at one moment, one collection per kind of object."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import TypeAlias

from kftui.kinds import WORKLOAD_KINDS, collection_of
from kftui.model.applications import Application
from kftui.model.clusters import ArgoCluster, Destination, Origin, resolve
from kftui.model.lineage import Lineage
from kftui.model.network import Endpoints, Service, WebhookConfiguration
from kftui.model.objects import (
    CustomResourceDefinition,
    Event,
    Key,
    Namespace,
    ObjectRef,
    Pod,
    Workload,
    no_entries,
)
from kftui.model.projects import AppProject
from kftui.model.tagged import Tagged

KubeObject: TypeAlias = (
    Application
    | AppProject
    | Namespace
    | Pod
    | Service
    | Endpoints
    | Event
    | CustomResourceDefinition
    | WebhookConfiguration
    | Workload
)

# The kind each single-kind model type stands for (Workload and WebhookConfiguration say it per object).
KIND_OF_TYPE: Mapping[type, str] = MappingProxyType(
    {
        Application: "Application",
        AppProject: "AppProject",
        Namespace: "Namespace",
        Pod: "Pod",
        Service: "Service",
        Endpoints: "Endpoints",
        Event: "Event",
        CustomResourceDefinition: "CustomResourceDefinition",
    }
)

# The snapshot field each object type lives in (apply_event dispatches on it), as the kind registry says; a
# type standing for several kinds lands in the one collection they share.
COLLECTION_OF: Mapping[type, str] = MappingProxyType(
    {
        **{typ: collection_of(kind) for typ, kind in KIND_OF_TYPE.items()},
        Workload: collection_of(WORKLOAD_KINDS[0]),
        WebhookConfiguration: collection_of("ValidatingWebhookConfiguration"),
    }
)


_WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
# The snapshot field each kind's objects live in; the kinds whose objects carry an origin (model/tagged.py).
COLLECTION_OF_KIND: Mapping[str, str] = MappingProxyType(
    {
        **{kind: collection_of(kind) for kind in KIND_OF_TYPE.values()},
        **{kind: collection_of(kind) for kind in (*WORKLOAD_KINDS, *_WEBHOOK_KINDS)},
    }
)
TAGGED_KINDS = frozenset(
    {"Namespace", "Pod", "Event", "Service", "Endpoints", *WORKLOAD_KINDS, *_WEBHOOK_KINDS}
)


def kind_of(obj: KubeObject) -> str:
    """The Kubernetes kind of a model object."""
    if isinstance(obj, Workload | WebhookConfiguration):
        return obj.kind
    return KIND_OF_TYPE[type(obj)]


def destination_of(app: Application, clusters: Iterable[ArgoCluster]) -> Destination:
    """The cluster an Application deploys to, among the registered `clusters` (model/clusters.py)."""
    return resolve(app.dest_server, app.dest_name, clusters)


def cluster_of(app: Application, clusters: Iterable[ArgoCluster]) -> str:
    """The cluster an Application's objects are on, as their keys and refs name it: "" for the hub."""
    dest = destination_of(app, clusters)
    return "" if dest.in_cluster else dest.label


class ConnectionState(enum.Enum):
    OFFLINE = "offline"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"


@dataclass(frozen=True)
class ClusterSnapshot:
    """Everything known about the cluster at one moment.

    Collections are dicts keyed by (namespace, name), plus the cluster for an object of another cluster than
    the hub (model/objects.py, Key), and must be treated as read-only: apply_event
    copies the one collection it changes and shares the rest, so a snapshot is cheap to derive.
    `now` is the moment the snapshot describes; checks read time from it, never from the clock.
    """

    now: datetime
    applications: Mapping[Key, Application] = field(default_factory=dict)
    projects: Mapping[Key, AppProject] = field(default_factory=dict)
    namespaces: Mapping[Key, Namespace] = field(default_factory=dict)
    pods: Mapping[Key, Pod] = field(default_factory=dict)
    services: Mapping[Key, Service] = field(default_factory=dict)
    endpoints: Mapping[Key, Endpoints] = field(default_factory=dict)
    events: Mapping[Key, Event] = field(default_factory=dict)
    crds: Mapping[Key, CustomResourceDefinition] = field(default_factory=dict)
    webhooks: Mapping[Key, WebhookConfiguration] = field(default_factory=dict)
    workloads: Mapping[Key, Workload] = field(default_factory=dict)
    argocd_config: Mapping[str, str] = field(default_factory=no_entries)
    source: str = ""
    context: str = ""
    server: str = ""
    argocd_namespace: str = "argocd"
    clusters: tuple[ArgoCluster, ...] = ()
    """The clusters registered in Argo CD (name and server only), to resolve destinations with."""
    forbidden: Mapping[str, str] = field(default_factory=no_entries)
    """Kinds that could not be listed (forbidden, not served), with the API server's reason."""
    lineage: Lineage | None = field(default=None, compare=False, repr=False)
    """Set by apply_events: which snapshot this one was derived from and which keys changed (see changed_keys)."""

    @classmethod
    def from_objects(cls, objects: list[KubeObject], *, now: datetime, **meta: object) -> ClusterSnapshot:
        """Build a snapshot from a flat list of model objects (a dump, a LIST).

        `now` is required: the moment a snapshot describes is a fact about where it came from (the live
        source's clock at LIST time, a dump's stamp), which only the caller knows. A default would read the
        wall clock here, and every check reading `now` would stop being deterministic.
        """
        buckets: dict[str, dict[Key, KubeObject]] = {name: {} for name in COLLECTION_OF.values()}
        for obj in objects:
            buckets[COLLECTION_OF[type(obj)]][obj.key] = obj
        return cls(now=now, **buckets, **meta)  # type: ignore[arg-type]

    def destination(self, app: Application) -> Destination:
        """The cluster an Application deploys to (model/clusters.py)."""
        return destination_of(app, self.clusters)

    def app_clusters(self) -> dict[str, str]:
        """App name -> the cluster it deploys to, for the apps deploying elsewhere than Argo CD's own cluster
        (the tree lists them after the hub's, grouped and named by cluster); empty for the usual one cluster."""
        out: dict[str, str] = {}
        for app in self.applications.values():
            dest = self.destination(app)
            if not dest.in_cluster:
                out[app.name] = dest.label
        return out

    def cluster_of(self, app: Application) -> str:
        """The cluster an Application's objects are on, as their keys and refs name it: "" for the hub."""
        return cluster_of(app, self.clusters)

    def placed(self, ref: ObjectRef, app: Application) -> ObjectRef:
        """`ref`, an object `app` manages or its sync ran (status.resources, a sync result, a hook), as an object
        of the cluster the app deploys to: the same namespace and name can exist on the hub and on a spoke."""
        return replace(ref, cluster=self.cluster_of(app))

    def has_read(self, cluster: str) -> bool:
        """Whether the snapshot holds objects of `cluster` ("" the hub: always): a remote app's reader
        always yields its destination namespace, so none means the cluster was not read at all."""
        return not cluster or any(
            ns.origin is not None and ns.origin.cluster == cluster for ns in self.namespaces.values()
        )

    def namespace_named(self, name: str) -> Namespace | None:
        """The namespace `name` on the hub, else on another cluster (the first read): for what names a namespace
        but no cluster, such as the profile's gateway."""
        found = self.namespaces.get(("", name))
        if found is None:
            found = next((ns for ns in self.namespaces.values() if ns.name == name), None)
        return found

    def get(self, ref: ObjectRef) -> KubeObject | None:
        """The object `ref` names (on the cluster it names), None when the snapshot does not hold it."""
        name = COLLECTION_OF_KIND.get(ref.kind)
        return self.collection(name).get(ref.key) if name is not None else None

    def origin_of(self, ref: ObjectRef) -> Origin | None:
        """Where the object `ref` names was read from, None for the hub's own objects. An object the snapshot
        does not hold (a kind kftui does not read, or not read yet) goes by its namespace on its cluster (a
        namespace of a remote app is tagged)."""
        obj = self.get(ref) if ref.kind in TAGGED_KINDS else None
        if obj is None and ref.cluster:
            obj = self.namespaces.get(("", ref.namespace or "", ref.cluster))
        elif obj is None:  # (the profile's gateway, say, names no cluster)
            obj = self.namespace_named(ref.namespace) if ref.namespace else None
        return obj.origin if isinstance(obj, Tagged) else None

    def pods_behind(self, service: ObjectRef) -> list[Pod]:
        """The pods the Service selects, by name (none for a Service the snapshot does not hold)."""
        svc = self.services.get(service.key)
        if svc is None or not svc.selector:
            return []
        return sorted((p for p in self.pods.values() if svc.selects(p)), key=lambda p: p.name)

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
            and e.involved.cluster == ref.cluster
        ]
        return sorted(found, key=lambda e: e.seen, reverse=True)
