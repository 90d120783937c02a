"""The live cluster: LIST + WATCH through the official Kubernetes client, converted to model objects.

The generated typed API is not used for reading: deserialising 20,000 pods into V1Pod objects costs more
than the network. We let the client handle kubeconfig, auth and TLS, ask for raw JSON and convert only
the fields we keep. Each collection is watched in its own thread from the resourceVersion of its LIST;
a 410 Gone relists that collection, a lost connection retries with a short backoff and is reported.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import urllib3
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from kftui import __version__
from kftui.cluster import convert, pages, podlist
from kftui.cluster.kubeconfig import choose_kubeconfig
from kftui.cluster.source import Changes, ConnectionStatus, Sink, SourceError
from kftui.model import (
    Application,
    ClusterSnapshot,
    ConnectionState,
    Forbidden,
    KubeObject,
    Relisted,
    SnapshotChange,
    WatchEvent,
    kind_of,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 500
PAGE_HEAD_BYTES = 1024  # holds a LIST's metadata: kind, apiVersion, resourceVersion, continue
WATCH_TIMEOUT_SECONDS = 240
CONNECT_TIMEOUT = 5.0
# A restarted API server answers 503 for custom resources until its CRDs are served again (~3 s):
# retry at most once a second, so a recovered server is followed within 5 s.
RETRY_DELAYS = (0.2, 0.5, 1.0)
FLUSH_INTERVAL = 0.05
# A stopped (SIGSTOP) or wedged API server keeps its sockets open: a watch just goes quiet. A cheap GET
# with a short timeout, twice a second, notices within about 1.5 s instead of at the watch's read timeout.
PROBE_PATH = "/readyz"
PROBE_INTERVAL = 0.5
PROBE_TIMEOUT = 1.0
FORBIDDEN_AFTER = len(RETRY_DELAYS)  # consecutive 403s on a watch before the snapshot notes it
FORBIDDEN_RETRY = 15.0
UNAUTHORIZED = "the API server rejected the credentials (401 Unauthorized): token expired or revoked?"


@dataclass(frozen=True)
class Collection:
    """One LIST/WATCH endpoint and the snapshot collection its objects go into."""

    name: str
    kind: str
    path: str

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.path})"


def collections(argocd_namespace: str) -> tuple[Collection, ...]:
    return (
        Collection(
            "applications",
            "Application",
            f"/apis/argoproj.io/v1alpha1/namespaces/{argocd_namespace}/applications",
        ),
        Collection("namespaces", "Namespace", "/api/v1/namespaces"),
        Collection("pods", "Pod", "/api/v1/pods"),
        Collection("services", "Service", "/api/v1/services"),
        Collection("endpoints", "Endpoints", "/api/v1/endpoints"),
        Collection("events", "Event", "/api/v1/events"),
        Collection(
            "crds", "CustomResourceDefinition", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        ),
        Collection(
            "webhooks",
            "ValidatingWebhookConfiguration",
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        ),
        Collection(
            "webhooks",
            "MutatingWebhookConfiguration",
            "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
        ),
        Collection("workloads", "Deployment", "/apis/apps/v1/deployments"),
        Collection("workloads", "StatefulSet", "/apis/apps/v1/statefulsets"),
        Collection("workloads", "DaemonSet", "/apis/apps/v1/daemonsets"),
    )


PROBE = Collection("probe", "APIServer", PROBE_PATH)


class KubeApiError(Exception):
    """A non-2xx answer from the API server, with its Status message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class Gone(Exception):
    """The watch's resourceVersion is too old (410): the collection must be listed again."""


CONNECTION_ERRORS = (urllib3.exceptions.HTTPError, OSError, ConnectionError)


def describe_connection_error(exc: BaseException, server: str) -> str:
    """One line a person can act on, without the nested urllib3 noise (and never a token)."""
    text = str(exc)
    for needle, meaning in (
        ("certificate has expired", "its TLS certificate has expired"),
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
        ("certificate verify failed", "TLS certificate not trusted"),
        ("Connection refused", "connection refused"),
        ("timed out", "timed out"),
        ("Name or service not known", "host name not found"),
        ("No route to host", "no route to host"),
        ("Network is unreachable", "network unreachable"),
    ):
        if needle in text:
            return f"cannot reach the API server at {server}: {meaning}"
    return f"cannot reach the API server at {server}: {type(exc).__name__}"


def load_api_client(kubeconfig: str | None, context: str | None) -> tuple[k8s_client.ApiClient, str]:
    """An ApiClient from kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) or the in-cluster service
    account; every problem is a SourceError naming the file (see cluster/kubeconfig.py)."""
    choice = choose_kubeconfig(kubeconfig)
    where = f"kubeconfig {choice.config_file}" if choice.config_file else "in-cluster config"
    try:
        if choice.in_cluster:
            if context:
                raise SourceError(f"--context {context}: there is no kubeconfig to take it from")
            k8s_config.load_incluster_config()
            return k8s_client.ApiClient(), "in-cluster"
        api = k8s_config.new_client_from_config(config_file=choice.config_file, context=context)
        return api, _current_context(choice.config_file, context)
    except ConfigException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid configuration"
        raise SourceError(f"{where}: {first}") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as exc:
        raise SourceError(f"{where}: cannot load ({type(exc).__name__}: {exc})") from None


def _current_context(kubeconfig: str | None, context: str | None = None) -> str:
    if context:
        return context
    try:
        _, active = k8s_config.list_kube_config_contexts(config_file=kubeconfig)
    except (ConfigException, OSError, ValueError, TypeError, KeyError, yaml.YAMLError):
        return "?"
    return str(active.get("name", "?")) if isinstance(active, dict) else "?"


T = TypeVar("T")
P = TypeVar("P")
# A decoded LIST page: its items, the list's resourceVersion and its continue token ("" on the last page).
Page = tuple[list[T], str, str]
PageDecoder = Callable[[bytes], Page[T]]


def _raw_page(data: bytes, lean: bool) -> Page[dict[str, Any]]:
    """A page as dicts; `lean` (convert.is_lean) parses it without managedFields."""
    page = json.loads(pages.drop_managed_fields(data) if lean else data)
    page = page if isinstance(page, dict) else {}
    meta = page.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    items = [i for i in page.get("items") or () if isinstance(i, dict)]
    return items, str(meta.get("resourceVersion", "")), str(meta.get("continue") or "")


def _model_page(data: bytes, kind: str) -> Page[KubeObject]:
    """A page converted to kftui's model. Pods, by far the most numerous, are decoded straight into Pod
    (podlist) unless the page does not fit its schema."""
    if kind == "Pod":
        typed = podlist.decode_page(data)
        if typed is not None:
            pods, version, token = typed
            return list[KubeObject](pods), version, token
    items, version, token = _raw_page(data, convert.is_lean(kind))
    return [o for o in (convert.to_model(r, kind) for r in items) if o is not None], version, token


def _joined(pages: Iterable[tuple[list[T], str]]) -> tuple[list[T], str]:
    """All pages' items, and the resourceVersion of the last."""
    items: list[T] = []
    version = ""
    for page, page_version in pages:
        items.extend(page)
        version = page_version
    return items, version


def pipelined_pages(fetch: Callable[[str, Future[str]], P], name: str = "list") -> Iterator[P]:
    """The pages of one LIST, each got by `fetch(continue_token, next_token)` on a worker thread.

    `fetch` hands its page's continue token ("" on the last page) to `next_token` as soon as it has it, at
    the head of the body, or its error: page n+1 is then asked for while page n is still being read and
    decoded, so the API server prepares one while we decode the other (a client that waits for the whole
    page before asking, as the bench's floor does, leaves one side idle at a time). At most two pages are
    in flight, so memory stays bounded when decoding is slower than the network.
    """
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix=name) as fetcher:

        def ask(token: str) -> tuple[Future[str], Future[P]]:
            next_token: Future[str] = Future()
            return next_token, fetcher.submit(fetch, token, next_token)

        next_token, pending = ask("")
        while True:
            token = next_token.result()
            if token:
                next_token, following = ask(token)
            page = pending.result()
            del pending
            yield page
            if not token:
                return
            pending = following


class KubeSource:
    """The live SnapshotSource: parallel paginated LISTs, then one WATCH thread per collection."""

    live = True

    def __init__(
        self,
        api: k8s_client.ApiClient,
        context: str,
        argocd_namespace: str = "argocd",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.api = api
        # Named in the API server's audit log, so kftui's own requests can be told apart (the e2e tests do).
        api.user_agent = f"kftui/{__version__}"
        self.context = context
        self.argocd_namespace = argocd_namespace
        self.server = str(api.configuration.host)
        self.clock = clock
        self.collections = collections(argocd_namespace)
        self._versions: dict[Collection, str] = {}
        # Kinds we may not list cluster-wide but could list in some namespaces: kind -> the note that
        # says so. Kept on the snapshot after each of their events (an event would clear the note).
        self._partial: dict[str, str] = {}
        self._responses: set[Any] = set()
        self._lock = threading.Lock()
        self._prefetched: Future[ClusterSnapshot] | None = None
        self._recoveries = 0  # bumped by the probe when the server answers again: retries stop waiting
        self.probe_interval = PROBE_INTERVAL
        # The probe's own client never retries: urllib3's default three retries would turn a 1 s timeout
        # into 4 s before a stopped server is noticed.
        probe_config = copy.copy(api.configuration)
        probe_config.retries = False
        self._probe_api = k8s_client.ApiClient(probe_config)
        self._probe_api.user_agent = api.user_agent

    @classmethod
    def from_kubeconfig(
        cls, kubeconfig: str | None = None, context: str | None = None, argocd_namespace: str = "argocd"
    ) -> KubeSource:
        api, ctx = load_api_client(kubeconfig, context)
        return cls(api, ctx, argocd_namespace)

    # --- HTTP -------------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str | int] | None = None,
        body: Any = None,
        timeout: float | tuple[float, float] | None = None,
        content_type: str = "application/json",
        api: k8s_client.ApiClient | None = None,
        compressed: bool = False,
    ) -> Any:
        api = api or self.api
        url_path = path + (f"?{urlencode(query)}" if query else "")
        headers = {"Accept": "application/json"}
        if compressed:
            # What kubectl and client-go ask for: a page of pods is about a tenth of its size gzipped, which
            # matters on a remote cluster and costs little on a local one (TLS has less to encrypt).
            headers["Accept-Encoding"] = "gzip"
        if body is not None:
            headers["Content-Type"] = content_type
        params = api.param_serialize(
            method=method,
            resource_path=url_path,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        try:
            resp = api.call_api(*params, _request_timeout=timeout or (CONNECT_TIMEOUT, 60.0))
        except ApiException as exc:  # TLS failures surface here as status 0
            raise urllib3.exceptions.HTTPError(str(exc.reason)) from None
        raw = resp.response
        if not 200 <= raw.status <= 299:
            data = raw.read()
            raise KubeApiError(raw.status, _status_message(data) or str(raw.reason))
        return raw

    def get_json(self, path: str, query: Mapping[str, str | int] | None = None) -> Any:
        data = self._request("GET", path, query).read()
        return json.loads(data)

    def send_json(self, method: str, path: str, body: Any, content_type: str = "application/json") -> Any:
        raw = self._request(method, path, body=body, content_type=content_type)
        data = raw.read()
        return json.loads(data) if data else None

    def ask_json(self, path: str, body: Any, timeout: float) -> Any:
        """POST a question (an access review) with a short timeout and no retries: a slow or dead server
        must make the answer "unknown" quickly, not after urllib3's retries."""
        raw = self._request("POST", path, body=body, timeout=(timeout, timeout), api=self._probe_api)
        data = raw.read()
        return json.loads(data) if data else None

    def preflight(self) -> str:
        """Ask the API server for its version: a fast way to turn a dead server into one clear line."""
        try:
            info = self.get_json("/version")
        except KubeApiError as exc:
            if exc.status == 401:
                raise SourceError(
                    f"the API server at {self.server} rejected the credentials (401 Unauthorized)"
                ) from None
            return "?"
        except CONNECTION_ERRORS as exc:
            raise SourceError(describe_connection_error(exc, self.server)) from None
        return str(info.get("gitVersion", "?")) if isinstance(info, dict) else "?"

    # --- LIST -------------------------------------------------------------------------------------

    def _pages(self, coll: Collection, decode: PageDecoder[T]) -> Iterator[tuple[list[T], str]]:
        """The collection page by page, each decoded, with the resourceVersion of the list so far."""

        def fetch(token: str, next_token: Future[str]) -> Page[T]:
            query: dict[str, str | int] = {"limit": PAGE_SIZE}
            if token:
                query["continue"] = token
            return self._list_page(coll.path, query, decode, next_token)

        for items, version, _ in pipelined_pages(fetch, f"list-{coll.kind}"):
            yield items, version

    def _list_page(
        self, path: str, query: Mapping[str, str | int], decode: PageDecoder[T], next_token: Future[str]
    ) -> Page[T]:
        """GET and decode one LIST page, handing its continue token to `next_token` as early as it is known
        (or the error, so that nobody waits for a token that will never come)."""
        try:
            raw = self._request("GET", path, query, compressed=True)
            head = raw.read(PAGE_HEAD_BYTES)
            early = pages.list_continue_in_head(head)
            if early is not None:
                next_token.set_result(early)
            page = decode(head + raw.read())
        except BaseException as exc:
            if not next_token.done():
                next_token.set_exception(exc)
            raise
        if not next_token.done():
            next_token.set_result(page[2])
        return page

    def list_raw(self, coll: Collection) -> tuple[list[dict[str, Any]], str]:
        """Every object of the collection as the API server sent it (less managedFields), and the
        resourceVersion to watch from."""
        lean = convert.is_lean(coll.kind)
        return _joined(self._pages(coll, lambda data: _raw_page(data, lean)))

    def list_collection(self, coll: Collection) -> tuple[list[KubeObject], str]:
        """Every object of the collection converted, and the resourceVersion to watch from. Each page is
        converted as it arrives so its raw JSON can be freed at once: holding 20,000 raw pod dicts until
        the last page would triple the peak memory."""
        return _joined(self._pages(coll, lambda data: _model_page(data, coll.kind)))

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
        walked everything parsed so far (half of the CPU time of a load, measured). The objects of the
        snapshot are then moved to the collector's permanent generation (gc.freeze), so the collections
        that later analyses trigger do not walk 20,000 pods each time. Nothing in a snapshot forms
        reference cycles: frozen objects are still freed by reference counting when a newer snapshot
        replaces them.
        """
        with _collector_paused():
            snapshot = self._load()
        gc.freeze()
        return snapshot

    def _list_in_parallel(
        self, colls: Iterable[Collection]
    ) -> dict[Collection, tuple[list[KubeObject], str] | BaseException]:
        """LIST each collection (six at a time): its objects and resourceVersion, or what it raised."""
        results: dict[Collection, tuple[list[KubeObject], str] | BaseException] = {}

        def one(coll: Collection) -> None:
            try:
                results[coll] = self.list_collection(coll)
            except BaseException as exc:
                results[coll] = exc

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(one, colls))
        return results

    def _load(self) -> ClusterSnapshot:
        results = self._list_in_parallel(self.collections)
        objects: list[KubeObject] = []
        forbidden: dict[str, str] = {}
        failures: list[BaseException] = []
        for coll in self.collections:
            outcome = results[coll]
            if isinstance(outcome, KubeApiError):
                if outcome.status == 401:
                    raise SourceError(
                        f"the API server at {self.server} rejected the credentials (401 Unauthorized)"
                    )
                forbidden[coll.kind] = _list_refusal(coll, outcome)
            elif isinstance(outcome, BaseException):
                failures.append(outcome)
            else:
                found, version = outcome
                objects.extend(found)
                self._versions[coll] = version
        if failures:
            raise SourceError(describe_connection_error(failures[0], self.server))
        objects.extend(self._list_namespaced_instead(objects, forbidden))
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
        refused = [
            c
            for c in self.collections
            if c.kind in forbidden and c.kind in NAMESPACED_KINDS and c not in self._versions
        ]
        if not refused or not namespaces:
            return []
        tries = [(c, ns, _in_namespace(c, ns)) for c in refused for ns in namespaces]
        results = self._list_in_parallel([t[2] for t in tries])
        found: list[KubeObject] = []
        for coll in refused:
            listed = []
            for _, ns, sub in (t for t in tries if t[0] is coll):
                outcome = results[sub]
                if isinstance(outcome, BaseException):
                    continue
                found.extend(outcome[0])
                self._versions[sub] = outcome[1]
                listed.append(ns)
            if listed:
                note = f"{forbidden[coll.kind]}; listed only in namespaces {', '.join(listed)}"
                forbidden[coll.kind] = self._partial[coll.kind] = note
        return found

    def _argocd_config(self) -> Mapping[str, str]:
        try:
            raw = self.get_json(f"/api/v1/namespaces/{self.argocd_namespace}/configmaps/argocd-cm")
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
            version = (
                coll.path.split("/")[-2]
                if coll.path.startswith("/api/")
                else "/".join(coll.path.split("/")[2:4])
            )
            for raw in raws:
                raw.setdefault("kind", coll.kind)
                raw.setdefault("apiVersion", "v1" if coll.path.startswith("/api/v1") else version)
            out.extend(raws)
        for path, kind in (
            (f"/api/v1/namespaces/{self.argocd_namespace}/configmaps", "ConfigMap"),
            (f"/api/v1/namespaces/{self.argocd_namespace}/secrets", "Secret"),
        ):
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
        inbox: queue.Queue[SnapshotChange | tuple[Collection, str | None]] = queue.Queue()
        threads = [
            threading.Thread(
                target=self._watch_loop, args=(coll, inbox, stop), name=f"watch-{coll.kind}", daemon=True
            )
            for coll in list(self._versions)
        ]
        threads.append(
            threading.Thread(target=self._probe_loop, args=(inbox, stop), name="watch-probe", daemon=True)
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
                        batch.append(Forbidden(COLLECTION_OF_KIND[kind], self._partial[kind], kind))
                    sink(batch)
                state = ConnectionState.RECONNECTING if trouble else ConnectionState.LIVE
                # The probe speaks for the server as a whole; a collection's own trouble comes second.
                detail = trouble.get(PROBE, "") or next(iter(trouble.values()), "")
                if reported is None or reported.state != state or reported.detail != detail:
                    reported = ConnectionStatus(state, detail, since=self.clock())
                    sink(reported)
        finally:
            with self._lock:
                for resp in list(self._responses):
                    _shutdown(resp)
            for t in threads:
                t.join(timeout=2)

    def _probe_loop(
        self, inbox: queue.Queue[SnapshotChange | tuple[Collection, str | None]], stop: threading.Event
    ) -> None:
        """Report the API server as unreachable, not ready or refusing our credentials, and back again."""
        healthy = True
        # /readyz answers from the server's own state, which notices a dead etcd only seconds later; a
        # one-item LIST of a collection we may read is a quorum read, so it fails as soon as storage does.
        readable = next(iter(self._versions), None)
        while not stop.is_set():
            problem = self._probe(PROBE_PATH, {})
            if problem is None and readable is not None:
                problem = self._probe(readable.path, {"limit": 1})
            if problem is not None or not healthy:
                inbox.put((PROBE, problem))
            if problem is None and not healthy:
                self._recoveries += 1
            healthy = problem is None
            stop.wait(self.probe_interval)

    def _probe(self, path: str, query: Mapping[str, str | int]) -> str | None:
        try:
            self._request(
                "GET", path, query, timeout=(PROBE_TIMEOUT, PROBE_TIMEOUT), api=self._probe_api
            ).read()
        except (KubeApiError, *CONNECTION_ERRORS) as exc:
            return probe_problem(exc, self.server)
        return None

    def _watch_loop(
        self,
        coll: Collection,
        inbox: queue.Queue[SnapshotChange | tuple[Collection, str | None]],
        stop: threading.Event,
    ) -> None:
        version = self._versions[coll]
        failures = refusals = 0
        while not stop.is_set():
            try:
                if not version:
                    version = self._relist(coll, inbox)
                for change, new_version in self._watch_once(coll, version, stop):
                    refusals = 0
                    if failures:
                        failures = 0
                        inbox.put((coll, None))
                    version = new_version or version
                    if change is not None:
                        inbox.put(change)
                if failures:
                    failures = 0
                    inbox.put((coll, None))
            except Gone:
                version = ""
            except KubeApiError as exc:
                if exc.status == 401:
                    # The probe reports the rejected credentials; keep the last data (stale) and retry.
                    failures += 1
                    inbox.put((coll, UNAUTHORIZED))
                    self._backoff(RETRY_DELAYS[-1], stop)
                elif exc.status == 403:
                    # This collection was listed before, so a refusal is usually passing: an API server
                    # that has just started answers 403 until its RBAC cache is filled. Retry soon; only
                    # a refusal that persists is noted on the snapshot, and then retried slowly.
                    failures += 1
                    refusals += 1
                    reason = _list_refusal(coll, exc)
                    inbox.put((coll, reason))
                    if refusals == FORBIDDEN_AFTER:
                        inbox.put(Forbidden(coll.name, reason, coll.kind))
                    self._backoff(
                        FORBIDDEN_RETRY if refusals >= FORBIDDEN_AFTER else RETRY_DELAYS[refusals - 1], stop
                    )
                else:
                    failures += 1
                    inbox.put((coll, f"watch {coll.kind}: {exc}"))
                    self._backoff(RETRY_DELAYS[min(failures - 1, len(RETRY_DELAYS) - 1)], stop)
            except CONNECTION_ERRORS as exc:
                if stop.is_set():
                    return
                failures += 1
                inbox.put((coll, describe_connection_error(exc, self.server)))
                self._backoff(RETRY_DELAYS[min(failures - 1, len(RETRY_DELAYS) - 1)], stop)

    def _backoff(self, delay: float, stop: threading.Event) -> None:
        """Wait before a retry, but no longer than until the probe sees the server answer again."""
        seen = self._recoveries
        deadline = time.monotonic() + delay
        while not stop.is_set() and self._recoveries == seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            stop.wait(min(left, 0.05))

    def _relist(
        self, coll: Collection, inbox: queue.Queue[SnapshotChange | tuple[Collection, str | None]]
    ) -> str:
        objects, version = self.list_collection(coll)
        if coll not in self.collections:
            # One namespace of a kind listed namespace by namespace: a Relisted replaces every object of
            # the kind, so it must carry the other namespaces' objects too.
            for sibling in [c for c in self._versions if c.kind == coll.kind and c != coll]:
                objects.extend(self.list_collection(sibling)[0])
        inbox.put(Relisted(coll.name, tuple(objects), kind=coll.kind))
        return version

    def _watch_once(
        self, coll: Collection, version: str, stop: threading.Event
    ) -> Iterator[tuple[SnapshotChange | None, str]]:
        query: dict[str, str | int] = {
            "watch": "true",
            "allowWatchBookmarks": "true",
            "resourceVersion": version,
            "timeoutSeconds": WATCH_TIMEOUT_SECONDS,
        }
        resp = self._request("GET", coll.path, query, timeout=(CONNECT_TIMEOUT, WATCH_TIMEOUT_SECONDS + 30))
        with self._lock:
            self._responses.add(resp)
        try:
            # Connected: a quiet collection is healthy from here, not only after its next event.
            yield None, version
            for line in _lines(resp, stop):
                event = json.loads(line)
                kind = event.get("type")
                obj = event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise Gone()
                    raise KubeApiError(int(obj.get("code") or 500), str(obj.get("message", "watch error")))
                new_version = str((obj.get("metadata") or {}).get("resourceVersion", ""))
                if kind == "BOOKMARK":
                    yield None, new_version
                    continue
                model = convert.to_model(obj, coll.kind)
                if model is None or kind not in ("ADDED", "MODIFIED", "DELETED"):
                    yield None, new_version
                    continue
                yield WatchEvent(kind, model), new_version
        finally:
            with self._lock:
                self._responses.discard(resp)
            resp.release_conn()

    # --- logs -------------------------------------------------------------------------------------

    def pod_logs(self, namespace: str, name: str, container: str = "", tail: int = 200) -> str:
        query: dict[str, str | int] = {"tailLines": tail}
        if container:
            query["container"] = container
        try:
            raw = self._request("GET", f"/api/v1/namespaces/{namespace}/pods/{name}/log", query)
        except KubeApiError as exc:
            return f"(logs unavailable: {exc.message})"
        except CONNECTION_ERRORS as exc:
            return f"(logs unavailable: {describe_connection_error(exc, self.server)})"
        return bytes(raw.read()).decode("utf-8", errors="replace")


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lines(resp: Any, stop: threading.Event) -> Iterator[bytes]:
    buffer = b""
    for chunk in resp.stream(65536, decode_content=True):
        if stop.is_set():
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield line
    if buffer.strip():
        yield buffer


def _shutdown(resp: Any) -> None:
    try:
        if hasattr(resp, "shutdown"):
            resp.shutdown()
        resp.close()
    except Exception:  # closing a half-dead socket may raise anything; we are stopping anyway
        log.debug("closing a watch response failed", exc_info=True)


def _status_message(data: bytes) -> str:
    try:
        status = json.loads(data)
    except (ValueError, TypeError):
        return ""
    return str(status.get("message", "")) if isinstance(status, dict) else ""


NAMESPACED_KINDS = frozenset(
    {"Pod", "Service", "Endpoints", "Event", "Deployment", "StatefulSet", "DaemonSet"}
)
COLLECTION_OF_KIND = {
    "Pod": "pods",
    "Service": "services",
    "Endpoints": "endpoints",
    "Event": "events",
    "Deployment": "workloads",
    "StatefulSet": "workloads",
    "DaemonSet": "workloads",
}


def _in_namespace(coll: Collection, namespace: str) -> Collection:
    """The same collection restricted to one namespace: /api/v1/pods -> /api/v1/namespaces/NS/pods."""
    prefix, resource = coll.path.rsplit("/", 1)
    return Collection(coll.name, coll.kind, f"{prefix}/namespaces/{namespace}/{resource}")


def probe_problem(exc: BaseException, server: str) -> str | None:
    """What a failed probe says about the server: rejected credentials, not ready, unreachable, or nothing
    (a 403 is an answer: the server is there, and the watches report what they may not read)."""
    if isinstance(exc, KubeApiError):
        if exc.status == 401:
            return UNAUTHORIZED
        if exc.status == 403:
            return None
        return f"API server not ready (HTTP {exc.status}: {exc.message[:80]})"
    return describe_connection_error(exc, server)


def _list_refusal(coll: Collection, exc: KubeApiError) -> str:
    if exc.status == 403:
        return f"forbidden: cannot list {coll.kind} ({exc.message})"
    if exc.status == 404:
        return f"not served by this API server: {coll.kind} ({coll.path})"
    return f"cannot list {coll.kind}: {exc}"
