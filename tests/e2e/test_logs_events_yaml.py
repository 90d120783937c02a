"""The k9s views against the real lab: pod logs streamed and followed through the API server from kwok's log
files (tests/lab/scenarios.py TALKER_LOGS), the events timeline of an Argo CD app, and the YAML view."""

from __future__ import annotations

import queue
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from kftui.cluster.kube import KubeSource
from kftui.cluster.logs import LogError, LogRequest
from kftui.cluster.manifest import as_yaml
from kftui.cluster.redact import REDACTED
from kftui.model import ClusterSnapshot
from kftui.topology import build_topology
from kftui.ui.app import KftuiApp
from kftui.ui.screens.logs import LogsScreen
from kftui.ui.timeline import TimelineScope, timeline, timeline_lines
from tests.lab.scenarios import TALKER_POD, cri_line
from tests.ui.helpers import wait_for as _wait_for

STEP = 60.0  # a step that takes longer on the lab has failed: say which, rather than hang


async def wait_for(pilot: Any, predicate: Any, what: str, timeout: float = STEP) -> None:
    await _wait_for(pilot, predicate, what, timeout)


pytestmark = pytest.mark.e2e


def source_for(lab: Any) -> KubeSource:
    return KubeSource.from_kubeconfig(str(lab.kubeconfig), lab.context, lab.argocd_namespace)


def talker_running(lab: Any) -> dict[str, Any]:
    def running() -> dict[str, Any] | None:
        pod = lab.get_json("pod", TALKER_POD[1], "-n", TALKER_POD[0])
        return pod if pod.get("status", {}).get("phase") == "Running" else None

    pod: dict[str, Any] = lab.wait_for(running, 60, "log-talker Running")
    return pod


class Reader:
    """Reads one log stream in a thread, as the logs screen's worker does."""

    def __init__(self, source: KubeSource, request: LogRequest) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.error: str | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(source, request), daemon=True)
        self.thread.start()

    def _run(self, source: KubeSource, request: LogRequest) -> None:
        try:
            for line in source.stream_logs(request, self.stop):
                self.lines.put(line)
        except LogError as exc:
            self.error = str(exc)

    def take(self, count: int, timeout: float = 30) -> list[str]:
        return [self.lines.get(timeout=timeout) for _ in range(count)]


def test_logs_stream_and_follow_through_the_api_server(lab: Any) -> None:
    talker_running(lab)
    source = source_for(lab)
    reader = Reader(source, LogRequest(*TALKER_POD, container="talker", follow=True))
    try:
        assert reader.take(2) == ["talker: starting", "talker: listening on :9000"]
        with (lab.logs_dir / "pod-talker.log").open("a") as log:
            log.write(cri_line("talker: a request was served", when=_now()))
        assert reader.take(1) == ["talker: a request was served"]
        assert reader.thread.is_alive(), "a followed stream stays open"
    finally:
        reader.stop.set()
    reader.thread.join(timeout=10)
    assert not reader.thread.is_alive(), "setting stop cuts a quiet followed stream"
    assert reader.error is None


def test_previous_since_and_container_choice(lab: Any) -> None:
    talker_running(lab)
    source = source_for(lab)
    stop = threading.Event()
    previous = list(source.stream_logs(LogRequest(*TALKER_POD, "talker", previous=True), stop))
    assert previous == ["talker: previous instance", "talker: out of memory"]
    sidecar = list(source.stream_logs(LogRequest(*TALKER_POD, "talker-sidecar", follow=False), stop))
    assert sidecar == ["sidecar: proxy ready"]
    init = list(source.stream_logs(LogRequest(*TALKER_POD, "talker-init", follow=False), stop))
    assert init == ["init: waiting for mysql", "init: done"]
    # sinceSeconds: the file's first lines are stamped long ago, so an hour's worth holds only newer ones.
    recent = list(
        source.stream_logs(LogRequest(*TALKER_POD, "talker", follow=False, since_seconds=3600), stop)
    )
    assert "talker: starting" not in recent
    tail = list(source.stream_logs(LogRequest(*TALKER_POD, "talker", follow=False, tail_lines=1), stop))
    assert len(tail) == 1
    with pytest.raises(LogError, match="no-such-container"):
        list(source.stream_logs(LogRequest(*TALKER_POD, "no-such-container", follow=False), stop))


async def test_the_logs_screen_on_the_lab_switches_containers_and_previous(lab: Any) -> None:
    talker_running(lab)
    source = source_for(lab)
    app = KftuiApp(source)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, "the first snapshot", timeout=120)
        snapshot = app.snapshot
        assert snapshot is not None
        pod = snapshot.pods[TALKER_POD]
        assert {(c.name, c.init) for c in pod.containers} >= {("talker", False), ("talker-init", True)}
        app.push_screen(LogsScreen(pod, source.stream_logs))
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "the logs screen")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        await wait_for(pilot, lambda: "talker: listening on :9000" in screen.buffer.lines(), "talker's log")
        with (lab.logs_dir / "pod-talker.log").open("a") as log:
            log.write(cri_line("talker: seen on screen", when=_now()))
        await wait_for(pilot, lambda: "talker: seen on screen" in screen.buffer.lines(), "the followed line")
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.buffer.lines() == ["sidecar: proxy ready"], "the sidecar's log")
        await pilot.press("c")
        await wait_for(
            pilot, lambda: screen.buffer.lines()[:1] == ["init: waiting for mysql"], "the init log"
        )
        await pilot.press("c", "p")
        await wait_for(
            pilot, lambda: "talker: out of memory" in screen.buffer.lines(), "the previous instance's log"
        )
        await pilot.press("escape")


def test_events_timeline_of_an_app_gathers_what_it_owns(lab: Any) -> None:
    source = source_for(lab)

    def with_events() -> ClusterSnapshot | None:
        snap = source.load()
        topology = build_topology(snap)
        events = timeline(snap, topology, TimelineScope("good", app="good"))
        kinds = {e.involved.kind for e in events}
        return snap if {"Application", "Deployment"} <= kinds else None

    snap = lab.wait_for(with_events, 180, "events of the good Application and of its Deployment")
    events = timeline(snap, build_topology(snap), TimelineScope("good", app="good"))
    assert [e.seen for e in events] == sorted((e.seen for e in events), reverse=True), "newest first"
    assert all(e.involved.kind != "Application" or e.involved.name == "good" for e in events), (
        "no other app's events"
    )
    lines = timeline_lines(events, snap.now)
    assert any("ScalingReplicaSet" in line for line in lines)


def test_yaml_view_hides_managed_fields_and_masks_secrets(lab: Any) -> None:
    talker_running(lab)
    source = source_for(lab)
    pod = source.raw_object("Pod", *TALKER_POD)
    assert pod is not None and pod["metadata"].get("managedFields"), "the API server sends managedFields"
    text = as_yaml(pod)
    assert "managedFields" not in text and "name: talker-sidecar" in text
    secret = source.raw_object("Secret", "argocd", "argocd-secret")
    assert secret is not None and secret["data"]
    shown = as_yaml(secret)
    assert REDACTED in shown
    assert not any(value in shown for value in secret["data"].values()), "no Secret value is shown"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
