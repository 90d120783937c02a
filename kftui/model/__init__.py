"""The cluster as kftui sees it, free of any client library; this package re-exports the public names.

objects.py holds the Kubernetes objects, applications.py Argo CD's Applications, projects.py its AppProjects,
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
from kftui.model.findings import Finding, FixRef, Severity
from kftui.model.lineage import MAX_LINEAGE_STEPS, Lineage, changed_keys
from kftui.model.objects import (
    EMPTY_MAP,
    ContainerPort,
    ContainerStatus,
    CustomResourceDefinition,
    EndpointAddress,
    Endpoints,
    Event,
    Key,
    Namespace,
    ObjectRef,
    Pod,
    Service,
    ServicePort,
    WebhookConfiguration,
    WebhookService,
    Workload,
)
from kftui.model.projects import AppProject, SyncWindow
from kftui.model.snapshot import (
    COLLECTION_OF,
    KIND_OF_TYPE,
    ClusterSnapshot,
    ConnectionState,
    KubeObject,
    kind_of,
)

__all__ = [
    "COLLECTION_OF",
    "EMPTY_MAP",
    "KIND_OF_TYPE",
    "MAX_LINEAGE_STEPS",
    "AppProject",
    "Application",
    "ClusterSnapshot",
    "Condition",
    "ConnectionState",
    "ContainerPort",
    "ContainerStatus",
    "CustomResourceDefinition",
    "EndpointAddress",
    "Endpoints",
    "Event",
    "Finding",
    "FixRef",
    "Forbidden",
    "Key",
    "KubeObject",
    "Lineage",
    "ManagedResource",
    "Namespace",
    "ObjectRef",
    "OperationState",
    "Pod",
    "Relisted",
    "ResourceResult",
    "Service",
    "ServicePort",
    "Severity",
    "SnapshotChange",
    "SyncOperation",
    "SyncWindow",
    "WatchEvent",
    "WebhookConfiguration",
    "WebhookService",
    "Workload",
    "apply_event",
    "apply_events",
    "changed_keys",
    "kind_of",
]
