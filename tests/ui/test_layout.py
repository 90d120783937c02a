"""What is on screen at 80x24 and 220x60 (Pilot): the selected finding's title, first evidence lines and first
fix without scrolling, commands folded between arguments, every dialog's buttons inside the screen, and the
room of a big terminal used. The assertions read the composed frame and the widgets' regions, not the SVGs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Footer, OptionList

from kftui.cluster.dumpfile import demo_text, load_demo
from kftui.cluster.manifest import DumpObjects
from kftui.cluster.source import StaticSource
from kftui.fixes.registry import PLANNABLE
from kftui.fixes.runtime import FixOptions, build_fix_runtime
from kftui.ui.app import KftuiApp
from kftui.ui.fix_prompt import FIRST, MORE, command_lines
from kftui.ui.screens.events import EventsScreen
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.help import HelpScreen
from kftui.ui.screens.logs import LogsScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.screens.yaml_view import YamlScreen
from kftui.ui.widgets.details import DetailsPane
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.ui.helpers import frozen_clock, wait_for
from tests.ui.scenarios import demo_app, loaded

SMALL, BIG = (80, 24), (220, 60)
KATIB_POD = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn"


def rows(app: App[Any], region: Region | None = None) -> list[str]:
    """The composed frame as text, one string per row, cropped to `region` (the demo is one cell a char)."""
    update = app.screen._compositor.render_update(full=True)
    assert update is not None
    lines = ["".join(seg.text for strip in line for seg in strip) for line in update.strips]  # type: ignore[attr-defined]
    if region is None:
        return lines
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


def shown(app: App[Any], widget: Widget) -> bool:
    """The widget lies inside the screen above the footer and nothing covers its middle."""
    screen = app.screen
    footer = screen.query(Footer)
    bottom = footer.first().region.y if footer else screen.size.height
    region = widget.region
    inside = (
        region.area > 0 and region.x >= 0 and region.right <= screen.size.width and region.bottom <= bottom
    )
    if not inside:
        return False
    middle = region.center
    found, _ = screen.get_widget_at(int(middle[0]), int(middle[1]))
    return found is widget or widget in found.ancestors


def _fixes_app(tmp_path: Path) -> KftuiApp:
    source = StaticSource(load_demo, DumpObjects(demo_text, "demo.yaml").find)
    fixes = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "audit.jsonl")), env={})
    return KftuiApp(source, clock=frozen_clock, fixes=fixes)


def test_commands_fold_between_arguments_never_inside_one() -> None:
    command = "argocd app sync kubeflow-pipelines --resource 'apps:Deployment:kubeflow/ml pipeline' --prune"
    lines = command_lines(command, 30)
    assert lines == [
        f"{FIRST}argocd app sync",
        f"{MORE}kubeflow-pipelines",
        f"{MORE}--resource",
        f"{MORE}'apps:Deployment:kubef…",  # one argument wider than a line: shortened, never split
        f"{MORE}--prune",
    ]
    assert all(len(line) <= 30 for line in lines)
    assert command_lines(command, 200) == [FIRST + command]


async def unfold_all(pilot: Any, panel: DiagnosticsPanel) -> None:
    """Root causes lead and fold what they led to: unfold each, so every finding gets a row."""
    listing = panel.query_one("#finding-list", OptionList)
    for index in reversed(range(len(panel.shown))):  # from the last: the rows above keep their index
        listing.highlighted = index
        panel.action_unfold()
        await pilot.pause()


async def test_80x24_shows_every_findings_title_evidence_and_first_fix() -> None:
    app = demo_app()
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        panel = app.query_one(DiagnosticsPanel)
        listing = panel.query_one("#finding-list", OptionList)
        fixes = panel.query_one("#fix-list", OptionList)
        await unfold_all(pilot, panel)
        assert len(panel.shown) == 5
        for index in range(len(panel.shown)):
            listing.highlighted = index
            await pilot.pause()
            finding = panel.current
            assert finding is not None and finding.fixes
            detail = " ".join(
                r.strip(" │") for r in rows(app, panel.query_one("#finding-detail-scroll").region)
            )
            assert finding.title[:30] in detail, detail
            assert finding.evidence_lines[0][:30] in detail, detail
            listed = [r.strip(" │▁▂▃▄▅▆▇█") for r in rows(app, fixes.region)]
            first = finding.fixes[0]
            assert ("1. " + first.title[:40]) in " ".join(listed), listed
            # The command as folded for the list's width: its first line on screen, cut at an argument.
            width = fixes.scrollable_content_region.width - fixes._get_left_gutter_width()
            assert command_lines(first.command, width)[0].strip() in listed, listed


async def _dialogs_fit(pilot: Any, app: KftuiApp) -> None:
    # `x` runs the chosen finding's first fix: choose one whose first fix is planned (not a command to copy).
    panel = app.query_one(DiagnosticsPanel)
    await unfold_all(pilot, panel)
    planned = next(n for n, f in enumerate(panel.shown) if f.fixes and f.fixes[0].id in PLANNABLE)
    panel.query_one("#finding-list", OptionList).highlighted = planned
    await pilot.pause()
    for key, kind in (("o", OrderedSyncScreen), ("x", FixConfirmScreen), ("p", PortForwardsScreen)):
        await pilot.press(key)
        await wait_for(pilot, lambda kind=kind: isinstance(app.screen, kind), kind.__name__)
        await pilot.pause()
        buttons = list(app.screen.query(Button))
        assert buttons or kind is PortForwardsScreen
        hidden = [b.label for b in buttons if not shown(app, b)]
        assert not hidden, f"{kind.__name__}: {hidden} cut off at 80x24"
        box = app.screen.query_one("#ordered-box, #fix-box, #pf-box")
        assert shown(app, box) and box.region.bottom <= SMALL[1] - 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, "the dialog to close")
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
    box = app.screen.query_one("#help-box")
    assert box.region.right <= SMALL[0] and box.region.bottom <= SMALL[1] - 1
    await pilot.press("escape")
    await wait_for(pilot, lambda: len(app.screen_stack) == 1, "the help to close")


async def _views_fit(pilot: Any, app: KftuiApp) -> None:
    """Logs, YAML and events of the katib pod: each header wraps within the width instead of running off it."""
    for key, kind, header in (
        ("l", LogsScreen, "#logs-header"),
        ("y", YamlScreen, "#view-header"),
        ("v", EventsScreen, "#view-header"),
    ):
        assert app.query_one(ResourceTree).reveal(KATIB_POD)
        await pilot.press(key)
        await wait_for(pilot, lambda kind=kind: isinstance(app.screen, kind), kind.__name__)
        await pilot.pause()
        widget = app.screen.query_one(header)
        text = str(widget.render())
        assert shown(app, widget)
        on_screen = " ".join(r.strip() for r in rows(app, widget.region))
        assert text.split()[-1] in on_screen, (text, on_screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, "the view to close")


async def test_80x24_dialogs_views_and_headers_stay_on_screen(tmp_path: Path) -> None:
    app = _fixes_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        await _dialogs_fit(pilot, app)
        await _views_fit(pilot, app)


async def test_220x60_puts_the_details_beside_a_full_height_tree() -> None:
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await loaded(pilot)
        await pilot.pause()
        tree = app.query_one(ResourceTree).region
        details = app.query_one(DetailsPane).region
        diagnostics = app.query_one(DiagnosticsPanel).region
        assert tree.right <= details.x < diagnostics.x  # three columns
        assert tree.height == details.height == diagnostics.height >= 55
        assert tree.width >= 55 and details.width >= 55 and diagnostics.width >= 80
        # The fixes follow the explanation instead of sitting at the bottom under a gap.
        panel = app.query_one(DiagnosticsPanel)
        gap = (
            panel.query_one("#fix-heading").region.y - panel.query_one("#finding-detail-scroll").region.bottom
        )
        assert gap <= 1
