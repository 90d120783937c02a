"""Several clusters as one SnapshotSource: the hub's source, plus the objects of Applications deployed elsewhere.

For an Application whose destination is another cluster, kftui reads that cluster's pods, workloads, namespaces
and events through Argo CD's API (argoread.AppReader; while following, on each tree the app's live stream sends
and by a poll: argoapps.py), or, when a kube context reaches that cluster, through that context's own source
(full watches, its objects tagged "direct"). Every such object carries its Origin; the checks read them like the
hub's. The registered clusters come from Argo CD's /api/v1/clusters when an Argo CD server is given, else from
its cluster Secrets (name and server only).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kftui.cluster import remotedump
from kftui.cluster.argoapps import ArgoApps, identity
from kftui.cluster.argoread import AppReader, ArgoHttp, cluster_secrets, clusters
from kftui.cluster.argostream import MAX_STREAMS
from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp
from kftui.cluster.logs import LogRequest
from kftui.cluster.ops import ActionError
from kftui.cluster.source import Changes, ConnectionStatus, Sink, SnapshotSource, SourceError
from kftui.model import (
    ARGOCD_API,
    DIRECT,
    Application,
    ArgoCluster,
    ClusterSnapshot,
    ConnectionState,
    Key,
    KubeObject,
    ObjectRef,
    Origin,
    Relisted,
    Tagged,
    WatchEvent,
    apply_events,
    on_cluster,
    with_origin,
)

POLL_INTERVAL = 5.0
# An app whose live stream is up is still read this often (never more often than `interval`).
SAFETY_INTERVAL = 60.0
TICK = 1.0  # how often follow looks at what is due and at the streams' state
REMOTE_COLLECTIONS = ("namespaces", "pods", "workloads", "events", "services", "endpoints", "webhooks")


def _read_directly(source: SnapshotSource, origin: Origin) -> list[KubeObject]:
    """The objects kftui reads of a cluster through its own kube context, tagged with their origin."""
    remote = source.load()
    return [
        with_origin(o, origin)
        for name in REMOTE_COLLECTIONS
        for o in remote.collection(name).values()
        if isinstance(o, Tagged)
    ]


def tagged(obj: KubeObject, origin: Origin) -> KubeObject:
    """An object of a remote cluster marked as coming from it (the kinds kftui keys by cluster; others as they are)."""
    return with_origin(obj, origin) if isinstance(obj, Tagged) else obj


class FederatedSource:
    """The hub's source plus the remote Applications' objects, as one live SnapshotSource."""

    live = True

    def __init__(
        self,
        hub: SnapshotSource,
        argo: ArgoHttp | None,
        *,
        direct: Mapping[str, SnapshotSource] | None = None,
        connect: Callable[[str], SnapshotSource | None] | None = None,
        interval: float = POLL_INTERVAL,
        argocd_namespace: str = "argocd",
        safety: float = SAFETY_INTERVAL,
        max_streams: int = MAX_STREAMS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`direct` maps a cluster's server URL to the source of a kube context that reaches it; `connect`
        makes such a source for a registered cluster's server when a context reaches it (None otherwise).
        `max_streams` bounds the live streams (0: poll only)."""
        self.hub = hub
        self.argo = argo
        self.direct = dict(direct or {})
        self.connect = connect
        self.interval = interval
        self.argocd_namespace = argocd_namespace
        self._lock = threading.Lock()
        self._apps: dict[Key, Application] = {}
        self._apps_changed = False
        self._clusters: tuple[ArgoCluster, ...] = ()
        self._direct_problem = ""
        self.via_argo = ArgoApps(argo, interval=interval, safety=safety, max_streams=max_streams, clock=clock)

    def __getattr__(self, name: str) -> Any:
        """What only the hub offers (preflight, prefetch, dump_objects, http, context) is the hub's."""
        if name == "hub":  # not set yet (a half-built object): no recursion
            raise AttributeError(name)
        return getattr(self.hub, name)

    # --- the clusters -------------------------------------------------------------------------------

    @property
    def clusters(self) -> tuple[ArgoCluster, ...]:
        """The registered clusters as the last load read them (`kftui dump` records them)."""
        return self._clusters

    def registered(self) -> tuple[ArgoCluster, ...]:
        """Argo CD's clusters: from its API when one is given, else from its cluster Secrets; none when
        neither can be read (every app then resolves to the hub or to a name it cannot place)."""
        if self.argo is not None:
            try:
                return clusters(self.argo)
            except ActionError:
                pass
        http = getattr(self.hub, "http", None)
        if http is not None:
            try:
                return cluster_secrets(http, self.argocd_namespace)
            except (KubeApiError, *CONNECTION_ERRORS):
                pass
        return ()

    def _plan(self, snapshot: ClusterSnapshot) -> None:
        """One AppReader per Application on a cluster reached neither as the hub nor directly."""
        readers: dict[Key, AppReader] = {}
        for app in snapshot.applications.values():
            dest = snapshot.destination(app)
            if dest.in_cluster or self.argo is None or dest.server in self.direct:
                continue
            origin = Origin(dest.label, ARGOCD_API)
            known = self.via_argo.reader(app.key)
            if known is not None and known.origin == origin and known.dest_namespace == app.dest_namespace:
                readers[app.key] = known
            else:
                readers[app.key] = AppReader(self.argo, app.name, app.namespace, origin, app.dest_namespace)
        self.via_argo.use(readers, snapshot.applications)

    # --- the first snapshot -------------------------------------------------------------------------

    def load(self) -> ClusterSnapshot:
        """The hub's snapshot with every remote app's objects (all of them: a refresh loads afresh). A cluster
        whose direct context fails falls back to Argo CD's API, and the reason is kept for the status line."""
        snapshot = self.hub.load()
        self._clusters = self.registered()
        snapshot = replace(snapshot, clusters=self._clusters)
        self._connect_direct(snapshot)
        with self._lock:
            self._apps = dict(snapshot.applications)
        self.via_argo.reset()
        changes: Changes = []
        failed: list[str] = []
        for server, source in list(self.direct.items()):
            origin = Origin(self._name_of(server), DIRECT, getattr(source, "context", ""))
            try:
                changes.extend(WatchEvent("ADDED", o) for o in _read_directly(source, origin))
            except SourceError as exc:
                del self.direct[server]
                failed.append(f"cluster {origin.cluster} through context {origin.context}: {exc}")
        self._plan(snapshot)
        changes.extend(self.via_argo.poll())
        self._direct_problem = "; ".join(failed)
        return apply_events(snapshot, changes, now=snapshot.now) if changes else snapshot

    def _connect_direct(self, snapshot: ClusterSnapshot) -> None:
        """A direct source for each remote cluster an app deploys to that a kube context reaches."""
        if self.connect is None:
            return
        for app in snapshot.applications.values():
            dest = snapshot.destination(app)
            if dest.in_cluster or not dest.server or dest.server in self.direct:
                continue
            source = self.connect(dest.server)
            if source is not None:
                self.direct[dest.server] = source

    def _name_of(self, server: str) -> str:
        return next((c.name for c in self._clusters if c.server == server and c.name), server)

    @property
    def problem(self) -> str:
        """What cannot be read now (a direct context that failed, an app Argo CD refuses, a live stream that
        is down), "" when nothing."""
        return "; ".join(p for p in (self._direct_problem, self.via_argo.problem) if p)

    # --- following ----------------------------------------------------------------------------------

    def _note_apps(self, batch: Changes) -> None:
        """Keep up with the hub's Applications (which apps are remote)."""
        with self._lock:
            self._note_apps_locked(batch)

    def _note_apps_locked(self, batch: Changes) -> None:
        for change in batch:
            if isinstance(change, WatchEvent) and isinstance(change.obj, Application):
                self._apps_changed = True
                if change.type == "DELETED":
                    self._apps.pop(change.obj.key, None)
                else:
                    self._apps[change.obj.key] = change.obj
            elif isinstance(change, Relisted) and change.kind == "Application":
                self._apps_changed = True
                self._apps = {o.key: o for o in change.objects if isinstance(o, Application)}

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        """The hub's and each direct source's follow in threads, a live stream per app read through Argo CD
        (up to max_streams), and the polls of those apps here."""

        def hub_sink(item: Changes | ConnectionStatus) -> None:
            if not isinstance(item, ConnectionStatus):
                self._note_apps(item)
            sink(item)

        threads = [
            threading.Thread(target=self.hub.follow, args=(hub_sink, stop), name="follow-hub", daemon=True)
        ]
        for server, source in self.direct.items():
            origin = Origin(self._name_of(server), DIRECT, getattr(source, "context", ""))
            threads.append(
                threading.Thread(
                    target=source.follow,
                    args=(self._tagging(sink, origin), stop),
                    name="follow-direct",
                    daemon=True,
                )
            )
        for t in threads:
            t.start()
        with self._lock:
            apps = dict(self._apps)
        self.via_argo.start(sink, apps)
        reported = ""
        try:
            while not stop.wait(min(self.interval, TICK)):
                with self._lock:
                    changed, self._apps_changed = self._apps_changed, False
                    apps = dict(self._apps)
                if changed:
                    snapshot = ClusterSnapshot(
                        now=datetime.now(UTC), applications=apps, clusters=self._clusters
                    )
                    self._plan(snapshot)
                self.via_argo.poll(self.via_argo.due(), sink)
                problem = self.problem
                if problem != reported:
                    reported = problem
                    state = ConnectionState.RECONNECTING if reported else ConnectionState.LIVE
                    sink(ConnectionStatus(state, reported))
        finally:
            self.via_argo.stop()
            for t in threads:
                t.join(timeout=2)

    def _tagging(self, sink: Sink, origin: Origin) -> Sink:
        def tag(item: Changes | ConnectionStatus) -> None:
            if isinstance(item, ConnectionStatus):
                return  # the hub speaks for the connection; a direct cluster's trouble shows as stale objects
            # Only events: a Relisted replaces every object of its kind, the hub's too, and a Forbidden note
            # would speak for the hub's kind (a relist of the remote cluster is not merged yet). Only the
            # kinds kftui keys by cluster: a spoke's CRD or Application would land among the hub's.
            changes: Changes = [
                WatchEvent(c.type, with_origin(c.obj, origin))
                for c in item
                if isinstance(c, WatchEvent) and isinstance(c.obj, Tagged)
            ]
            if changes:
                sink(changes)

        return tag

    def dump_objects(self) -> list[dict[str, Any]]:
        """For `kftui dump`: the hub's objects as its API server returns them, then every remote object kftui
        reads (the last Argo CD reads, a fresh read of each directly reached cluster) as manifests carrying
        their origin (cluster/remotedump.py), so that loading the dump gives them back as remote objects."""
        out: list[dict[str, Any]] = list(self._hub("dump_objects")())
        remote = {identity(o): o for o in self.via_argo.last_objects()}
        for server, source in list(self.direct.items()):
            origin = Origin(self._name_of(server), DIRECT, getattr(source, "context", ""))
            remote.update((identity(o), o) for o in _read_directly(source, origin))
        out.extend(remotedump.manifest(o) for o in remote.values() if isinstance(o, Tagged))
        return out

    def http_for(self, context: str) -> KubeHttp | None:
        """The connection of the directly read cluster whose kube context is `context` (port-forwards)."""
        for source in list(self.direct.values()):
            if getattr(source, "context", None) == context:
                http: KubeHttp | None = getattr(source, "http", None)
                return http
        return None

    # --- reading one object -------------------------------------------------------------------------

    def reader_of(
        self, kind: str, namespace: str | None, name: str, cluster: str | None = None
    ) -> AppReader | None:
        """The reader of the remote app an object was read through, None for the hub's (and direct) objects.
        `cluster` says which cluster's object is meant ("" the hub's); None, the first remote one of that name."""
        key = ObjectRef(kind, namespace, name).key
        if cluster is None:
            return self.via_argo.reader_of(lambda k, o: k == kind and o[:2] == key)
        wanted = (kind, on_cluster(key, cluster))  # type: ignore[arg-type]
        return self.via_argo.reader_of(lambda k, o: (k, o) == wanted)

    def _hub(self, method: str) -> Callable[..., Any]:
        """One of the hub's reading methods (its type is a SnapshotSource, which does not promise them)."""
        return getattr(self.hub, method)

    def pod_logs(
        self, namespace: str, name: str, container: str = "", tail: int = 200, cluster: str | None = None
    ) -> str:
        reader = self.reader_of("Pod", namespace, name, cluster)
        if reader is None:
            return str(self._hub("pod_logs")(namespace, name, container, tail))
        try:
            return reader.logs(namespace, name, container, tail)
        except ActionError as exc:
            return f"(logs unavailable: {exc})"

    def stream_logs(self, request: LogRequest, stop: threading.Event) -> Iterator[str]:
        """A remote pod's lines through Argo CD (read once: not followed), else the hub's stream."""
        reader = self.reader_of("Pod", request.namespace, request.pod, request.cluster)
        if reader is None:
            return iter(self._hub("stream_logs")(request, stop))
        from kftui.cluster.logs import LogError

        try:
            text = reader.logs(request.namespace, request.pod, request.container, request.tail_lines or 1000)
        except ActionError as exc:
            raise LogError(str(exc)) from None
        return iter(text.splitlines())

    def raw_object(
        self,
        kind: str,
        namespace: str | None,
        name: str,
        group: str = "",
        version: str = "",
        cluster: str | None = None,
    ) -> dict[str, Any] | None:
        reader = self.reader_of(kind, namespace, name, cluster)
        if reader is None:
            raw: dict[str, Any] | None = self._hub("raw_object")(kind, namespace, name, group, version)
            return raw
        try:
            return reader.manifest(kind, namespace or "", name, group, version)
        except ActionError as exc:
            from kftui.cluster.manifest import ManifestError

            raise ManifestError(str(exc)) from None
