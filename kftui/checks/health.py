"""The health of one managed resource when the Application does not say.

Argo CD 3.0 stopped persisting per-resource health in the Application (status.resourceHealthSource:
appTree); it keeps it in the resource tree, which a dump or a plain watch does not see. This helper
falls back to what the live objects say, with rules close to Argo CD's built-in health checks:
a workload is Healthy when all desired replicas are ready, Degraded when one of its pods is failing,
Progressing otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from kftui.model import ClusterSnapshot, ManagedResource, Pod

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
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


def _workload_pods(snapshot: ClusterSnapshot, kind: str, namespace: str, name: str) -> list[Pod]:
    return sorted(
        (
            p
            for p in snapshot.pods.values()
            if p.namespace == namespace and p.workload_kind == kind and p.workload_name == name
        ),
        key=lambda p: p.name,
    )


def workload_health(snapshot: ClusterSnapshot, kind: str, namespace: str, name: str) -> Health:
    workload = snapshot.workloads.get((kind, f"{namespace}/{name}"))
    pods = _workload_pods(snapshot, kind, namespace, name)
    for pod in pods:
        reason = pod_failure(pod)
        if reason:
            return Health("Degraded", f"pod {pod.name}: {reason}", computed=True)
    if workload is None:
        if snapshot.workloads and "workloads" not in snapshot.forbidden:
            return Health("Missing", f"{kind} {namespace}/{name} does not exist", computed=True)
        return UNKNOWN
    if workload.ready >= workload.desired and workload.available >= workload.desired:
        return Health("Healthy", computed=True)
    return Health(
        "Progressing",
        f"{workload.ready}/{workload.desired} replicas ready, {workload.available} available",
        computed=True,
    )


def resource_health(snapshot: ClusterSnapshot, res: ManagedResource) -> Health:
    """Argo CD's health for the resource when recorded, else one computed from the live objects."""
    if res.health_status:
        return Health(res.health_status, res.health_message)
    if res.kind in WORKLOAD_KINDS:
        return workload_health(snapshot, res.kind, res.namespace, res.name)
    if res.kind == "Pod":
        pod = snapshot.pods.get((res.namespace, res.name))
        if pod is None:
            return Health("Missing", computed=True) if snapshot.pods else UNKNOWN
        reason = pod_failure(pod)
        if reason:
            return Health("Degraded", reason, computed=True)
        if pod.phase == "Succeeded" or (pod.phase == "Running" and pod.ready):
            return Health("Healthy", computed=True)
        return Health("Progressing", pod.display_status, computed=True)
    if res.kind == "Namespace":
        ns = snapshot.namespaces.get(("", res.name))
        if ns is None:
            return Health("Missing", computed=True) if snapshot.namespaces else UNKNOWN
        if ns.phase == "Terminating" or ns.deleting_since is not None:
            return Health("Progressing", "namespace is Terminating", computed=True)
        return Health("Healthy", computed=True)
    if res.kind == "CustomResourceDefinition":
        crd = snapshot.crds.get(("", res.name))
        if crd is None:
            return UNKNOWN
        return Health("Healthy" if crd.established else "Progressing", computed=True)
    return UNKNOWN
