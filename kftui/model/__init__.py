"""The cluster as kftui sees it, free of any client library; this package re-exports the public names.

objects.py holds the Kubernetes objects, network.py Services, Endpoints and webhook configurations,
tagged.py which of them kftui reads from other clusters, applications.py Argo CD's Applications, projects.py its AppProjects,
snapshot.py the snapshot, changes.py watch events and how they are applied, lineage.py which keys a batch
changed, findings.py what checks conclude. Import from `kftui.model` rather than the modules, so the split stays an implementation detail.
"""

from kftui.model.applications import (
    Application,
    Condition,
    ManagedResource,
    OperationState,
    ResourceResult,
    SyncOperation,
)
from kftui.model.changes import Forbidden, Relisted, SnapshotChange, WatchEvent, apply_event, apply_events
from kftui.model.clusters import ARGOCD_API, DIRECT, HUB, ArgoCluster, Destination, Origin
from kftui.model.findings import (
    Chains,
    Finding,
    FixRef,
    Severity,
    base_id,
    consequences,
    roots,
    title_suffix,
)
from kftui.model.lineage import MAX_LINEAGE_STEPS, Lineage, changed_keys
from kftui.model.network import (
    EndpointAddress,
    Endpoints,
    Service,
    ServicePort,
    WebhookConfiguration,
    WebhookService,
)
from kftui.model.objects import (
    EMPTY_MAP,
    ContainerPort,
    ContainerStatus,
    CustomResourceDefinition,
    Event,
    HeldObject,
    Key,
    Namespace,
    ObjectRef,
    Pod,
    Workload,
    on_cluster,
)
from kftui.model.projects import AppProject, SyncWindow
from kftui.model.snapshot import (
    COLLECTION_OF,
    KIND_OF_TYPE,
    ClusterSnapshot,
    ConnectionState,
    KubeObject,
    cluster_of,
    kind_of,
)
from kftui.model.tagged import Tagged, with_origin

__all__ = [
    "ARGOCD_API",
    "COLLECTION_OF",
    "DIRECT",
    "EMPTY_MAP",
    "HUB",
    "KIND_OF_TYPE",
    "MAX_LINEAGE_STEPS",
    "AppProject",
    "Application",
    "ArgoCluster",
    "Chains",
    "ClusterSnapshot",
    "Condition",
    "ConnectionState",
    "ContainerPort",
    "ContainerStatus",
    "CustomResourceDefinition",
    "Destination",
    "EndpointAddress",
    "Endpoints",
    "Event",
    "Finding",
    "FixRef",
    "Forbidden",
    "HeldObject",
    "Key",
    "KubeObject",
    "Lineage",
    "ManagedResource",
    "Namespace",
    "ObjectRef",
    "OperationState",
    "Origin",
    "Pod",
    "Relisted",
    "ResourceResult",
    "Service",
    "ServicePort",
    "Severity",
    "SnapshotChange",
    "SyncOperation",
    "SyncWindow",
    "Tagged",
    "WatchEvent",
    "WebhookConfiguration",
    "WebhookService",
    "Workload",
    "apply_event",
    "apply_events",
    "base_id",
    "changed_keys",
    "cluster_of",
    "consequences",
    "kind_of",
    "on_cluster",
    "roots",
    "title_suffix",
    "with_origin",
]
