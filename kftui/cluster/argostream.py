"""Remote apps followed on Argo CD's live stream of their resource trees: one thread per app, a bounded number.

  GET /api/v1/stream/applications/{name}/resource-tree?appNamespace=NS
is WatchResourceTree (server/application/application.proto), a server stream that grpc-gateway sends as one
JSON object per line. Argo CD subscribes to the app's tree in redis and sends nothing until it changes: the
answer, headers included, comes with the first tree, then one line per reconcile of the app:
  {"result": <ApplicationTree>}                                   the whole tree
  {"error": {"grpc_code", "http_code", "message", "http_status"}}  the stream failed (its last line)
A refusal before the first tree is an HTTP error status instead (403 permission denied, 404 no such app).

Lines are hostile cluster text: each is bounded (MAX_LINE) while it is read, and one that is longer, not JSON
or not a tree is a reported problem (the stream is reopened with the backoff), never a crash. A stream that
fails is retried with the watches' backoff, then slowly; meanwhile its app is polled (cluster/remote.py).

Why a bound on the streams (MAX_STREAMS): each open stream is a connection and a thread here, and a goroutine
and a redis subscription (its own redis connection) in argocd-server. Argo CD's UI opens one, for the app on
screen; a hub of 1,500 remote apps must not cost Argo CD 1,500. The apps beyond the bound are polled.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from kftui.cluster.argoread import ArgoHttp
from kftui.cluster.fields import as_map, as_str
from kftui.cluster.ops import ActionError
from kftui.cluster.watch import RETRY_DELAYS
from kftui.model import Key

MAX_LINE = 32 * 1024 * 1024  # one ApplicationTree of ~30,000 nodes; a longer line is refused, not buffered
MAX_STREAMS = 50
SLOW_RETRY = 15.0  # after the quick retries: a refusing Argo CD is not asked again several times a second
# A reopened stream that has not failed for this long is up (Argo CD answers only with a change).
SETTLE = 10.0
QUICK_END = 2.0  # a stream that ends sooner than this without a tree did not work

Waiter = Callable[[float, threading.Event], object]
Clock = Callable[[], float]
TreeHandler = Callable[[Key, Any], None]


class StreamTrouble(Exception):
    """A line of the stream that is not a tree: Argo CD's error, or text that is malformed or too long."""


def stream_path(name: str) -> str:
    return f"/api/v1/stream/applications/{quote(name, safe='')}/resource-tree"


def lines(chunks: Iterable[bytes], limit: int | None = None) -> Iterator[bytes]:
    """The non-blank newline-delimited lines of a body that arrives in chunks, none longer than `limit` bytes
    (MAX_LINE by default): StreamTrouble as soon as one passes it, so a huge line is never held whole."""
    limit = MAX_LINE if limit is None else limit
    buffer = bytearray()
    for chunk in chunks:
        start = 0
        while start <= len(chunk):
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if len(buffer) + len(piece) > limit:
                raise StreamTrouble(f"Argo CD sent a line longer than {limit:,} bytes")
            buffer += piece
            if end < 0:
                break
            if buffer.strip():
                yield bytes(buffer)
            buffer.clear()
            start = end + 1
    if buffer.strip():
        yield bytes(buffer)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_line(line: bytes) -> Any:
    """The ApplicationTree one line carries; StreamTrouble for Argo CD's error line or anything else."""
    try:
        message = json.loads(line)
    except ValueError:
        raise StreamTrouble(f"Argo CD sent a line that is not JSON ({len(line):,} bytes)") from None
    if not isinstance(message, dict):
        raise StreamTrouble("Argo CD sent a line that is not a JSON object")
    if "error" in message:
        error = as_map(message.get("error"))
        reason = _short(as_str(error.get("message"))) or "no reason given"
        status = as_str(error.get("http_status")) or as_str(error.get("http_code"))
        raise StreamTrouble(f"Argo CD ended the stream: {reason}{f' ({status})' if status else ''}")
    tree = message.get("result")
    if not isinstance(tree, dict):
        raise StreamTrouble("Argo CD sent a line without a tree")
    return tree


def tree_updates(http: ArgoHttp, name: str, app_namespace: str, stop: threading.Event) -> Iterator[Any]:
    """Each ApplicationTree Argo CD streams for one app, until the stream ends or `stop` is set.

    Raises ActionError when Argo CD refuses the stream or cannot be reached, StreamTrouble for a line that is
    not a tree."""
    with http.stream(stream_path(name), {"appNamespace": app_namespace}, stop) as chunks:
        for line in lines(chunks):
            if stop.is_set():
                return
            yield parse_line(line)


def retry_delay(failures: int) -> float:
    """The watches' backoff for the first failures in a row, then SLOW_RETRY."""
    return RETRY_DELAYS[failures - 1] if failures <= len(RETRY_DELAYS) else SLOW_RETRY


def _wait(delay: float, stop: threading.Event) -> None:
    stop.wait(delay)


class TreeStream:
    """One app's stream, followed in its own thread until `stop` is set: each tree goes to `on_tree`, and a
    failure is kept (problem) until the stream delivers again or a reopened one has stayed up for SETTLE."""

    def __init__(
        self,
        http: ArgoHttp,
        key: Key,
        name: str,
        app_namespace: str,
        on_tree: TreeHandler,
        wait: Waiter = _wait,
        clock: Clock = time.monotonic,
    ) -> None:
        self.http = http
        self.key = key
        self.name = name
        self.app_namespace = app_namespace
        self.on_tree = on_tree
        self.wait = wait
        self.clock = clock
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"argo-stream {name}", daemon=True)
        self._lock = threading.Lock()
        self._problem = ""
        self._failed_at = float("-inf")
        self._opened_at = float("-inf")

    def run(self) -> None:
        failures = 0
        while not self.stop.is_set():
            opened = self._opening()
            delivered = False
            try:
                for tree in tree_updates(self.http, self.name, self.app_namespace, self.stop):
                    delivered, failures = True, 0
                    self._delivered()
                    try:
                        self.on_tree(self.key, tree)
                    except Exception as exc:  # a tree kftui cannot read: said, retried, never a dead thread
                        raise StreamTrouble(
                            f"cannot read the tree Argo CD sent: {type(exc).__name__}"
                        ) from exc
            except (ActionError, StreamTrouble) as exc:
                reason = str(exc)
            else:
                if delivered or self.clock() - opened >= QUICK_END:
                    self.wait(RETRY_DELAYS[0], self.stop)  # ended or idle: reopen
                    continue
                reason = "the stream ended at once, without a tree"
            if self.stop.is_set():
                return  # stopping cut the connection under us
            failures += 1
            self._failed(reason)
            self.wait(retry_delay(failures), self.stop)

    def _opening(self) -> float:
        with self._lock:
            self._opened_at = self.clock()
            return self._opened_at

    def _delivered(self) -> None:
        with self._lock:
            self._problem = ""

    def _failed(self, reason: str) -> None:
        with self._lock:
            self._problem = reason
            self._failed_at = self.clock()

    @property
    def opened_at(self) -> float:
        """When the stream was last (re)opened (the clock's time): a change made just before its subscription
        reached redis is not streamed, so the app is read once more SETTLE after it."""
        with self._lock:
            return self._opened_at

    def problem(self) -> str:
        """Why the stream is down, "" when it is up (or reopened and not failing for SETTLE)."""
        with self._lock:
            if not self._problem:
                return ""
            if self._opened_at > self._failed_at and self.clock() - self._opened_at >= SETTLE:
                return ""
            return self._problem

    def live(self) -> bool:
        return self.thread.is_alive() and not self.problem()


class Streams:
    """The open streams: at most `limit`, one per app; an app that has one keeps it while it is wanted."""

    def __init__(
        self,
        http: ArgoHttp,
        on_tree: TreeHandler,
        limit: int = MAX_STREAMS,
        wait: Waiter = _wait,
        clock: Clock = time.monotonic,
    ) -> None:
        self.http = http
        self.on_tree = on_tree
        self.limit = limit
        self.wait = wait
        self.clock = clock
        self._streams: dict[Key, TreeStream] = {}

    def plan(self, wanted: Mapping[Key, tuple[str, str]]) -> None:
        """Streams for the apps in `wanted` (key -> app name and namespace, in order of preference), up to the
        limit; a stream whose app is no longer wanted is stopped."""
        for key, stream in list(self._streams.items()):
            if wanted.get(key) != (stream.name, stream.app_namespace):
                stream.stop.set()
                del self._streams[key]
        for key, (name, app_namespace) in wanted.items():
            if len(self._streams) >= self.limit:
                break
            if key not in self._streams:
                stream = TreeStream(self.http, key, name, app_namespace, self.on_tree, self.wait, self.clock)
                self._streams[key] = stream
                stream.thread.start()

    def get(self, key: Key) -> TreeStream | None:
        return self._streams.get(key)

    def problem(self) -> str:
        """The first stream that is down and why (with how many more are), "" when every stream is up."""
        down = [(s.name, p) for s in list(self._streams.values()) if (p := s.problem())]
        if not down:
            return ""
        name, reason = down[0]
        more = f" (and {len(down) - 1} more)" if len(down) > 1 else ""
        return f"live stream of {name} via Argo CD: {reason}{more}; polling instead"

    def close(self, timeout: float = 2.0) -> None:
        """Stop every stream and wait (up to `timeout` in all) for their threads to end."""
        streams = list(self._streams.values())
        self._streams.clear()
        for stream in streams:
            stream.stop.set()
        deadline = time.monotonic() + timeout
        for stream in streams:
            if stream.thread.is_alive():
                stream.thread.join(max(0.0, deadline - time.monotonic()))
