"""Pilot tests of the k9s views: `l` logs (through a fake of the log seam), `y` YAML and `v` events."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import StaticSource
from kftui.model import ContainerStatus, Event, ObjectRef, WatchEvent
from kftui.ui.app import KftuiApp
from kftui.ui.demo_logs import BANNER
from kftui.ui.screens.events import EventsScreen
from kftui.ui.screens.logs import NO_LIVE_CLUSTER, LogsScreen
from kftui.ui.screens.prompt import Confirm, PathPrompt
from kftui.ui.screens.yaml_view import YamlScreen
from kftui.ui.widgets.log_view import LogView
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.ui.helpers import FakeLogSource, frozen_clock, wait_for
from tests.ui.scenarios import SIZE, demo_app, loaded

KATIB = ("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")
KATIB_POD = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn"
SCRIPTS = {
    ("katib-controller", False): ["starting katib", "panic: cannot connect to mysql"],
    ("katib-controller", True): ["the previous instance", "exit 1"],
    ("istio-sidecar", False): ["sidecar ready"],
    ("wait-for-db", False): ["waiting for mysql"],
}


def _log_app(scripts: dict[tuple[str, bool], list[str]] | None = None) -> KftuiApp:
    demo = load_demo()
    pod = demo.pods[KATIB]
    pod = replace(
        pod,
        containers=(
            *pod.containers,
            ContainerStatus("istio-sidecar", ready=True, state="running"),
            ContainerStatus("wait-for-db", state="terminated", init=True),
        ),
    )
    snapshot = replace(demo, pods={**demo.pods, KATIB: pod})
    return KftuiApp(FakeLogSource(snapshot, SCRIPTS if scripts is None else scripts), clock=frozen_clock)


async def _open_logs(pilot: Pilot[None]) -> LogsScreen:
    app = pilot.app
    assert isinstance(app, KftuiApp)
    await loaded(pilot)
    assert app.query_one(ResourceTree).reveal(KATIB_POD)
    await pilot.press("l")
    await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "the logs screen")
    screen = app.screen
    assert isinstance(screen, LogsScreen)
    return screen


def _header(screen: Any) -> str:
    return str(screen.query_one("#logs-header", Static).render())


async def test_logs_stream_follow_switch_search_save_and_the_live_timeline(tmp_path: Path) -> None:
    """One session (each costs seconds on a busy machine): the log flow, hostile lines, search, saving, and
    the events timeline following the watch."""
    hostile = "\x1b]52;c;ZWNobyBoaQ==\x07[red]markup[/red] \x1b[2J cleared"
    scripts = {**SCRIPTS, ("katib-controller", True): ["the previous instance", hostile, "exit 1 panic"]}
    app = _log_app(scripts)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_logs(pilot)
        await _flow(pilot, app, screen)
        await _inert_and_search(pilot, screen)
        await _save(pilot, app, tmp_path)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogsScreen), "the screen to close")
        await _live_timeline(pilot, app)


async def _flow(pilot: Pilot[None], app: KftuiApp, screen: LogsScreen) -> None:
    await wait_for(pilot, lambda: len(screen.buffer) == 2, "the first lines")
    assert screen.buffer.lines() == SCRIPTS[("katib-controller", False)]
    first = app.source.requests[0]  # type: ignore[attr-defined]
    assert (first.namespace, first.pod, first.container, first.follow) == (
        *KATIB,
        "katib-controller",
        True,
    )
    # Followed: a line the pod writes later arrives on screen.
    app.source.more.put("a line written later")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: "a line written later" in screen.buffer.lines(), "the followed line")
    assert "streaming" in _header(screen) and "follow" in _header(screen)
    # Containers: the app container, then the sidecar, then the init container.
    await pilot.press("c")
    await wait_for(pilot, lambda: screen.buffer.lines() == ["sidecar ready"], "the sidecar's log")
    await pilot.press("c")
    await wait_for(pilot, lambda: screen.buffer.lines() == ["waiting for mysql"], "the init container's log")
    assert "wait-for-db (init) [3/3]" in _header(screen)
    await pilot.press("c", "p")
    await wait_for(pilot, lambda: len(screen.buffer) == 3, "the previous instance's log")
    assert screen.buffer[0] == "the previous instance"
    last = app.source.requests[-1]  # type: ignore[attr-defined]
    assert last.previous and last.container == "katib-controller" and "follow" not in last.query()
    assert "previous" in _header(screen)
    # Only one stream is open at a time: switching cut the followed ones.
    await wait_for(pilot, lambda: app.source.open_streams == 0, "the old streams to close")  # type: ignore[attr-defined]
    await pilot.press("s", "t")
    await wait_for(pilot, lambda: app.source.requests[-1].since_seconds == 60, "since 1m")  # type: ignore[attr-defined]
    assert "since 1m" in _header(screen)


async def _inert_and_search(pilot: Pilot[None], screen: LogsScreen) -> None:
    shown = screen.buffer[1]
    assert "\x1b" not in shown and "\x07" not in shown and "\\x1b" in shown and "[red]markup[/red]" in shown
    await pilot.press("slash", *"PANIC", "enter")
    view = screen.query_one(LogView)
    assert view.current == 2
    await pilot.press("slash", *"E", "enter")
    assert view.current == 0
    await pilot.press("n")
    assert view.current == 1
    await pilot.press("N", "N")
    assert view.current == 2  # wraps around


async def _save(pilot: Pilot[None], app: KftuiApp, tmp_path: Path) -> None:
    target = tmp_path / "katib.log"

    async def save_as(path: Path) -> None:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the path prompt")
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await pilot.pause()

    await save_as(target)
    assert target.read_text().splitlines()[0] == "the previous instance"
    assert target.stat().st_mode & 0o777 == 0o600
    target.write_text("keep me\n")
    await save_as(target)
    await wait_for(pilot, lambda: isinstance(app.screen, Confirm), "the overwrite question")
    await pilot.press("n")
    await pilot.pause()
    assert target.read_text() == "keep me\n"
    await save_as(target)
    await wait_for(pilot, lambda: isinstance(app.screen, Confirm), "the overwrite question")
    await pilot.press("y")
    await wait_for(pilot, lambda: target.read_text().startswith("the previous"), "the overwrite")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "link.log"
    os.symlink(victim, link)
    await save_as(link)
    assert victim.read_text() == "precious\n"
    assert any("symbolic link" in n.message for n in app._notifications)


async def _live_timeline(pilot: Pilot[None], app: KftuiApp) -> None:
    assert app.query_one(ResourceTree).reveal("app:kubeflow")
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, EventsScreen), "the events screen")
    screen = app.screen
    assert isinstance(screen, EventsScreen)
    lines = screen.buffer.lines()
    # kubeflow owns katib (a BackOff warning); seaweedfs-0 and the pipelines Application are other apps'.
    assert [line[2:].split()[2] for line in lines[1:]] == ["BackOff"]
    assert lines[1].startswith("!")
    assert "kubeflow-pipelines" not in screen.plain and "seaweedfs" not in screen.plain
    new = Event(
        "argocd",
        "kubeflow.new",
        ObjectRef("Application", "argocd", "kubeflow"),
        reason="OperationStarted",
        message="Initiated automated sync",
        last_seen=frozen_clock(),
    )
    app.source.push([WatchEvent("ADDED", new)])  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: "OperationStarted" in screen.buffer[1], "the new event on top")
    assert screen.buffer[1].startswith(" ") and screen.buffer[2].startswith("!")
    assert "2 events, 1 warnings" in str(screen.query_one("#view-header", Static).render())


async def test_a_dump_has_no_logs_to_show() -> None:
    """Only the embedded demo has made-up logs: a dump (even one recorded from a context named demo) has none."""
    dump = replace(load_demo(), source="cluster.yaml", server="https://10.0.0.1:6443")
    app = KftuiApp(StaticSource(lambda: dump), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.query_one(ResourceTree).reveal(KATIB_POD)
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, LogsScreen)
        assert [n.message for n in app._notifications] == [NO_LIVE_CLUSTER]


async def test_the_demo_views_logs_yaml_and_events() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.query_one(ResourceTree).reveal(KATIB_POD)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "the demo's logs")
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        await wait_for(pilot, lambda: logs.state == "ended", "the crash-looping container's log to end")
        assert logs.buffer.lines()[0] == BANNER and "FATAL" in logs.buffer.lines()[-1]
        await pilot.press("p")  # its previous instance: the crash before this one
        await wait_for(pilot, lambda: logs.request.previous and logs.state == "ended", "the previous log")
        assert "FATAL" in logs.buffer.lines()[-1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogsScreen), "the logs to close")
        # A running pod's followed log keeps growing.
        assert app.query_one(ResourceTree).reveal("app:kubeflow/ns:auth/pod:dex-6f8c7b9d54-x2k8q")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "dex's logs")
        dex = app.screen
        assert isinstance(dex, LogsScreen)
        await wait_for(
            pilot, lambda: any("GET /healthz" in line for line in dex.buffer.lines()), "a new line"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogsScreen), "the logs to close")
        assert app.query_one(ResourceTree).reveal(KATIB_POD)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, YamlScreen), "the YAML screen")
        screen = app.screen
        assert isinstance(screen, YamlScreen)
        await wait_for(pilot, lambda: "kind: Pod" in screen.plain, "the YAML")
        assert "name: katib-controller-7f5b8c9d6-5rjtn" in screen.plain
        assert "managedFields" not in screen.plain
        await pilot.press("slash", *"restartCount", "enter")
        assert screen.view.current is not None
        assert "restartCount" in screen.buffer[screen.view.current]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, YamlScreen), "the YAML screen to close")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, EventsScreen), "the events screen")
        events = app.screen
        assert isinstance(events, EventsScreen)
        assert "BackOff" in events.plain and "Started" not in events.plain


def _chatty(count: int) -> Iterator[str]:
    for i in range(count):
        yield f"chatty line {i}"


async def test_a_chatty_pod_stays_bounded_and_the_keys_answer() -> None:
    scripts = {("katib-controller", False): list(_chatty(50_000))}
    app = _log_app(scripts)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_logs(pilot)
        await pilot.press("w")  # answered while 50,000 lines pour in
        assert screen.query_one(LogView).wrap
        await wait_for(pilot, lambda: screen.buffer.lines()[-1:] == ["chatty line 49999"], "the last line")
        assert len(screen.buffer) == 10_000
        assert screen.buffer.lines()[0] == "chatty line 40000"
        assert screen.buffer.dropped == 40_000
        assert screen.batches < 1_000  # one repaint per frame, not per line
        assert "(40000 dropped)" in _header(screen)
        view = screen.query_one(LogView)
        assert view.pinned and view.row_count == 10_000
        assert view.scroll_y == view.max_scroll_y > 0
