"""Pilot tests of the sync view (`S`): it shows the blocker, follows the model live, and leads to the finding."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from kftui.cluster.dumpfile import load_demo
from kftui.model import Application, WatchEvent
from kftui.ui.app import KftuiApp
from kftui.ui.screens.sync_view import SyncScreen
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.log_view import LogView, row_spans
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.ui.helpers import FakeLiveSource, frozen_clock, wait_for
from tests.ui.scenarios import SIZE, loaded

BLOCKER = (
    "waiting for healthy state of apps/Deployment/kubeflow/katib-controller: Degraded, 0/1 available, "
    "pod katib-controller-7f5b8c9d6-5rjtn CrashLoopBackOff"
)
KATIB_FINDING = "pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn"


async def _open(pilot: Pilot[None], app: KftuiApp, node: str = "app:kubeflow") -> SyncScreen:
    await loaded(pilot)
    assert app.query_one(ResourceTree).reveal(node)
    await pilot.press("S")
    await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), "the sync view")
    screen = app.screen
    assert isinstance(screen, SyncScreen)
    return screen


def _header(screen: SyncScreen) -> str:
    return str(screen.query_one("#view-header", Static).render())


def _shown_rows(screen: SyncScreen) -> str:
    """What the view draws, row by row, as the terminal gets it."""
    view = screen.query_one(LogView)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


async def test_the_view_shows_the_blocker_and_follows_the_operation_to_its_end() -> None:
    demo = load_demo()
    source = FakeLiveSource(demo)
    app = KftuiApp(source, clock=frozen_clock, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        assert f"  {BLOCKER}" in screen.buffer.lines()
        assert f"  explained by {KATIB_FINDING}" in screen.plain
        assert "Running for 4 min" in _header(screen)
        # The operation finishes (a watch event): the view says no sync is running and shows the result.
        kubeflow: Application = demo.applications[("argocd", "kubeflow")]
        state = kubeflow.operation_state
        assert state is not None
        done = replace(
            kubeflow,
            operation=None,
            operation_state=replace(
                state, phase="Failed", message="[red]deadline[/red] exceeded", finished_at=frozen_clock()
            ),
            resource_version="4712",
        )
        source.push([WatchEvent("MODIFIED", done)])
        await wait_for(
            pilot, lambda: screen.shown is not None and not screen.shown.running, "the finished sync"
        )
        assert "  no sync is running; the last operation:" in screen.buffer.lines()
        assert BLOCKER not in screen.plain
        assert "no sync running; the last one Failed" in _header(screen)
        # Cluster text is drawn as written: the brackets are text, not markup.
        assert "  message   [red]deadline[/red] exceeded" in _shown_rows(screen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert [n.message for n in app._notifications][-1] == "Nothing to show: no sync is running."


async def test_enter_shows_the_blockers_finding_in_the_panel_even_when_narrowed_away() -> None:
    app = KftuiApp(FakeLiveSource(load_demo()), clock=frozen_clock, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        # Findings narrowed to kubeflow-pipelines: the katib finding is not listed until the view widens it.
        assert app.query_one(ResourceTree).reveal("app:kubeflow-pipelines")
        await pilot.press("enter")
        panel = app.query_one(DiagnosticsPanel)
        await wait_for(pilot, lambda: app.scope_item is not None, "the narrowing")
        assert KATIB_FINDING not in [f.id for f in panel.shown]
        await _open(pilot, app, "app:kubeflow")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SyncScreen), "the view closed")
        await wait_for(
            pilot, lambda: panel.current is not None and panel.current.id == KATIB_FINDING, "the finding"
        )
        assert app.focused is app.query_one("#finding-list", OptionList)


async def test_at_80_columns_the_view_wraps_at_words_so_resource_names_stay_whole() -> None:
    app = KftuiApp(FakeLiveSource(load_demo()), clock=frozen_clock, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app)
        rows = [row.rstrip() for row in _shown_rows(screen).splitlines()]
        assert any(row.endswith("waiting for healthy state of") for row in rows), rows
        assert any(row.startswith("apps/Deployment/kubeflow/katib-controller") for row in rows), rows


@pytest.mark.parametrize(
    ("line", "width", "at_words", "rows"),
    [
        ("short", 10, True, ["short"]),
        ("ab cd ef", 5, True, ["ab cd", "ef"]),  # the word ends at the edge: no early cut
        ("ab cde f", 5, True, ["ab ", "cde f"]),
        ("ab cd ef", 5, False, ["ab cd", " ef"]),
        ("one  two", 4, True, ["one ", "two"]),  # the cut falls on spaces: the next row starts at the word
        ("x" * 12, 5, True, ["xxxxx", "xxxxx", "xx"]),  # a word longer than the row is cut at the width
        ("  indented words", 10, True, ["  indented", "words"]),
        ("日本語 の text", 6, True, ["日本語", "の ", "text"]),  # wide characters take two cells each
    ],
)
def test_row_spans(line: str, width: int, at_words: bool, rows: list[str]) -> None:
    spans = row_spans(line, width, at_words)
    assert [line[a:b] for a, b in spans] == rows
    assert all(cell_len(line[a:b]) <= width for a, b in spans)
