"""The live cluster as a SnapshotSource: parallel LISTs into a first snapshot, then one watch thread per collection.

KubeSource composes the parts: the HTTP seam (http.py, client.py), listing (listing.py), the watch (watch.py)
and the liveness probe (probe.py). Collections refused cluster-wide are listed in the namespaces the
Applications deploy to; a 410 Gone relists a collection, a lost connection retries with a short backoff and is
reported on the status line.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from kftui.cluster import convert, held, listing
from kftui.cluster.client import ClientHttp
from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp, describe_connection_error
from kftui.cluster.listing import Collection, collections, in_namespace, list_in_parallel, list_refusal
from kftui.cluster.logs import LogRequest, stream_logs
from kftui.cluster.manifest import fetch_object, object_path
from kftui.cluster.probe import PROBE_PATH, Liveness
from kftui.cluster.source import Changes, ConnectionStatus, Sink, SourceError
from kftui.cluster.watch import Trouble, WatchUpdate, watch
from kftui.kinds import KINDS, collection_of
from kftui.model import (
    Application,
    ClusterSnapshot,
    ConnectionState,
    Forbidden,
    KubeObject,
    SnapshotChange,
    WatchEvent,
    kind_of,
)

FLUSH_INTERVAL = 0.05
PROBE = Collection("probe", "APIServer", PROBE_PATH)  # the probe's key among the collections in trouble
REJECTED = "the API server at {server} rejected the credentials (401 Unauthorized)"

# What the watch threads hand to follow(): a change for the snapshot, or a collection's trouble (None: over).
Inbox = queue.Queue[SnapshotChange | tuple[Collection, str | None]]


class KubeSource:
    """The live SnapshotSource: parallel paginated LISTs, then one WATCH thread per collection."""

    live = True

    def __init__(
        self,
        http: KubeHttp,
        context: str,
        argocd_namespace: str = "argocd",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.http = http
        self.context = context
        self.argocd_namespace = argocd_namespace
        self.server = http.server
        self.clock = clock
        self.collections = collections(argocd_namespace)
        self.liveness = Liveness(http)
        self._versions: dict[Collection, str] = {}
        # Kinds we may not list cluster-wide but could list in some namespaces: kind -> the note that
        # says so. Kept on the snapshot after each of their events (an event would clear the note).
        self._partial: dict[str, str] = {}
        self._prefetched: Future[ClusterSnapshot] | None = None

    @classmethod
    def from_kubeconfig(
        cls, kubeconfig: str | None = None, context: str | None = None, argocd_namespace: str = "argocd"
    ) -> KubeSource:
        http, ctx = ClientHttp.from_kubeconfig(kubeconfig, context)
        return cls(http, ctx, argocd_namespace)

    def preflight(self) -> str:
        """Ask the API server for its version: a fast way to turn a dead server into one clear line."""
        try:
            info = self.http.get_json("/version")
        except KubeApiError as exc:
            if exc.status == 401:
                raise SourceError(REJECTED.format(server=self.server)) from None
            return "?"
        except CONNECTION_ERRORS as exc:
            raise SourceError(describe_connection_error(exc, self.server)) from None
        return str(info.get("gitVersion", "?")) if isinstance(info, dict) else "?"

    # --- LIST -------------------------------------------------------------------------------------

    def list_raw(self, coll: Collection) -> tuple[list[dict[str, Any]], str]:
        return listing.list_raw(self.http, coll)

    def list_collection(self, coll: Collection) -> tuple[list[KubeObject], str]:
        return listing.list_collection(self.http, coll)

    def prefetch(self) -> None:
        """Start the first load now, in the background; the next load() returns its result.

        The TUI calls this before it imports Textual and lays out its screen, so that the half second
        or more those take overlaps the LISTs instead of preceding them.
        """
        if self._prefetched is not None:
            return
        future: Future[ClusterSnapshot] = Future()

        def run() -> None:
            try:
                future.set_result(self._load_now())
            except BaseException as exc:  # handed to whoever calls load(), as if it had loaded itself
                future.set_exception(exc)

        self._prefetched = future
        threading.Thread(target=run, name="kube-prefetch", daemon=True).start()

    def load(self) -> ClusterSnapshot:
        """LIST every collection in parallel (or take the prefetched result). Forbidden or unserved lists are
        noted, not fatal."""
        future, self._prefetched = self._prefetched, None
        if future is not None:
            return future.result()
        return self._load_now()

    def _load_now(self) -> ClusterSnapshot:
        """LIST every collection in parallel.

        Python's cyclic garbage collector is paused while the lists are parsed and converted: a list of
        20,000 pods creates millions of objects, and with the collector on every one of its full passes
        walked everything parsed so far (most of a load's CPU time; see README.md, Performance). The objects of the
        snapshot are then moved to the collector's permanent generation (gc.freeze), so the collections
        that later analyses trigger do not walk 20,000 pods each time. Nothing in a snapshot forms
        reference cycles: frozen objects are still freed by reference counting when a newer snapshot
        replaces them. The youngest generation is then collected less often (YOUNG_COLLECTION_THRESHOLD).
        """
        with _collector_paused():
            snapshot = self._load()
        gc.freeze()
        _collect_young_less_often()
        return snapshot

    def _load(self) -> ClusterSnapshot:
        results = list_in_parallel(self.list_collection, self.collections)
        objects: list[KubeObject] = []
        forbidden: dict[str, str] = {}
        failures: list[BaseException] = []
        for coll in self.collections:
            outcome = results[coll]
            if isinstance(outcome, KubeApiError):
                if outcome.status == 401:
                    raise SourceError(REJECTED.format(server=self.server))
                forbidden[coll.kind] = list_refusal(coll, outcome)
            elif isinstance(outcome, BaseException):
                failures.append(outcome)
            else:
                found, version = outcome
                objects.extend(found)
                self._versions[coll] = version
        if failures:
            raise SourceError(describe_connection_error(failures[0], self.server))
        objects.extend(self._list_namespaced_instead(objects, forbidden))
        # A namespace stuck Terminating: which objects still hold it (for remove-finalizers to name and patch).
        objects = held.with_held_objects(self.http, objects)
        return ClusterSnapshot.from_objects(
            objects,
            now=self.clock(),
            argocd_config=self._argocd_config(),
            source="live",
            context=self.context,
            server=self.server,
            argocd_namespace=self.argocd_namespace,
            forbidden=forbidden,
        )

    def _list_namespaced_instead(
        self, objects: list[KubeObject], forbidden: dict[str, str]
    ) -> list[KubeObject]:
        """For kinds refused cluster-wide, list them in the namespaces the Applications deploy to.

        A user with namespaced rights only (a Role, not a ClusterRole) may still read pods in `kubeflow`.
        The kind stays noted as forbidden, naming the namespaces that were listed, so no check reads
        "absent" from namespaces it never saw.
        """
        namespaces = sorted(
            {self.argocd_namespace}
            | {o.dest_namespace for o in objects if isinstance(o, Application) and o.dest_namespace}
        )
        tries = [
            (coll, ns, sub)
            for coll in self.collections
            if coll.kind in forbidden and coll not in self._versions
            for ns in namespaces
            if (sub := in_namespace(coll, ns)) is not None
        ]
        if not tries:
            return []
        results = list_in_parallel(self.list_collection, [sub for _, _, sub in tries])
        found: list[KubeObject] = []
        listed: dict[str, list[str]] = {}
        for coll, ns, sub in tries:
            outcome = results[sub]
            if isinstance(outcome, BaseException):
                continue
            found.extend(outcome[0])
            self._versions[sub] = outcome[1]
            listed.setdefault(coll.kind, []).append(ns)
        for kind, names in listed.items():
            note = f"{forbidden[kind]}; listed only in namespaces {', '.join(names)}"
            forbidden[kind] = self._partial[kind] = note
        return found

    def _argocd_config(self) -> Mapping[str, str]:
        try:
            raw = self.http.get_json(KINDS["ConfigMap"].object_path(self.argocd_namespace, "argocd-cm"))
        except (KubeApiError, *CONNECTION_ERRORS):
            return {}
        return convert.argocd_config(raw)

    def dump_objects(self) -> list[dict[str, Any]]:
        """Raw objects for `kftui dump`: every collection plus argocd-cm and the argocd Secrets (redacted later)."""
        out: list[dict[str, Any]] = []
        for coll in self.collections:
            try:
                raws, _ = self.list_raw(coll)
            except KubeApiError:
                continue
            except CONNECTION_ERRORS as exc:
                raise SourceError(describe_connection_error(exc, self.server)) from None
            for raw in raws:
                raw.setdefault("kind", coll.kind)
                raw.setdefault("apiVersion", KINDS[coll.kind].group_version)
            out.extend(raws)
        for kind in ("ConfigMap", "Secret"):
            path = KINDS[kind].path(self.argocd_namespace)
            try:
                raws, _ = self.list_raw(Collection("extra", kind, path))
            except KubeApiError:
                continue
            for raw in raws:
                raw.setdefault("kind", kind)
                raw.setdefault("apiVersion", "v1")
            out.extend(raws)
        return out

    # --- WATCH ------------------------------------------------------------------------------------

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        """Watch every listed collection until `stop` is set, flushing batches of changes to `sink`."""
        inbox: Inbox = queue.Queue()
        threads = [
            threading.Thread(
                target=self._watch_into, args=(coll, inbox, stop), name=f"watch-{coll.kind}", daemon=True
            )
            for coll in list(self._versions)
        ]
        readable = next(iter(self._versions), None)
        threads.append(
            threading.Thread(
                target=self.liveness.run,
                args=(readable.path if readable else None, lambda problem: inbox.put((PROBE, problem)), stop),
                name="watch-probe",
                daemon=True,
            )
        )
        for t in threads:
            t.start()
        trouble: dict[Collection, str] = {}
        reported: ConnectionStatus | None = None
        sink(ConnectionStatus(ConnectionState.LIVE, since=self.clock()))
        reported = ConnectionStatus(ConnectionState.LIVE)
        try:
            while not stop.is_set():
                batch: Changes = []
                deadline = time.monotonic() + FLUSH_INTERVAL
                waited = False
                while True:
                    # Wait (up to FLUSH_INTERVAL) for something to happen, then take whatever else is already
                    # queued and hand it over at once: a lone event is not held back to fill a batch, and a
                    # burst still arrives as one batch (the app coalesces further while it is busy).
                    timeout = deadline - time.monotonic() if not waited else 0
                    try:
                        item = inbox.get(timeout=timeout) if timeout > 0 else inbox.get_nowait()
                    except queue.Empty:
                        break
                    waited = True
                    if isinstance(item, tuple):
                        coll, problem = item
                        if problem is None:
                            trouble.pop(coll, None)
                        else:
                            trouble[coll] = problem
                    else:
                        batch.append(item)
                if batch:
                    for kind in {
                        kind_of(c.obj) if isinstance(c, WatchEvent) else c.kind for c in batch
                    } & set(self._partial):
                        batch.append(Forbidden(collection_of(kind), self._partial[kind], kind))
                    sink(batch)
                state = ConnectionState.RECONNECTING if trouble else ConnectionState.LIVE
                # The probe speaks for the server as a whole; a collection's own trouble comes second.
                detail = trouble.get(PROBE, "") or next(iter(trouble.values()), "")
                if reported is None or reported.state != state or reported.detail != detail:
                    reported = ConnectionStatus(state, detail, since=self.clock())
                    sink(reported)
        finally:
            self.http.close_watches()
            for t in threads:
                t.join(timeout=2)

    def _watch_into(self, coll: Collection, inbox: Inbox, stop: threading.Event) -> None:
        for update in self._watch(coll, stop):
            inbox.put((coll, update.problem) if isinstance(update, Trouble) else update)

    def _watch(self, coll: Collection, stop: threading.Event) -> Iterator[WatchUpdate]:
        """The watch of one collection from its LIST's resourceVersion (the bench wraps it to time arrivals)."""
        return watch(
            self.http,
            coll,
            self._versions[coll],
            stop,
            relist=lambda: self._relist(coll),
            wait=self.liveness.backoff,
        )

    def _relist(self, coll: Collection) -> tuple[list[KubeObject], str]:
        """The collection listed again after a 410 Gone, for the Relisted that replaces every object of its kind."""
        objects, version = self.list_collection(coll)
        if coll not in self.collections:
            # One namespace of a kind listed namespace by namespace: a Relisted replaces every object of
            # the kind, so it must carry the other namespaces' objects too.
            for sibling in [c for c in self._versions if c.kind == coll.kind and c != coll]:
                objects.extend(self.list_collection(sibling)[0])
        return objects, version

    # --- logs -------------------------------------------------------------------------------------

    def pod_logs(
        self, namespace: str, name: str, container: str = "", tail: int = 200, cluster: str | None = None
    ) -> str:
        """A pod's last lines (the details pane); `cluster` is for a federated source: this one is the hub."""
        query: dict[str, str | int] = {"tailLines": tail}
        if container:
            query["container"] = container
        try:
            raw = self.http.get_body(f"/api/v1/namespaces/{namespace}/pods/{name}/log", query)
        except KubeApiError as exc:
            return f"(logs unavailable: {exc.message})"
        except CONNECTION_ERRORS as exc:
            return f"(logs unavailable: {describe_connection_error(exc, self.server)})"
        return bytes(raw.read()).decode("utf-8", errors="replace")

    def stream_logs(self, request: LogRequest, stop: threading.Event) -> Iterator[str]:
        """A pod's log lines as they come (cluster/logs.py); raises LogError with a one-line reason."""
        return stream_logs(self.http, request, stop)

    def raw_object(
        self,
        kind: str,
        namespace: str | None,
        name: str,
        group: str = "",
        version: str = "",
        cluster: str | None = None,
    ) -> dict[str, Any] | None:
        """The live object (the YAML view); raises ManifestError with a one-line reason."""
        return fetch_object(self.http, object_path(kind, namespace, name, group, version))


# Allocations (net of frees) between two collections of the youngest generation; Python's default is 700.
# Each batch of watch events copies the collections it touches (the pods' dict holds 100,000 entries at
# the large bench's scale) and builds a new tree model, and nearly all of it is freed by reference counting
# when the next batch replaces it. At 700, a collection ran every batch or two and walked whatever was
# young and still alive then, big dicts included: a fifth of a batch's CPU time and all of its spikes
# (README.md, "Figures behind design choices").
YOUNG_COLLECTION_THRESHOLD = 10_000


def _collect_young_less_often() -> None:
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_COLLECTION_THRESHOLD), middle, oldest)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
