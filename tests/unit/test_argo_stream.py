"""Remote apps followed on Argo CD's live stream of their resource trees (WatchResourceTree), issue 18.

Through kftui's own seam (argoread.ArgoHttp: FakeArgo scripts each stream's answer), never a faked httpx; the
one test of ArgoRestOps' own streaming talks to a real socket on localhost. Every wait is on a condition.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kftui.cluster import argostream
from kftui.cluster.argocd import ArgoRestOps
from kftui.cluster.argostream import (
    SLOW_RETRY,
    StreamTrouble,
    TreeStream,
    lines,
    parse_line,
    retry_delay,
)
from kftui.cluster.ops import ActionError
from kftui.cluster.remote import FederatedSource
from kftui.cluster.source import ConnectionStatus, StaticSource
from kftui.cluster.watch import RETRY_DELAYS
from kftui.model import ConnectionState, WatchEvent
from tests.unit.fixtures import builders
from tests.unit.test_remote_clusters import HOLD, SPOKE, FakeArgo, fixture, hub_snapshot, spoke_app

STREAM = "/api/v1/stream/applications/kubeflow-pipelines/resource-tree"
CRASHING = "ml-pipeline-7f9c6d-x2k4p"


def tree_line(tree: Any) -> bytes:
    return json.dumps({"result": tree}).encode() + b"\n"


def without_crashing_pod() -> Any:
    tree = fixture("resource-tree.json")
    tree["nodes"] = [n for n in tree["nodes"] if n["uid"] != "pod-1"]
    return tree


class Following:
    """source.follow in its own thread, what it sends, and waits on conditions over that."""

    def __init__(self, source: FederatedSource) -> None:
        self.source = source
        self.items: list[Any] = []
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=source.follow, args=(self.sink, self.stop), daemon=True)

    def sink(self, item: Any) -> None:
        with self.changed:
            self.items.append(item)
            self.changed.notify_all()

    def __enter__(self) -> Following:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join(5)
        assert not self.thread.is_alive()

    def wait_for(self, what: Callable[[], bool], timeout: float = 10.0) -> None:
        with self.changed:
            assert self.changed.wait_for(what, timeout), self.items

    def events(self) -> list[WatchEvent]:
        return [e for item in self.items if isinstance(item, list) for e in item]

    def statuses(self) -> list[ConnectionStatus]:
        return [item for item in self.items if isinstance(item, ConnectionStatus)]

    def deleted(self) -> set[str]:
        return {e.obj.name for e in self.events() if e.type == "DELETED"}  # type: ignore[union-attr]


def federated(argo: FakeArgo, **options: Any) -> FederatedSource:
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, argo, **options)
    source.load()
    return source


# --- lines and messages --------------------------------------------------------------------------------


def test_lines_are_split_across_chunks_and_blank_ones_dropped() -> None:
    chunks = [b'{"a":', b"1}\n\n", b'{"b":2}\n{"c"', b":3}"]
    assert list(lines(chunks)) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']


def test_a_line_longer_than_the_bound_is_refused_before_it_is_held_whole() -> None:
    consumed = 0

    def endless() -> Iterator[bytes]:
        nonlocal consumed
        while True:
            consumed += 1
            yield b"x" * 1000

    with pytest.raises(StreamTrouble, match="longer than 10,000 bytes"):
        list(lines(endless(), limit=10_000))
    assert consumed == 11  # stopped at the first chunk past the bound, not at the (never coming) newline


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            b'{"error":{"grpc_code":7,"http_code":403,"message":"permission denied","http_status":"Forbidden"}}',
            "Argo CD ended the stream: permission denied (Forbidden)",
        ),
        (b"<html>502 Bad Gateway</html>", "Argo CD sent a line that is not JSON (28 bytes)"),
        (b"[1, 2]", "Argo CD sent a line that is not a JSON object"),
        (b'{"result": "nodes"}', "Argo CD sent a line without a tree"),
    ],
)
def test_a_line_that_is_not_a_tree_is_trouble_in_one_line(line: bytes, expected: str) -> None:
    with pytest.raises(StreamTrouble) as raised:
        parse_line(line)
    assert str(raised.value) == expected


def test_a_tree_line_gives_the_tree() -> None:
    tree = fixture("resource-tree.json")
    assert parse_line(tree_line(tree).strip()) == tree


@pytest.mark.parametrize(
    ("failures", "delay"), [(1, 0.2), (2, 0.5), (3, 1.0), (4, SLOW_RETRY), (9, SLOW_RETRY)]
)
def test_retries_use_the_watches_backoff_then_slow_down(failures: int, delay: float) -> None:
    assert RETRY_DELAYS == (0.2, 0.5, 1.0)
    assert retry_delay(failures) == delay


def test_a_stream_retries_with_backoff_and_says_why_until_it_delivers() -> None:
    """TreeStream.run in the test's thread: the waits are recorded, with what the stream said at each."""
    tree = fixture("resource-tree.json")
    refused = ActionError("Argo CD at https://argocd.example refused the request (403): permission denied")
    argo = FakeArgo(scripts=[refused, refused, refused, refused, [], [tree_line(tree)]])
    got: list[Any] = []
    waits: list[tuple[float, str]] = []
    stream: TreeStream

    def wait(delay: float, stop: threading.Event) -> None:
        waits.append((delay, stream.problem()))
        if len(waits) == 6:
            stop.set()

    stream = TreeStream(
        argo, ("argocd", "app"), "app", "argocd", lambda k, t: got.append(t), wait, lambda: 0.0
    )
    stream.run()
    down = "Argo CD at https://argocd.example refused the request (403): permission denied"
    assert waits == [
        (0.2, down),
        (0.5, down),
        (1.0, down),
        (SLOW_RETRY, down),
        (SLOW_RETRY, "the stream ended at once, without a tree"),
        (0.2, ""),  # delivered, then ended: reopened at once, and up
    ]
    assert got == [tree]
    assert [p for _, p in argo.streams] == [{"appNamespace": "argocd"}] * 6


def test_a_tree_kftui_cannot_read_is_a_problem_and_the_stream_lives_on() -> None:
    tree = fixture("resource-tree.json")
    argo = FakeArgo(scripts=[[tree_line(tree)], [tree_line(tree)]])
    seen: list[Any] = []
    waits: list[tuple[float, str]] = []
    stream: TreeStream

    def on_tree(key: Any, got: Any) -> None:
        seen.append(got)
        if len(seen) == 1:
            raise ValueError("a field kftui did not expect")

    def wait(delay: float, stop: threading.Event) -> None:
        waits.append((delay, stream.problem()))
        if len(waits) == 2:
            stop.set()

    stream = TreeStream(argo, ("argocd", "app"), "app", "argocd", on_tree, wait, lambda: 0.0)
    stream.run()
    assert waits == [(0.2, "cannot read the tree Argo CD sent: ValueError"), (0.2, "")]
    assert seen == [tree, tree]


# --- the federated source --------------------------------------------------------------------------------


def test_a_tree_the_stream_sends_becomes_the_apps_events_without_a_poll() -> None:
    """The poll is 10 minutes away: the deleted pod can only have come from the stream, whose tree kftui
    uses as sent (no GET of the tree again)."""
    line = tree_line(without_crashing_pod())
    argo = FakeArgo(scripts=[[line[:100], line[100:2000], line[2000:], HOLD]])
    source = federated(argo, interval=600)
    trees_read = sum(path.endswith("/resource-tree") for path, _ in argo.requests)
    with Following(source) as following:
        following.wait_for(lambda: CRASHING in following.deleted())
    assert argo.streams == [(STREAM, {"appNamespace": "argocd"})]
    assert sum(path.endswith("/resource-tree") for path, _ in argo.requests) == trees_read == 1
    assert source.via_argo.reads == {"poll": 1, "stream": 1}
    assert "minio-5d8b4c-q7w2z" not in following.deleted()


def test_a_tree_with_the_same_nodes_sends_nothing_and_asks_nothing() -> None:
    """Argo CD streams the whole tree after every reconcile: one that changes nothing costs no request and
    sends no event (the changed tree after them shows they were read)."""
    same = tree_line(fixture("resource-tree.json"))
    argo = FakeArgo(scripts=[[same, same, tree_line(without_crashing_pod()), HOLD]])
    source = federated(argo, interval=600)
    asked = len(argo.requests)
    with Following(source) as following:
        following.wait_for(lambda: CRASHING in following.deleted())
        assert len([item for item in following.items if isinstance(item, list)]) == 1
        assert source.via_argo.reads["stream"] == 3
    assert argo.requests[asked:] == []  # the Deployment's manifest is kept by resourceVersion


def test_a_stream_that_fails_is_reported_and_its_app_polled_until_it_delivers_again() -> None:
    gate = threading.Event()  # the reopened stream stays quiet until the test opens it
    refused = ActionError("Argo CD at https://argocd.example refused the request (403): permission denied")
    argo = FakeArgo(scripts=[refused, [gate, tree_line(without_crashing_pod()), HOLD]])
    source = federated(argo, interval=0.05)
    with Following(source) as following:
        following.wait_for(lambda: any(s.state == ConnectionState.RECONNECTING for s in following.statuses()))
        down = next(s for s in following.statuses() if s.state == ConnectionState.RECONNECTING)
        assert down.detail == (
            "live stream of kubeflow-pipelines via Argo CD: Argo CD at https://argocd.example refused the "
            "request (403): permission denied; polling instead"
        )
        tree = "/api/v1/applications/kubeflow-pipelines/resource-tree"
        polled = sum(path == tree for path, _ in argo.requests)
        argo.wait_for(
            lambda: sum(path == tree for path, _ in argo.requests) >= polled + 2
        )  # every `interval`
        argo.wait_for(lambda: len(argo.streams) == 2)  # reopened after the backoff
        gate.set()
        following.wait_for(lambda: following.statuses()[-1].state == ConnectionState.LIVE)
        following.wait_for(lambda: CRASHING in following.deleted())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([b"<html>gateway timeout</html>\n"], "Argo CD sent a line that is not JSON (28 bytes)"),
        (
            [
                b'{"error":{"grpc_code":14,"message":"redis: connection refused","http_status":"Unavailable"}}\n'
            ],
            "Argo CD ended the stream: redis: connection refused (Unavailable)",
        ),
    ],
)
def test_a_bad_line_is_a_reported_problem_and_the_stream_is_reopened(body: list[bytes], reason: str) -> None:
    gate = threading.Event()  # the reopened stream stays quiet until the test opens it
    argo = FakeArgo(scripts=[body, [gate, HOLD]])
    source = federated(argo, interval=600)
    with Following(source) as following:
        following.wait_for(lambda: any(reason in s.detail for s in following.statuses()))
        argo.wait_for(lambda: len(argo.streams) == 2)
        gate.set()


def test_an_endless_line_is_cut_at_the_bound_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(argostream, "MAX_LINE", 100_000)
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        while True:
            sent += 1
            yield b'{"result": {"nodes": [' + b" " * 10_000

    argo = FakeArgo(scripts=[endless()])
    source = federated(argo, interval=600)
    with Following(source) as following:
        following.wait_for(lambda: any("longer than 100,000 bytes" in s.detail for s in following.statuses()))
    assert sent <= 11


def test_stopping_ends_the_follow_and_its_streams_at_once() -> None:
    argo = FakeArgo()  # every stream quiet until stopped
    source = federated(argo, interval=600)
    following = Following(source)
    following.thread.start()
    argo.wait_for(lambda: argo.open_streams == 1)
    started = time.monotonic()
    following.stop.set()
    following.thread.join(5)
    assert not following.thread.is_alive()
    assert time.monotonic() - started < 2.0
    assert argo.open_streams == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("argo-stream")]


def test_streams_are_bounded_the_unhealthy_app_first_and_the_rest_polled() -> None:
    healthy = builders.application("katib", "apps/katib", [], health="Healthy")
    healthy["spec"]["destination"] = {"namespace": "kubeflow", "server": SPOKE}
    hub = StaticSource(lambda: hub_snapshot(healthy, spoke_app(server=SPOKE)))
    argo = FakeArgo()
    source = FederatedSource(hub, argo, interval=0.05, max_streams=1)
    source.load()
    with Following(source):
        argo.wait_for(lambda: argo.open_streams == 1)
        argo.wait_for(
            lambda: sum(path == "/api/v1/applications/katib/resource-tree" for path, _ in argo.requests) >= 3
        )
    assert [path for path, _ in argo.streams] == [STREAM]  # the Degraded app's; katib is polled


# --- ArgoRestOps' own streaming, over a real socket -------------------------------------------------------


class OneShotServer:
    """A listener on localhost that reads one request and answers `answer` (raw bytes), then holds the
    connection open: Argo CD before a tree changes sends nothing at all, headers included."""

    def __init__(self, answer: bytes = b"") -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.request = b""
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            while b"\r\n\r\n" not in self.request:
                self.request += conn.recv(4096)
            if self.answer:
                conn.sendall(self.answer)
            self.done.wait(10)

    def close(self) -> None:
        self.done.set()
        self.listener.close()


def chunked(*parts: bytes) -> bytes:
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts)


def test_rest_stream_is_cut_promptly_while_argocd_has_not_even_answered() -> None:
    server = OneShotServer()
    ops = ArgoRestOps(f"http://127.0.0.1:{server.port}")
    stop = threading.Event()
    got: list[bytes] = []
    entered = threading.Event()

    def read() -> None:
        with ops.stream(STREAM, {"appNamespace": "argocd"}, stop) as chunks:
            entered.set()
            got.extend(chunks)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while b"\r\n\r\n" not in server.request:  # the request is in: the reader blocks on the answer
        assert reader.is_alive()
        server.done.wait(0.01)
    started = time.monotonic()
    stop.set()
    reader.join(3)
    assert not reader.is_alive() and time.monotonic() - started < 2.0
    assert got == []
    assert server.request.startswith(
        b"GET /api/v1/stream/applications/kubeflow-pipelines/resource-tree?appNamespace=argocd HTTP/1.1"
    )
    assert b"accept-encoding: identity" in server.request.lower()
    server.close()
    ops.close()


def test_rest_stream_hands_over_each_chunk_as_it_arrives() -> None:
    line = tree_line({"nodes": []})
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    server = OneShotServer(head + chunked(line))
    ops = ArgoRestOps(f"http://127.0.0.1:{server.port}")
    stop = threading.Event()
    with ops.stream(STREAM, {"appNamespace": "argocd"}, stop) as chunks:
        assert next(iter(chunks)) == line  # while the server still holds the stream open
        stop.set()
    server.close()
    ops.close()


def test_rest_stream_refused_before_any_tree_is_an_action_error_with_argocds_reason() -> None:
    body = (
        b'{"error":{"grpc_code":7,"http_code":403,"message":"permission denied","http_status":"Forbidden"}}'
    )
    head = f"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    server = OneShotServer(head.encode() + body)
    ops = ArgoRestOps(f"http://127.0.0.1:{server.port}")
    refused = pytest.raises(ActionError, match=r"refused the request \(403\): permission denied")
    with refused, ops.stream(STREAM, {"appNamespace": "argocd"}, threading.Event()):
        pass
    server.close()
    ops.close()
