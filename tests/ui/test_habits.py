"""k9s habits in the app (Pilot): d, j/k/g/G, 1-9, ctrl+d, c, y/l, hints, `:`, esc, r, modals' keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Footer, OptionList, TabbedContent

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import StaticSource
from kftui.fixes.plans import DeletePodPlan
from kftui.fixes.runtime import FixOptions, build_fix_runtime
from kftui.ui import hints
from kftui.ui.app import KftuiApp
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.help import HelpScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.tree_model import filter_model
from kftui.ui.widgets.command_box import CommandBox
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.ui.helpers import frozen_clock, wait_for
from tests.ui.scenarios import SIZE, demo_app, loaded

KATIB_POD = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn"


@pytest.fixture(autouse=True)
def _keep_every_toast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record each toast as it is raised: Textual drops a toast after its timeout, and on a loaded machine the
    keys typed after it can take longer than that, so reading the live toasts would race the wall clock."""
    raise_toast = KftuiApp.notify

    def notify(self: KftuiApp, message: str, *args: Any, **kwargs: Any) -> None:
        self.__dict__.setdefault("_toasts_seen", []).append(str(message))
        raise_toast(self, message, *args, **kwargs)

    monkeypatch.setattr(KftuiApp, "notify", notify)


def _toasts(app: KftuiApp) -> list[str]:
    return list(app.__dict__.get("_toasts_seen", []))


def _app_with_fixes(tmp_path: Path) -> KftuiApp:
    source = StaticSource(load_demo)
    fixes = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "audit.jsonl")), env={})
    return KftuiApp(source, clock=frozen_clock, fixes=fixes)


async def test_number_keys_pick_the_fix_and_x_runs_that_one(tmp_path: Path) -> None:
    app = _app_with_fixes(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        panel = app.query_one(DiagnosticsPanel)
        finding = panel.current
        assert finding is not None and len(finding.fixes) >= 2
        await pilot.press("2")
        assert panel.query_one("#fix-list", OptionList).highlighted == 1
        assert panel.current_fix == finding.fixes[1]
        assert any(t.startswith("Fix 2 chosen: ") for t in _toasts(app))
        await pilot.press("9")
        assert panel.current_fix == finding.fixes[1]  # no fix 9: the choice stays
        assert any("there is no fix 9" in t for t in _toasts(app))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FixConfirmScreen), "the fix preview")
        screen = app.screen
        assert isinstance(screen, FixConfirmScreen) and screen.plan.fix_id == finding.fixes[1].id


async def test_ctrl_d_deletes_only_pods_through_the_preview(tmp_path: Path) -> None:
    app = _app_with_fixes(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = app.query_one(ResourceTree)
        assert tree.reveal("app:kubeflow")
        await pilot.press("ctrl+d")
        assert any(t.startswith("ctrl+d deletes a pod; the selection is app kubeflow") for t in _toasts(app))
        assert not isinstance(app.screen, FixConfirmScreen)
        assert tree.reveal(KATIB_POD)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, FixConfirmScreen), "the delete preview")
        screen = app.screen
        assert isinstance(screen, FixConfirmScreen) and isinstance(screen.plan, DeletePodPlan)
        assert screen.query(Footer)  # the modal's own footer
        await pilot.press("q")  # q closes a modal: nothing ran
        await wait_for(pilot, lambda: not isinstance(app.screen, FixConfirmScreen), "the preview to close")
        assert app.is_running


async def test_d_describes_and_jkgG_move_the_focused_pane() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = app.query_one(ResourceTree)
        await pilot.press("C", "g")
        assert tree.cursor_key == "app:kubeflow"
        await pilot.press("j")
        assert tree.cursor_key == "app:kubeflow-seaweedfs"
        await pilot.press("G")
        assert tree.cursor_key == "unowned"
        await pilot.press("k")
        assert tree.cursor_key == "app:kubeflow-pipelines"
        await pilot.press("f", "j")
        assert app.query_one("#finding-list", OptionList).highlighted == 1
        await pilot.press("G")
        findings = app.query_one("#finding-list", OptionList)
        assert findings.highlighted == findings.option_count - 1
        await pilot.press("escape")  # back: to the tree
        assert app.focused is tree
        app.query_one("#details-tabs", TabbedContent).active = "tab-events"
        await pilot.press("d")
        assert app.query_one("#details-tabs", TabbedContent).active == "tab-describe"
        assert app.focused is not None and app.focused.id == "describe"


async def test_k9s_keys_without_an_action_say_so_and_c_copies() -> None:
    """`y` and `l` open the YAML and logs views (tests/ui/test_views.py); the keys kftui lacks give a hint."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s", "ctrl+k", "0")
        toasts = _toasts(app)
        assert hints.NO_ACTION["shell"] in toasts and hints.NO_ACTION["kill"] in toasts
        assert hints.NO_ACTION["favourite"] in toasts
        await pilot.press("c")
        assert app.clipboard  # c copies now


async def test_the_command_line_jumps_and_completes_and_refuses_nonsense() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = app.query_one(ResourceTree)
        box = app.query_one(CommandBox)
        # `:pod` typed at once must not reach the app's keys (p opened Port-forwards).
        await pilot.press("colon", *"pod", "enter")
        assert tree.cursor_key is not None and "/pod:" in tree.cursor_key
        assert len(app.screen_stack) == 1 and not box.display
        await pilot.press("colon", *"app kubeflow-pi", "tab")
        assert box.value == "app kubeflow-pipelines "
        await pilot.press("enter")
        assert tree.cursor_key == "app:kubeflow-pipelines"
        assert app.scope is not None and app.scope.label == "app kubeflow-pipelines"
        await pilot.press("colon", *"ns istio-system", "enter")
        assert tree.cursor_key == "app:kubeflow/ns:istio-system"
        await pilot.press("colon", *"[/]bogus", "enter")
        assert any(t.startswith("unknown command :[/]bogus") for t in _toasts(app))
        await pilot.press("colon", *"ctx", "enter")
        assert any(t.startswith("Source: a snapshot") for t in _toasts(app))
        await pilot.press("colon", *"apps", "enter")
        assert tree.cursor_key == "app:kubeflow" and app.scope is None
        await pilot.press("colon", *"help", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await pilot.press("q")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "the help to close")
        await pilot.press("colon", *"q", "enter")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")


async def test_filter_by_status_and_no_match() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = app.query_one(ResourceTree)
        await pilot.press("slash", *"Unknown", "enter")  # kubeflow-pipelines' sync status
        await wait_for(pilot, lambda: tree.filter_text == "unknown", "the filter")
        assert app.tree_model is not None
        assert "app:kubeflow-pipelines" in filter_model(app.tree_model, "unknown").matched
        assert "app:kubeflow-pipelines" in tree.visible_keys()
        await pilot.press("escape", "slash", *"Degraded", "enter")
        await wait_for(pilot, lambda: tree.filter_text == "degraded", "the filter")
        assert tree.visible_keys()[0] == "app:kubeflow"  # the app says Degraded
        assert "app:kubeflow-seaweedfs" not in tree.visible_keys()
        await pilot.press("escape", "slash", *"zzz-nothing", "enter")
        await wait_for(pilot, lambda: tree.filter_text == "zzz-nothing", "the filter")
        assert tree.visible_keys() == []
        assert "no match for zzz-nothing" in str(tree.border_subtitle)


async def test_r_says_reloading_then_when() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = len(_toasts(app))
        await pilot.press("r")
        await wait_for(pilot, lambda: any(t.startswith("Reloaded at ") for t in _toasts(app)), "the reload")
        assert _toasts(app)[before:] == ["Reloading…", "Reloaded at 03:12:00"]


async def test_modals_show_their_own_keys_and_question_mark_explains_them(tmp_path: Path) -> None:
    app = _app_with_fixes(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderedSyncScreen), "the ordered sync")
        screen = app.screen
        assert isinstance(screen, OrderedSyncScreen)
        assert screen.preflight_line.startswith("Preflight: stops at kubeflow: Degraded")
        keys = {b.binding.action: b.enabled for b in screen.active_bindings.values()}
        shown = {action for action, enabled in keys.items() if enabled}
        assert {"close_or_cancel", "help"} <= shown
        assert keys["start"] is False  # the demo has no Argo CD to sync: Start is dimmed, not hidden
        assert not {"run_fix", "ordered_sync", "port_forwards", "pick_fix(1)"} & shown
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the modal's help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert {row.where for row in help_screen.rows} == {"ordered sync", "Help"}
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back to the ordered sync")
        await pilot.press("q")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, "the ordered sync to close")


def _start_on(name: str) -> KftuiApp:
    return KftuiApp(StaticSource(load_demo), clock=frozen_clock, start_app=name)


async def test_app_flag_opens_on_that_application_selected_and_expanded() -> None:
    """`kftui --app NAME` (the k9s plugin): the app selected, expanded, on screen, its findings shown."""
    app = _start_on("kubeflow-pipelines")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        tree = app.query_one(ResourceTree)
        await wait_for(pilot, lambda: tree.cursor_key == "app:kubeflow-pipelines", "the app selected")
        await pilot.pause()
        node = tree.cursor_node
        assert node is not None and node.is_expanded
        child = "app:kubeflow-pipelines/ns:kubeflow"
        assert child in tree.visible_keys()
        # Both rows are inside the tree's viewport, not scrolled away below it.
        top, height = round(tree.scroll_y), tree.scrollable_content_region.height
        child_node = tree.node_for(child)
        assert child_node is not None
        assert top <= node.line < child_node.line < top + height
        assert app.scope is not None and app.scope.label == "app kubeflow-pipelines"
        panel = app.query_one(DiagnosticsPanel)
        assert panel.shown and all(f.app == "kubeflow-pipelines" for f in panel.shown)
        assert app.focused is tree and not _toasts(app)


async def test_app_flag_with_an_unknown_name_opens_the_tree_with_a_notice() -> None:
    app = _start_on("no[/]such\x1b[2J")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: bool(_toasts(app)), "the notice")
        assert _toasts(app) == ["no Application named no[/]such\\x1b[2J"]
        assert app.query_one(ResourceTree).cursor_key == "app:kubeflow" and app.scope is None
