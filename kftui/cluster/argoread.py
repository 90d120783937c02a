"""Reading a remote cluster through Argo CD's API: the seam (ArgoHttp) and the reads kftui makes through it.

The endpoints (server/application/application.proto, server/cluster/cluster.proto):
  GET /api/v1/applications/{name}/resource-tree                         ApplicationTree
  GET /api/v1/applications/{name}/resource?namespace&resourceName&...   {manifest: "<live object as JSON>"}
  GET /api/v1/applications/{name}/events?resourceNamespace&resourceName&resourceUID   v1.EventList
  GET /api/v1/applications/{name}/logs?namespace&podName&container&tailLines          one JSON per line:
                                                                         {"result": {"content", "last"}}
  GET /api/v1/clusters                                                   ClusterList {items: [{name, server}]}
  GET /api/v1/stream/applications/{name}/resource-tree                  one JSON per line, on each change:
                                                                         {"result": ApplicationTree} (argostream.py)
ArgoRestOps (argocd.py) implements the seam over httpx; tests fake the seam, never httpx. Every method raises
ActionError with one line (never the token) when Argo CD refuses or cannot be reached. Without an Argo CD server,
the registered clusters come from Argo CD's cluster Secrets on the hub instead (cluster_secrets).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol
from urllib.parse import quote

from kftui.cluster import convert
from kftui.cluster.argotree import Live, TreeNode, from_nodes, tree_nodes, wanted_endpoints, wanted_manifests
from kftui.cluster.fields import as_list, as_map, as_str
from kftui.cluster.http import KubeHttp
from kftui.cluster.ops import ActionError
from kftui.kinds import KINDS
from kftui.model import (
    ArgoCluster,
    Endpoints,
    Event,
    KubeObject,
    Namespace,
    Origin,
    Pod,
    WebhookConfiguration,
    Workload,
    with_origin,
)

Params = Mapping[str, str | int]


class ArgoHttp(Protocol):
    """What reading through Argo CD needs of an authenticated client to its API server."""

    @property
    def endpoint(self) -> str: ...

    def get_json(self, path: str, params: Params | None = None) -> Any:
        """GET and parse JSON; ActionError for a refusal (with Argo CD's reason) or no answer."""
        ...

    def get_text(self, path: str, params: Params | None = None) -> str:
        """GET a text answer whole (the logs endpoint's JSON lines)."""
        ...

    def stream(
        self, path: str, params: Params, stop: threading.Event
    ) -> AbstractContextManager[Iterator[bytes]]:
        """GET a streaming answer (WatchResourceTree): entering sends the request and raises ActionError when
        Argo CD refuses it or cannot be reached; the value yields the body's chunks as they arrive (not split
        into lines: the caller bounds them) until the answer ends, nothing arrives for a long while (an idle
        stream ends quietly, to be reopened), or `stop` is set (which cuts a blocked read promptly); leaving
        releases the connection."""
        ...


def app_path(name: str, tail: str = "") -> str:
    return f"/api/v1/applications/{quote(name, safe='')}{tail}"


def clusters(http: ArgoHttp) -> tuple[ArgoCluster, ...]:
    """The clusters Argo CD knows (name and server only; the answer holds no credentials, kftui keeps none)."""
    data = http.get_json("/api/v1/clusters")
    return tuple(
        ArgoCluster(as_str(item.get("name")), as_str(item.get("server")))
        for item in map(as_map, as_list(as_map(data).get("items")))
        if as_str(item.get("server"))
    )


class AppReader:
    """Reads one Application's objects on its cluster through Argo CD, keeping the live manifests it fetched
    (by uid and resourceVersion) so that a poll only GETs what changed."""

    def __init__(
        self, http: ArgoHttp, app: str, app_namespace: str, origin: Origin, dest_namespace: str
    ) -> None:
        self.http = http
        self.app = app
        self.app_namespace = app_namespace
        self.origin = origin
        self.dest_namespace = dest_namespace
        self._manifests: dict[str, tuple[str, Live]] = {}
        self._nodes: list[TreeNode] | None = None

    def _params(self, **extra: str | int) -> dict[str, str | int]:
        return {"appNamespace": self.app_namespace, **extra}

    def read(self, tree: Any = None) -> list[KubeObject]:
        """The app's namespaces, workloads, pods and Services (with the webhooks' Endpoints and configurations),
        and the events about its unhealthy pods: from `tree` when
        given (an ApplicationTree the live stream sent), else from the tree GET now."""
        if tree is None:
            tree = self.http.get_json(app_path(self.app, "/resource-tree"), self._params())
        nodes = tree_nodes(tree)
        objects = self._objects(nodes)
        self._nodes = nodes
        return objects

    def read_if_changed(self, tree: Any) -> list[KubeObject] | None:
        """read(tree), or None when its nodes are the last read's: Argo CD streams the whole tree after every
        reconcile of the app, most of them changing nothing kftui reads."""
        nodes = tree_nodes(tree)
        if nodes == self._nodes:
            return None
        objects = self._objects(nodes)
        self._nodes = nodes
        return objects

    def _objects(self, nodes: list[TreeNode]) -> list[KubeObject]:
        live: dict[str, Live] = {}
        for node in wanted_manifests(nodes):
            obj = self._live(node)
            if obj is not None:
                live[node.uid] = obj
        for node in list(wanted_endpoints(nodes, live.values())):
            obj = self._live(node)
            if obj is not None:
                live[node.uid] = obj
        self._manifests = {uid: kept for uid, kept in self._manifests.items() if uid in live}
        objects = from_nodes(nodes, self.origin, live, self.dest_namespace)
        for node in nodes:
            if node.kind == "Pod" and not node.healthy:
                objects.extend(self.events(node))
        return objects

    def _live(self, node: TreeNode) -> Live | None:
        kept = self._manifests.get(node.uid)
        if kept is not None and kept[0] == node.resource_version:
            return kept[1]
        try:
            raw = self.manifest(node.kind, node.namespace, node.name, node.group, node.version)
        except ActionError:
            return None  # the node alone still says what it can
        obj = convert.to_model(raw, node.kind) if raw else None
        if isinstance(obj, Pod | Workload | Namespace | Endpoints | WebhookConfiguration):
            self._manifests[node.uid] = (node.resource_version, obj)
            return obj
        return None

    def manifest(
        self, kind: str, namespace: str, name: str, group: str = "", version: str = ""
    ) -> dict[str, Any]:
        """The live object as Argo CD reads it from the app's cluster (the YAML view, unhealthy nodes)."""
        params = self._params(
            namespace=namespace, resourceName=name, kind=kind, group=group, version=version or "v1"
        )
        data = self.http.get_json(app_path(self.app, "/resource"), params)
        text = as_str(as_map(data).get("manifest"))
        try:
            parsed = json.loads(text) if text else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def events(self, node: TreeNode) -> list[KubeObject]:
        """Events about one resource on the app's cluster; none (not an error) when Argo CD refuses them."""
        params = self._params(resourceNamespace=node.namespace, resourceName=node.name, resourceUID=node.uid)
        try:
            data = self.http.get_json(app_path(self.app, "/events"), params)
        except ActionError:
            return []
        out: list[KubeObject] = []
        for item in map(as_map, as_list(as_map(data).get("items"))):
            event = convert.to_model(item, "Event")
            if isinstance(event, Event):
                out.append(with_origin(event, self.origin))
        return out

    def logs(self, namespace: str, pod: str, container: str = "", tail: int = 200) -> str:
        """A pod's last lines through Argo CD (it proxies the kubelet's log of the app's cluster)."""
        params = self._params(namespace=namespace, podName=pod, tailLines=tail, follow="false")
        if container:
            params["container"] = container
        text = self.http.get_text(app_path(self.app, "/logs"), params)
        lines: list[str] = []
        for raw in text.splitlines():
            try:
                entry = as_map(as_map(json.loads(raw)).get("result"))
            except ValueError:
                continue
            if entry.get("last") is True:
                break
            lines.append(as_str(entry.get("content")))
        return "".join(line + "\n" for line in lines)


CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type=cluster"


def _decoded(value: Any) -> str:
    try:
        return base64.b64decode(as_str(value), validate=True).decode("utf-8", "replace")
    except ValueError:
        return ""


def cluster_secrets(http: KubeHttp, argocd_namespace: str) -> tuple[ArgoCluster, ...]:
    """The clusters registered as Secrets in Argo CD's namespace: `data.name` and `data.server` only.

    The Secret's `config` (bearer token, TLS keys) is never decoded, kept or shown.
    """
    data = http.get_json(KINDS["Secret"].path(argocd_namespace), {"labelSelector": CLUSTER_SECRET_LABEL})
    out: list[ArgoCluster] = []
    for item in map(as_map, as_list(as_map(data).get("items"))):
        fields = as_map(item.get("data"))
        server = _decoded(fields.get("server"))
        if server:
            out.append(ArgoCluster(_decoded(fields.get("name")), server))
    return tuple(out)
