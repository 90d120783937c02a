"""Which cluster each Application deploys to, and by which path kftui reads that cluster (pure).

Argo CD names a destination by `spec.destination.server` (an API server URL) or `.name` (a registered
cluster's name). `https://kubernetes.default.svc` and the name `in-cluster` are Argo CD's own cluster; every
other cluster is registered as a Secret labelled `argocd.argoproj.io/secret-type=cluster` (its `name` and
`server` data keys) or, equivalently, listed by Argo CD's `/api/v1/clusters`. kftui keeps only name and
server of those: never the Secret's `config`, which holds the credentials.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
IN_CLUSTER_NAME = "in-cluster"

# How kftui reads a cluster's pods, workloads, namespaces and events.
HUB = "hub"
"""The cluster kftui's kube context points at (Argo CD's own cluster)."""
DIRECT = "direct"
"""Another cluster, through a kube context of its own (full watches)."""
ARGOCD_API = "argocd-api"
"""Another cluster, through Argo CD's API (resource tree, events, logs) with the Argo CD token."""


@dataclass(frozen=True, slots=True)
class ArgoCluster:
    """A cluster registered in Argo CD: its name and API server URL (nothing else of the Secret is kept)."""

    name: str
    server: str


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an Application deploys: the cluster's name and server, and whether that is Argo CD's own.

    `known` is False when neither the server nor the name matches a registered cluster (Argo CD then reports
    an InvalidSpecError); kftui still groups the app under what the spec says.
    """

    name: str
    server: str
    in_cluster: bool
    known: bool = True

    @property
    def label(self) -> str:
        """How the tree and findings name the cluster: its Argo CD name, else its server's host."""
        return self.name or self.server.partition("://")[2].partition("/")[0] or self.server


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an object of the snapshot came from: which cluster, and by which path (DIRECT or ARGOCD_API)."""

    cluster: str
    path: str
    context: str = ""
    """For DIRECT: the kube context that reaches the cluster (port-forwards go through it)."""

    @property
    def evidence(self) -> str:
        """The line a finding about such an object carries, so nobody mistakes it for the hub's."""
        how = "Argo CD API" if self.path == ARGOCD_API else "a direct kube context"
        return f"via {how} (cluster {self.cluster})"


class OnCluster:
    """For the kinds kftui reads from other clusters than the hub (each with an `origin` field): `cluster`."""

    __slots__ = ()
    origin: Origin | None

    @property
    def cluster(self) -> str:
        """The cluster the object is on, as refs name it: "" for the hub's."""
        return self.origin.cluster if self.origin else ""


HUB_DESTINATION = Destination(IN_CLUSTER_NAME, IN_CLUSTER_SERVER, in_cluster=True)


def normal_server(url: str) -> str:
    """A server URL compared loosely: no trailing slash, lower-case scheme and host (`:443` left as written)."""
    url = url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.lower()
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def resolve(server: str, name: str, clusters: Iterable[ArgoCluster]) -> Destination:
    """The destination `spec.destination` names: by name first (Argo CD refuses both set), then by server."""
    if not name and server == IN_CLUSTER_SERVER:
        return HUB_DESTINATION  # (most apps, spelled as Argo CD spells it: checks resolve every app, often)
    registered = list(clusters)
    if name:
        if name == IN_CLUSTER_NAME:
            return HUB_DESTINATION
        for c in registered:
            if c.name == name:
                return Destination(c.name, c.server, normal_server(c.server) == IN_CLUSTER_SERVER)
        return Destination(name, "", in_cluster=False, known=False)
    if not server or normal_server(server) == IN_CLUSTER_SERVER:
        # No destination at all is an invalid spec; Argo CD cannot deploy it anywhere but here either.
        return HUB_DESTINATION
    wanted = normal_server(server)
    for c in registered:
        if normal_server(c.server) == wanted:
            return Destination(c.name, c.server, in_cluster=False)
    return Destination("", server, in_cluster=False, known=False)


def context_for(server: str, contexts: Mapping[str, str], mapping: Mapping[str, str]) -> str:
    """The kube context that reaches `server`: a configured mapping first, then a context whose cluster
    has the same server URL; "" when there is none. `contexts` maps context name -> its cluster's server."""
    wanted = normal_server(server)
    for url, context in mapping.items():
        if normal_server(url) == wanted:
            return context
    matches = sorted(name for name, url in contexts.items() if normal_server(url) == wanted)
    return matches[0] if matches else ""
