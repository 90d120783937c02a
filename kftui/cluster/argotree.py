"""Argo CD's view of a remote cluster as kftui's model: ApplicationTree nodes -> Pods, Workloads, Namespaces,
Services, and the Endpoints and webhook configurations the webhook check needs.

The JSON shapes are Argo CD's API types (pkg/apis/application/v1alpha1): an ApplicationTree holds `nodes`
(ResourceNode: group, version, kind, namespace, name, uid, parentRefs, info [{name, value}], networkingInfo,
resourceVersion, images, health {status, message}, createdAt). For a Pod, Argo CD's controller fills info with
"Status Reason" (what `kubectl get pods` shows in STATUS), "Node", "Containers" ("ready/total") and "Restart
Count" (controller/cache/info.go, populatePodInfo). A healthy object is built from its node alone; for an
unhealthy one the caller fetches the live manifest (`.../resource`) and converts it like a LIST item, so the
checks see the same container states they see on the hub. A Service's node gives its selector
(networkingInfo.targetLabels); a webhook configuration says which Services it calls only in its manifest, so
each one in the tree is fetched, and then the Endpoints of the Services those call (gitops-engine shows an
Endpoints object under the Service of its name). Every object carries its Origin.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kftui.cluster.fields import as_int, as_list, as_map, as_str, parse_time, str_map
from kftui.cluster.objects import workload_of
from kftui.kinds import WORKLOAD_KINDS
from kftui.model import (
    ContainerStatus,
    Endpoints,
    KubeObject,
    Namespace,
    Origin,
    Pod,
    Service,
    WebhookConfiguration,
    Workload,
    with_origin,
)

Live = Pod | Workload | Namespace | Endpoints | WebhookConfiguration
"""What a live manifest of a read kind converts to."""

# The kinds read from the tree; the rest of it (ReplicaSets, ConfigMaps, custom resources) only links them.
READ_KINDS = frozenset({"Pod", "Namespace", *WORKLOAD_KINDS})
WEBHOOK_GROUP = "admissionregistration.k8s.io"
WEBHOOK_KINDS = frozenset({"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"})
# Pod STATUS words that mean a container is waiting (phase Pending or Running, not ready).
_PENDING_REASONS = frozenset(
    {
        "Pending",
        "ContainerCreating",
        "PodInitializing",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
    }
)


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One ResourceNode, reduced to what kftui reads of it."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    uid: str
    parents: tuple[str, ...]
    info: Mapping[str, str]
    labels: Mapping[str, str]
    target_labels: Mapping[str, str]
    """A Service's selector, as Argo CD's networkingInfo gives it."""
    health: str
    health_message: str
    resource_version: str
    raw_created: str

    @property
    def healthy(self) -> bool:
        """Argo CD calls it Healthy (or gives it no health, as for kinds it has no rule for)."""
        return self.health in ("", "Healthy")


def tree_nodes(tree: Any) -> list[TreeNode]:
    """The nodes of an ApplicationTree (orphaned nodes are not the app's); tolerant of missing fields."""
    out: list[TreeNode] = []
    for raw in map(as_map, as_list(as_map(tree).get("nodes"))):
        health = as_map(raw.get("health"))
        out.append(
            TreeNode(
                group=as_str(raw.get("group")),
                version=as_str(raw.get("version")),
                kind=as_str(raw.get("kind")),
                namespace=as_str(raw.get("namespace")),
                name=as_str(raw.get("name")),
                uid=as_str(raw.get("uid")),
                parents=tuple(as_str(as_map(p).get("uid")) for p in as_list(raw.get("parentRefs"))),
                info={
                    as_str(i.get("name")): as_str(i.get("value"))
                    for i in map(as_map, as_list(raw.get("info")))
                },
                labels=str_map(as_map(raw.get("networkingInfo")).get("labels")),
                target_labels=str_map(as_map(raw.get("networkingInfo")).get("targetLabels")),
                health=as_str(health.get("status")),
                health_message=as_str(health.get("message")),
                resource_version=as_str(raw.get("resourceVersion")),
                raw_created=as_str(raw.get("createdAt")),
            )
        )
    return out


def _ready_total(text: str) -> tuple[int, int]:
    ready, _, total = text.partition("/")
    return as_int(ready), as_int(total)


def _owner(node: TreeNode, by_uid: Mapping[str, TreeNode]) -> tuple[str, str, str, str]:
    """(owner kind, owner name, workload kind, workload name) from the node's parents in the tree."""
    parent = next((by_uid[u] for u in node.parents if u in by_uid), None)
    if parent is None:
        return "", "", "", ""
    owner_kind, owner_name = parent.kind, parent.name
    grand = next((by_uid[u] for u in parent.parents if u in by_uid), None)
    if grand is not None and grand.kind in WORKLOAD_KINDS:
        return owner_kind, owner_name, grand.kind, grand.name
    workload_kind, workload_name = workload_of(owner_kind, owner_name)
    return owner_kind, owner_name, workload_kind, workload_name


def pod_from_node(node: TreeNode, by_uid: Mapping[str, TreeNode], origin: Origin) -> Pod:
    """A Pod as far as its tree node tells: STATUS, containers ready/total, restarts, node, owner, labels.

    The containers are unnamed stand-ins (the tree does not name them): enough for the tree's READY and
    RESTARTS and for a healthy pod; an unhealthy pod is read from its live manifest instead (pod_from_manifest).
    """
    status = node.info.get("Status Reason", "")
    ready_count, total = _ready_total(node.info.get("Containers", ""))
    restarts = as_int(node.info.get("Restart Count", ""))
    if status in ("Completed", "Succeeded"):
        phase = "Succeeded"
    elif status in ("Failed", "Error"):
        phase = "Failed"
    elif status in _PENDING_REASONS or status.startswith("Init:"):
        phase = "Pending"
    else:
        phase = "Running"
    ready = total > 0 and ready_count == total
    running = phase == "Running" and ready
    containers = tuple(
        ContainerStatus(
            name="",
            ready=n < ready_count,
            restart_count=restarts if n == 0 else 0,
            state="running" if running or n < ready_count else "waiting",
            reason="" if running or n < ready_count else status,
        )
        for n in range(total)
    )
    owner_kind, owner_name, workload_kind, workload_name = _owner(node, by_uid)
    return Pod(
        namespace=node.namespace,
        name=node.name,
        phase=phase,
        ready=ready,
        containers=containers,
        node=node.info.get("Node", ""),
        owner_kind=owner_kind,
        owner_name=owner_name,
        workload_kind=workload_kind,
        workload_name=workload_name,
        labels=node.labels,
        reason="" if status in ("Running", phase) else status,
        message=node.health_message,
        created_at=parse_time(node.raw_created),
        resource_version=node.resource_version,
        origin=origin,
    )


def workload_from_node(node: TreeNode, pods: Iterable[Pod], origin: Origin) -> Workload:
    """A healthy workload from its node: its pods in the tree count as desired, the ready ones as ready."""
    mine = [p for p in pods if p.workload_kind == node.kind and p.workload_name == node.name]
    ready = sum(1 for p in mine if p.ready)
    return Workload(
        kind=node.kind,
        namespace=node.namespace,
        name=node.name,
        desired=len(mine),
        ready=ready,
        available=ready,
        labels=node.labels,
        resource_version=node.resource_version,
        origin=origin,
    )


def from_nodes(
    nodes: list[TreeNode], origin: Origin, live: Mapping[str, Live], dest_namespace: str = ""
) -> list[KubeObject]:
    """The model objects of an app's tree: Pods, Workloads and the Namespaces they are in.

    `live` maps a node's uid to the object converted from its live manifest (fetched for unhealthy nodes);
    it replaces what the node alone would say, with the origin set on it.
    """
    by_uid = {n.uid: n for n in nodes if n.uid}
    pods: list[Pod] = []
    out: list[KubeObject] = []
    namespaces: dict[str, KubeObject] = {}
    if dest_namespace:
        namespaces[dest_namespace] = Namespace(dest_namespace, origin=origin)
    for node in nodes:
        fetched = live.get(node.uid)
        if isinstance(fetched, Endpoints | WebhookConfiguration):
            out.append(with_origin(fetched, origin))
            continue
        if node.kind == "Service" and node.group == "":
            out.append(Service(node.namespace, node.name, selector=node.target_labels, origin=origin))
            continue
        if node.kind not in READ_KINDS or node.group not in ("", "apps"):
            continue
        if fetched is not None:
            obj: KubeObject = with_origin(fetched, origin)
        elif node.kind == "Pod":
            obj = pod_from_node(node, by_uid, origin)
        elif node.kind == "Namespace":
            obj = Namespace(node.name, created_at=parse_time(node.raw_created), origin=origin)
        else:
            continue  # workloads after the pods, which they count
        if isinstance(obj, Namespace):
            namespaces[obj.name] = obj
        else:
            if isinstance(obj, Pod):
                pods.append(obj)
            out.append(obj)
    for node in nodes:
        if node.kind in WORKLOAD_KINDS and node.group == "apps" and node.uid not in live:
            out.append(workload_from_node(node, pods, origin))
    for obj in out:
        ns = getattr(obj, "namespace", "")
        if ns and ns not in namespaces:
            namespaces[ns] = Namespace(ns, origin=origin)
    return [*namespaces.values(), *out]


def wanted_manifests(nodes: Iterable[TreeNode]) -> Iterator[TreeNode]:
    """The nodes whose live manifest is worth one GET: unhealthy Pods and workloads (a healthy one says all
    from its node) and webhook configurations (a handful per install). Bounded by what is broken and by
    the webhooks, not by the size of the app."""
    for node in nodes:
        if (node.kind in READ_KINDS and node.kind != "Namespace" and not node.healthy) or (
            node.kind in WEBHOOK_KINDS and node.group == WEBHOOK_GROUP
        ):
            yield node


def wanted_endpoints(nodes: Iterable[TreeNode], fetched: Iterable[Live]) -> Iterator[TreeNode]:
    """The Endpoints nodes of the Services the fetched webhook configurations call: whether a webhook can be
    served is the one thing kftui reads Endpoints for through Argo CD."""
    called = {
        (w.namespace, w.service)
        for obj in fetched
        if isinstance(obj, WebhookConfiguration)
        for w in obj.webhooks
    }
    for node in nodes:
        if node.kind == "Endpoints" and node.group == "" and (node.namespace, node.name) in called:
            yield node
