"""The health of one managed resource when the Application does not say.

Argo CD 3.0 stopped persisting per-resource health in the Application (status.resourceHealthSource:
appTree); it keeps it in the resource tree, which a dump or a plain watch does not see. This helper
falls back to what the live objects say, with rules close to Argo CD's built-in health checks:
a workload is Healthy when all desired replicas are ready, Degraded when one of its pods is failing,
Progressing otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kftui.checks.evidence import not_listed
from kftui.kinds import WORKLOAD_KINDS
from kftui.model import ClusterSnapshot, ManagedResource, ObjectRef, Pod, on_cluster

FAILING_REASONS = {
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "OOMKilled",
}


@dataclass(frozen=True, slots=True)
class Health:
    status: str
    message: str = ""
    computed: bool = False
    """True when kftui derived it from live objects rather than reading Argo CD's verdict."""


UNKNOWN = Health("")


def pod_failure(pod: Pod) -> str:
    """The reason a pod is failing (CrashLoopBackOff, ErrImagePull, ...), or '' when it is not."""
    for c in pod.containers:
        if c.reason in FAILING_REASONS and c.state in ("waiting", "terminated"):
            return c.reason
    return "Failed" if pod.phase == "Failed" else ""


class PodIndex:
    """(workload kind, namespace, workload name) -> its pods by name, plus the cluster for another cluster's
    pods (a spoke's pod of the same workload is not the hub's). Grouped on the first lookup: a check asking
    for many resources' health shares one index, and pays for grouping 100,000 pods only if some workload's
    health has to be computed from its pods (Argo CD 2.x records it in status.resources)."""

    def __init__(self, snapshot: ClusterSnapshot) -> None:
        self._snapshot = snapshot
        self._groups: dict[tuple[str, ...], list[Pod]] | None = None

    def get(self, workload: tuple[str, ...]) -> list[Pod]:
        if self._groups is None:
            self._groups = _group_by_workload(self._snapshot)
        return self._groups.get(workload, [])


def pod_index(snapshot: ClusterSnapshot) -> PodIndex:
    """The pods of `snapshot` by workload, grouped when first asked (PodIndex); build one per run."""
    return PodIndex(snapshot)


def _group_by_workload(snapshot: ClusterSnapshot) -> dict[tuple[str, ...], list[Pod]]:
    groups: dict[tuple[str, ...], list[Pod]] = defaultdict(list)
    for p in snapshot.pods.values():
        if p.workload_kind:
            workload = (p.workload_kind, p.namespace, p.workload_name)
            groups[workload if p.origin is None else (*workload, p.origin.cluster)].append(p)
    for pods in groups.values():
        pods.sort(key=lambda p: p.name)
    return dict(groups)


def workload_health(
    snapshot: ClusterSnapshot,
    kind: str,
    namespace: str,
    name: str,
    pods_by_workload: PodIndex | None = None,
    cluster: str = "",
) -> Health:
    workload = snapshot.workloads.get(ObjectRef(kind, namespace, name, cluster).key)
    index = pods_by_workload if pods_by_workload is not None else pod_index(snapshot)
    pods = index.get((kind, namespace, name, cluster) if cluster else (kind, namespace, name))
    for pod in pods:
        reason = pod_failure(pod)
        if reason:
            return Health("Degraded", f"pod {pod.name}: {reason}", computed=True)
    if workload is None:
        if snapshot.workloads and not not_listed(snapshot, kind):
            return Health("Missing", f"{kind} {namespace}/{name} does not exist", computed=True)
        return UNKNOWN
    if workload.ready >= workload.desired and workload.available >= workload.desired:
        return Health("Healthy", computed=True)
    return Health(
        "Progressing",
        f"{workload.ready}/{workload.desired} replicas ready, {workload.available} available",
        computed=True,
    )


def resource_health(
    snapshot: ClusterSnapshot,
    res: ManagedResource,
    pods_by_workload: PodIndex | None = None,
    cluster: str = "",
) -> Health:
    """Argo CD's health for the resource when recorded, else one computed from the live objects of `cluster`,
    the one its app deploys to ("" the hub: ClusterSnapshot.cluster_of).

    Pass `pod_index(snapshot)` when asking for many resources, so the pods are grouped once.
    """
    if res.health_status:
        return Health(res.health_status, res.health_message)
    if cluster and not snapshot.has_read(cluster):
        return UNKNOWN  # (nothing of that cluster was read: its objects are not missing, just not seen)
    if res.kind in WORKLOAD_KINDS:
        return workload_health(snapshot, res.kind, res.namespace, res.name, pods_by_workload, cluster)
    if res.kind == "Pod":
        pod = snapshot.pods.get(on_cluster((res.namespace, res.name), cluster))
        if pod is None:
            known = bool(snapshot.pods) and not not_listed(snapshot, "Pod")
            return Health("Missing", computed=True) if known else UNKNOWN
        reason = pod_failure(pod)
        if reason:
            return Health("Degraded", reason, computed=True)
        if pod.phase == "Succeeded" or (pod.phase == "Running" and pod.ready):
            return Health("Healthy", computed=True)
        return Health("Progressing", pod.display_status, computed=True)
    if res.kind == "Namespace":
        ns = snapshot.namespaces.get(on_cluster(("", res.name), cluster))
        if ns is None:
            known = bool(snapshot.namespaces) and not not_listed(snapshot, "Namespace")
            return Health("Missing", computed=True) if known else UNKNOWN
        if ns.phase == "Terminating" or ns.deleting_since is not None:
            return Health("Progressing", "namespace is Terminating", computed=True)
        return Health("Healthy", computed=True)
    if res.kind == "CustomResourceDefinition":
        crd = snapshot.crds.get(("", res.name))
        if crd is None:
            return UNKNOWN
        return Health("Healthy" if crd.established else "Progressing", computed=True)
    return UNKNOWN
