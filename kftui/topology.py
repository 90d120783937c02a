"""Who owns what: Applications -> the namespaces they deploy to -> their resources and pods.

Argo CD lists the objects it manages in status.resources, but not the pods their controllers create.
A pod belongs to the app that manages its workload (Deployment, StatefulSet, DaemonSet, Job) or the pod
itself; anything else in a namespace is shown as unowned rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kftui.model import Application, ClusterSnapshot, ManagedResource, Pod

ARGOCD_INSTANCE_LABEL = "app.kubernetes.io/instance"


@dataclass
class NamespaceNode:
    name: str
    exists: bool
    resources: list[ManagedResource] = field(default_factory=list)
    pods: list[Pod] = field(default_factory=list)


@dataclass
class AppNode:
    app: Application
    namespaces: dict[str, NamespaceNode] = field(default_factory=dict)
    cluster_resources: list[ManagedResource] = field(default_factory=list)


@dataclass
class Topology:
    apps: list[AppNode]
    unowned_pods: dict[str, list[Pod]]
    orphan_namespaces: list[str]
    pod_owner: dict[tuple[str, str], str]

    def app_of_pod(self, pod: Pod) -> str | None:
        return self.pod_owner.get(pod.key)


def _workload_owners(apps: list[Application]) -> dict[tuple[str, str, str], str]:
    owners: dict[tuple[str, str, str], str] = {}
    for app in apps:
        for res in app.resources:
            owners.setdefault((res.kind, res.namespace, res.name), app.name)
    return owners


def pod_owner_index(snapshot: ClusterSnapshot) -> dict[tuple[str, str], str]:
    """(namespace, pod) -> Application name, for every pod an app can be shown to own."""
    owners = _workload_owners(sorted(snapshot.applications.values(), key=lambda a: a.name))
    app_names = {a.name for a in snapshot.applications.values()}
    index: dict[tuple[str, str], str] = {}
    for pod in snapshot.pods.values():
        app = owners.get((pod.workload_kind, pod.namespace, pod.workload_name)) or owners.get(
            ("Pod", pod.namespace, pod.name)
        )
        if app is None and pod.labels.get(ARGOCD_INSTANCE_LABEL) in app_names:
            app = pod.labels[ARGOCD_INSTANCE_LABEL]
        if app is not None:
            index[pod.key] = app
    return index


def build_topology(snapshot: ClusterSnapshot) -> Topology:
    apps = sorted(snapshot.applications.values(), key=lambda a: a.name)
    pod_owner = pod_owner_index(snapshot)
    pods_by_app_ns: dict[tuple[str, str], list[Pod]] = defaultdict(list)
    unowned: dict[str, list[Pod]] = defaultdict(list)
    for pod in sorted(snapshot.pods.values(), key=lambda p: (p.namespace, p.name)):
        owner = pod_owner.get(pod.key)
        if owner is None:
            unowned[pod.namespace].append(pod)
        else:
            pods_by_app_ns[(owner, pod.namespace)].append(pod)
    existing = {ns.name for ns in snapshot.namespaces.values()}
    claimed: set[str] = set()
    nodes: list[AppNode] = []
    for app in apps:
        node = AppNode(app)
        for ns in app.target_namespaces:
            node.namespaces[ns] = NamespaceNode(ns, exists=ns in existing)
            claimed.add(ns)
        for res in app.resources:
            if res.namespace:
                node.namespaces.setdefault(
                    res.namespace, NamespaceNode(res.namespace, res.namespace in existing)
                )
                node.namespaces[res.namespace].resources.append(res)
            elif res.kind != "Namespace":
                node.cluster_resources.append(res)
        for (owner, ns), pods in pods_by_app_ns.items():
            if owner == app.name:
                node.namespaces.setdefault(ns, NamespaceNode(ns, ns in existing))
                node.namespaces[ns].pods.extend(pods)
        nodes.append(node)
    system = {"kube-system", "kube-public", "kube-node-lease", "default", snapshot.argocd_namespace}
    orphans = sorted(existing - claimed - system)
    return Topology(apps=nodes, unowned_pods=dict(unowned), orphan_namespaces=orphans, pod_owner=pod_owner)
