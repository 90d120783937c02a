"""Shared test helpers: a frozen clock, waiting on app state, and a live source we control."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import Changes, ConnectionStatus, Sink
from kftui.model import ClusterSnapshot, Finding
from kftui.profile import detect_profile

FROZEN_NOW = datetime(2026, 11, 20, 3, 12, tzinfo=UTC)


def frozen_clock() -> datetime:
    """The only clock the app sees in tests and screenshots: no wall-clock time can leak into an SVG."""
    return FROZEN_NOW


HANG_SECONDS = 600.0
"""How long a wait on a condition may take before the test is called hung. Generous on purpose: on a loaded
machine (the 20,000-pod test on two busy cores took over the old 10 s) a test may only take longer, and a
bound that a slow run can reach is a timing assertion in disguise."""


async def wait_for(
    pilot: Pilot[None], predicate: Callable[[], bool], what: str, timeout: float = HANG_SECONDS
) -> None:
    """Let the app run until `predicate` holds: tests assert on state, and only fail on a real hang."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"hung: no {what} after {timeout:.0f} s")
        await pilot.pause(0.02)
    await pilot.pause()


class FakeLiveSource:
    """A SnapshotSource whose `follow` relays whatever the test pushes, from the worker thread, like a watch."""

    live = True

    def __init__(self, snapshot: ClusterSnapshot) -> None:
        self.snapshot = snapshot
        self.queue: queue.Queue[Changes | ConnectionStatus] = queue.Queue()
        self.following = threading.Event()
        self.stopped = threading.Event()

    def load(self) -> ClusterSnapshot:
        return self.snapshot

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        self.following.set()
        while not stop.is_set():
            try:
                item = self.queue.get(timeout=0.02)
            except queue.Empty:
                continue
            sink(item)
        self.stopped.set()

    def push(self, item: Changes | ConnectionStatus) -> None:
        self.queue.put(item)


class FakeLiveSourceWithLogs(FakeLiveSource):
    """The same, plus the optional `pod_logs` seam the details pane uses when present."""

    def __init__(self, snapshot: ClusterSnapshot) -> None:
        super().__init__(snapshot)
        self.log_requests: list[tuple[str, str, str, int]] = []

    def pod_logs(self, namespace: str, name: str, container: str, tail: int, cluster: str = "") -> str:
        self.log_requests.append((namespace, name, container, tail))
        return f"log line from {namespace}/{name}/{container}\npanic: cannot connect to mysql"


def demo_findings() -> list[Finding]:
    """What the checks say about the demo, so UI tests follow new checks instead of hard-coding a count."""
    snapshot = load_demo()
    return run_checks(snapshot, detect_profile({a.name for a in snapshot.applications.values()}))


class FakeLogSource(FakeLiveSource):
    """A live source whose `stream_logs` plays a script per (container, previous), then follows `more`.

    `scripts` maps (container, previous) to the lines already in the log; a followed stream then relays
    whatever the test puts into `more` until its stop event is set, like a quiet pod that writes later."""

    def __init__(self, snapshot: ClusterSnapshot, scripts: dict[tuple[str, bool], list[str]]) -> None:
        super().__init__(snapshot)
        self.scripts = scripts
        self.more: queue.Queue[str] = queue.Queue()
        self.requests: list[Any] = []
        self.open_streams = 0

    def stream_logs(self, request: Any, stop: threading.Event) -> Iterator[str]:
        self.requests.append(request)
        self.open_streams += 1
        try:
            yield from self.scripts.get((request.container, request.previous), [])
            while request.follow and not request.previous and not stop.is_set():
                try:
                    yield self.more.get(timeout=0.02)
                except queue.Empty:
                    continue
        finally:
            self.open_streams -= 1
