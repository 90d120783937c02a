"""Hostile cluster text through the TUI: what Textual would write to the terminal holds no control character
from the data and no markup made live, and nothing crashes (an app named with `[/]` once did).

The check reads the compositor's output, the strips the driver turns into terminal writes: every text
segment (not Textual's own cursor moves) must be free of characters that act, and no style may carry a
`@click` action that came from data.
"""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.command import CommandInput, CommandList, CommandPalette, Hit
from textual.fuzzy import Matcher
from textual.widgets import Static, TabbedContent
from textual.worker import WorkerState

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import StaticSource
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import ForwardTarget, plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, FixRef, ObjectRef
from kftui.profile import builtin_profile, detect_profile
from kftui.ui import render
from kftui.ui.app import KftuiApp
from kftui.ui.clipboard import copy_message
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from kftui.ui.widgets.text_view import TextView
from tests.fix_fakes import T0, FakeArgo
from tests.hostile import FORBIDDEN_META, SAMPLES, hostile_snapshot, hostile_text, unsafe_in
from tests.ui.helpers import FakeLiveSourceWithLogs, frozen_clock, wait_for
from tests.ui.scenarios import loaded

SIZE = (140, 45)
PROFILE = detect_profile({a.name for a in load_demo().applications.values()})


def screen_problems(app: App[Any]) -> list[str]:
    """What in the current frame would act on the terminal: raw controls, or live markup actions."""
    update = app.screen._compositor.render_update(full=True)
    assert update is not None
    problems: list[str] = []
    for line in update.strips:  # type: ignore[attr-defined]
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue
                if bad := unsafe_in(segment.text):
                    problems.append(f"raw {bad!r} in {segment.text[:60]!r}")
                style = segment.style
                meta = style.meta if isinstance(style, Style) else {}
                if any(word in repr(meta) for word in FORBIDDEN_META):
                    problems.append(f"live markup {meta!r} on {segment.text[:60]!r}")
    return problems


def text_problems(text: Text, *, keep: str = "\n") -> list[str]:
    return [f"{c!r} in {text.plain[:60]!r}" for c in unsafe_in(text.plain, keep=keep)]


def toasts_shown(app: App[Any]) -> bool:
    """The notification is recorded. Note: run_test() draws no toasts (notifications=False by default), so
    the frame checked after this holds no toast; the toast's own text is asserted on its Notification."""
    return bool(app._notifications)


def reviewed(host: App[Any], screen: FixConfirmScreen | OrderedSyncScreen | PortForwardsScreen) -> bool:
    """The screen is up and its access review (a worker, which may end in a refusal shown) has answered."""
    return host.screen is screen and not screen.reviewing


def palette_listed(app: App[Any], query: str) -> bool:
    """The command palette has finished gathering for `query` and lists what it found.

    With no query it lists every command (discovery; `-ready` marks the first gathering done); with one,
    every entry is a search hit matching the query, so the list is not the one left from a shorter prefix.
    """
    palette = app.screen
    if not isinstance(palette, CommandPalette) or not palette.has_class("-ready"):
        return False
    if palette.query_one(CommandInput).value != query:
        return False
    gathering = (w for w in palette.workers if w.node is palette)  # not the app's own workers
    if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in gathering):
        return False
    options = palette.query_one(CommandList).options
    if not options:
        return False
    if not query:
        return True
    matcher = Matcher(query)
    return all(
        isinstance(hit := getattr(option, "hit", None), Hit) and matcher.match(hit.text or "") > 0
        for option in options
    )


async def _explore(snap: ClusterSnapshot) -> list[str]:
    app = KftuiApp(StaticSource(lambda: snap), PROFILE, clock=frozen_clock)
    problems: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.pause()
        problems += screen_problems(app)

        # Every tree label, describe and events view, built as the widgets build them.
        model = app.query_one(ResourceTree).tree_model
        assert model is not None
        stack = list(model.roots())
        while stack:
            item = stack.pop()
            problems += text_problems(model.label(item), keep="")
            if item.obj is not None:
                problems += text_problems(render.describe([("x", item.obj)], snap.now))
            stack.extend(model.children(item))
        events = sorted(snap.events.values(), key=lambda e: e.seen) if snap.events else []
        problems += text_problems(render.events_table(list(events), snap.now))

        # Walk the findings (detail, fixes) and the tree (details pane), looking at the frame each time.
        panel = app.query_one(DiagnosticsPanel)
        app.action_focus_findings()
        for _ in range(min(len(panel.shown), 6)):
            await pilot.press("down")
            await pilot.pause()
            problems += screen_problems(app)
        app.action_focus_tree()
        for _ in range(8):
            await pilot.press("down")
            await pilot.pause()
        problems += screen_problems(app)

        # Toasts: copying a fix, and a message carrying data.
        fixes: list[FixRef] = [fix for f in panel.shown for fix in f.fixes][:3]
        for fix in fixes:
            app.copy_fix(fix)
        app.notify(f"Sync of {next(iter(snap.applications.values())).name} failed", title="t[/]x")
        await wait_for(pilot, lambda: toasts_shown(app), "toasts")
        problems += screen_problems(app)

        # The command palette, with the app names and fix commands it lists.
        app.action_command_palette()
        await wait_for(pilot, lambda: palette_listed(app, ""), "the palette's commands")
        problems += screen_problems(app)  # every entry, app names included, before any search
        await pilot.press(*"copy")
        await wait_for(pilot, lambda: palette_listed(app, "copy"), "the palette's hits for 'copy'")
        problems += screen_problems(app)
    return problems


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad=hostile_text, keep_semantics=st.booleans())
def test_the_tui_shows_hostile_text_inert(bad: str, keep_semantics: bool) -> None:
    problems = asyncio.run(_explore(hostile_snapshot(bad, keep_semantics)))
    assert problems == []


async def test_an_app_named_with_markup_loads_and_its_toast_is_inert() -> None:
    """`[/]` in a name crashed the TUI; `[@click=app.quit]` in a copied command became a live link."""
    snap = hostile_snapshot("[/][@click=app.quit]x[/]", keep_semantics=True)
    app = KftuiApp(StaticSource(lambda: snap), PROFILE, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.load_error is None
        fix = next(fix for f in app.query_one(DiagnosticsPanel).shown for fix in f.fixes)
        app.copy_fix(fix)
        await wait_for(pilot, lambda: toasts_shown(app), "the toast")
        assert screen_problems(app) == []
        toast = next(iter(app._notifications))
        assert (
            toast.message == copy_message(fix.command, sent=False)
            and "[@click=app.quit]x[/]" in toast.message
        )
        assert not toast.markup
        assert app.is_running  # a live [@click=app.quit] would have been a way to quit; nothing ran


async def test_a_command_with_control_characters_is_not_copied() -> None:
    snap = hostile_snapshot("\x1b[201~; touch /tmp/x\n", keep_semantics=True)
    app = KftuiApp(StaticSource(lambda: snap), PROFILE, clock=frozen_clock)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        fix = next(fix for f in app.query_one(DiagnosticsPanel).shown for fix in f.fixes)
        app.copy_fix(fix)
        await wait_for(pilot, lambda: toasts_shown(app), "the refusal's toast")
        assert copied == []
        toast = next(iter(app._notifications))
        assert toast.message.startswith("Not copied") and "\x1b" not in toast.message
        assert screen_problems(app) == []


async def test_fix_and_forward_screens_show_hostile_names_inert(tmp_path: Path) -> None:
    bad = "[/]\x1b]52;c;ZXZpbA==\x07\u202e"
    argo = FakeArgo()
    chain = tuple(name + bad for name in ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines"))
    for name in chain:
        argo.add(name)
    runner = FixRunner(Gate(False, AuditLog(tmp_path / "audit.jsonl", user="t"), "lab"), argo, step_timeout=5)
    snap = ClusterSnapshot.from_objects([f.app for f in argo.apps.values()], now=T0)
    sync = plan_action("sync", ObjectRef("Application", "argocd", chain[0]), snap)
    ordered = plan_action("ordered-sync", ObjectRef("Application", "argocd", ""), snap, builtin_profile())
    # The ordered sync takes its chain from the profile; the app names only reach its table.
    target = ForwardTarget("kubeflow" + bad, "gateway" + bad, 80, 8080, login_hint="user" + bad)
    screens = (
        (lambda: FixConfirmScreen(sync, runner), True),
        (lambda: OrderedSyncScreen(ordered, runner), False),
        (lambda: PortForwardsScreen(ForwardManager(kube=None), target), True),
    )
    for make, names_shown in screens:
        host = App[None]()
        async with host.run_test(size=SIZE) as pilot:
            screen = make()
            await host.push_screen(screen)
            # The screens ask the runner for access in a worker and may show a refusal after.
            await wait_for(pilot, partial(reviewed, host, screen), "the review")
            assert screen_problems(host) == []
            shown = " ".join(str(s.content) for s in host.screen.query(Static))
            assert ("\\x1b]52;c;ZXZpbA==\\x07\\u202e" in shown) is names_shown


class HostileLogs(FakeLiveSourceWithLogs):
    """The demo, whose pod logs are written by the attacker."""

    def pod_logs(self, namespace: str, name: str, container: str, tail: int, cluster: str = "") -> str:
        return "start\n" + "\n".join(SAMPLES) + "\nend of tail"


async def test_the_logs_pane_shows_hostile_lines_inert() -> None:
    source = HostileLogs(load_demo())
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.query_one(ResourceTree).reveal("app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn")
        logs = app.query_one("#logs", TextView)
        await wait_for(pilot, lambda: "end of tail" in logs.plain, "the log tail")
        app.query_one("#details-tabs", TabbedContent).active = "tab-logs"
        await wait_for(pilot, lambda: logs.region.area > 0, "the logs tab shown")
        assert unsafe_in(logs.plain, keep="\n") == []
        assert "\\x1b]52;c;ZXZpbA==\\x07" in logs.plain and logs.plain.count("\n") >= len(SAMPLES)
        assert screen_problems(app) == []


async def test_names_completed_or_typed_on_the_command_line_stay_text() -> None:
    """`:app` completes cluster names into the line and shows candidates in a toast: both are plain text."""
    from kftui.ui.widgets.command_box import CommandBox

    snap = hostile_snapshot("[/][@click=app.quit]x[/]", keep_semantics=True)
    app = KftuiApp(StaticSource(lambda: snap), PROFILE, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        names = sorted(a.name for a in snap.applications.values())
        assert any("[@click=app.quit]" in n for n in names)
        box = app.query_one(CommandBox)
        await pilot.press("colon")
        box.value = "app "
        await pilot.press("tab")  # several apps: the common part, and the candidates in a toast
        await wait_for(pilot, lambda: any(n.title == "Completions" for n in app._notifications), "candidates")
        box.value = f"app {names[-1]}"
        await pilot.press("enter")
        tree = app.query_one(ResourceTree)
        await wait_for(pilot, lambda: tree.cursor_key == f"app:{names[-1]}", "the cursor on the typed app")
        box.display = True
        box.value = "[/][@click=app.quit]"
        box.focus()
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any("unknown command" in n.message for n in app._notifications), "refusal"
        )
        await wait_for(pilot, lambda: toasts_shown(app), "the refusal's toast")
        assert screen_problems(app) == []
        assert not any(n.markup for n in app._notifications)
        assert app.is_running
