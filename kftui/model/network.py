"""How a cluster's traffic is wired as kftui sees it: Services, their Endpoints and admission webhooks.

The webhook check and the gateway check read these together: a webhook configuration names a Service, the
Service selects pods, its Endpoints say which of them are ready. A spoke's objects carry their Origin and
its cluster in their key, like the pods they select, so a lookup stays on one cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kftui.model.clusters import OnCluster, Origin
from kftui.model.objects import Key, ObjectRef, Pod, no_entries, on_cluster


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str
    port: int
    target_port: int | str
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class Service(OnCluster):
    namespace: str
    name: str
    type: str = "ClusterIP"
    ports: tuple[ServicePort, ...] = ()
    selector: Mapping[str, str] = field(default_factory=no_entries)
    labels: Mapping[str, str] = field(default_factory=no_entries)
    annotations: Mapping[str, str] = field(default_factory=no_entries)
    resource_version: str = ""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""

    @property
    def key(self) -> Key:
        return on_cluster((self.namespace, self.name), self.cluster)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Service", self.namespace, self.name, self.cluster)

    def selects(self, pod: Pod) -> bool:
        """Whether the Service sends traffic to `pod`: its selector matches the pod's labels, in its namespace,
        on its cluster (a Service without a selector selects none: its Endpoints are set by hand)."""
        selector = self.selector
        return (
            bool(selector)
            and pod.namespace == self.namespace
            and pod.cluster == self.cluster
            and all(pod.labels.get(k) == v for k, v in selector.items())
        )


@dataclass(frozen=True, slots=True)
class EndpointAddress:
    ip: str
    pod_name: str = ""


@dataclass(frozen=True, slots=True)
class Endpoints(OnCluster):
    """Ready and not-ready backends of a Service (from Endpoints or EndpointSlices)."""

    namespace: str
    name: str
    ready: tuple[EndpointAddress, ...] = ()
    not_ready: tuple[EndpointAddress, ...] = ()
    resource_version: str = ""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""

    @property
    def key(self) -> Key:
        return on_cluster((self.namespace, self.name), self.cluster)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Endpoints", self.namespace, self.name, self.cluster)


@dataclass(frozen=True, slots=True)
class WebhookService:
    """One webhook of a (Validating|Mutating)WebhookConfiguration that calls an in-cluster Service."""

    webhook: str
    namespace: str
    service: str
    port: int = 443
    failure_policy: str = "Fail"


@dataclass(frozen=True, slots=True)
class WebhookConfiguration(OnCluster):
    kind: str
    name: str
    webhooks: tuple[WebhookService, ...] = ()
    resource_version: str = ""
    origin: Origin | None = None
    """Set for objects of another cluster than the hub: which one, and by which path kftui read it."""

    @property
    def key(self) -> Key:
        return on_cluster((self.kind, self.name), self.cluster)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, None, self.name, self.cluster)
