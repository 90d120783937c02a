"""Pilot tests: drive the app with keys and assert on widget state, never on how long things take."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.widgets import DataTable, Input, OptionList, Static

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import ConnectionStatus
from kftui.model import ConnectionState, Pod, WatchEvent
from kftui.ui.app import KftuiApp
from kftui.ui.screens.help import HelpScreen, help_rows
from kftui.ui.widgets.details import NO_LOGS, DetailsPane
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from kftui.ui.widgets.status_line import StatusLine
from tests.ui.helpers import FakeLiveSource, FakeLiveSourceWithLogs, frozen_clock, wait_for
from tests.ui.scenarios import SIZE, broken_app, demo_app, filter_applied, loaded

KATIB_POD = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn"


def _tree(app: KftuiApp) -> ResourceTree:
    return app.query_one(ResourceTree)


def _shown_checks(app: KftuiApp) -> list[tuple[str, str | None]]:
    return [(f.check, f.app) for f in app.query_one(DiagnosticsPanel).shown]


def _status_text(app: KftuiApp) -> str:
    return app.query_one(StatusLine).render().plain


async def test_demo_loads_into_tree_and_findings() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        assert tree.visible_keys() == [
            "app:kubeflow",
            "app:kubeflow-pipelines",
            "app:kubeflow-seaweedfs",
            "unowned",
        ]
        panel = app.query_one(DiagnosticsPanel)
        assert [f.severity.value for f in panel.shown] == ["error", "error", "error"]
        assert panel.current is not None and panel.current.check == "app-degraded"
        assert "OFFLINE" in _status_text(app) and "STALE" in _status_text(app)
        assert "2026-11-20 03:12:00 UTC" in _status_text(app)


async def test_arrows_and_enter_expand_the_tree() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        assert tree.cursor_key == "app:kubeflow"
        await pilot.press("enter")
        assert "app:kubeflow/ns:kubeflow" in tree.visible_keys()
        await pilot.press("down", "down", "down")
        assert tree.cursor_key == "app:kubeflow/ns:kubeflow"
        await pilot.press("enter")
        await pilot.pause()
        assert KATIB_POD in tree.visible_keys()
        assert "app:kubeflow/ns:kubeflow" in tree.expanded_keys
        await pilot.press("enter")
        assert KATIB_POD not in tree.visible_keys()


async def test_tree_marks_missing_and_failing_things() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        assert tree.reveal(KATIB_POD)
        node = tree.cursor_node
        assert node is not None
        label = str(node.label)
        assert "CrashLoopBackOff" in label and "0/1" in label and "↻7" in label
        assert label.startswith("✖")
        app_label = str(tree.node_for("app:kubeflow-seaweedfs").label)  # type: ignore[union-attr]
        assert app_label.startswith("●") and "Synced" in app_label and "Healthy" in app_label


async def test_filter_keeps_matches_and_their_ancestors_and_escape_clears() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"katib")
        await filter_applied(pilot, "katib")
        box = app.query_one("#filter", Input)
        assert box.display and box.value == "katib"
        keys = _tree(app).visible_keys()
        assert keys[:3] == [
            "app:kubeflow",
            "app:kubeflow/ns:kubeflow",
            "app:kubeflow/ns:kubeflow/res:Deployment/katib-controller",
        ]
        assert KATIB_POD in keys
        assert not any(k.startswith("app:kubeflow-seaweedfs") for k in keys)
        assert not any("centraldashboard" in k for k in keys)
        await pilot.press("escape")
        assert not box.display and box.value == ""
        assert _tree(app).visible_keys() == [
            "app:kubeflow",
            "app:kubeflow-pipelines",
            "app:kubeflow-seaweedfs",
            "unowned",
        ]
        assert app.focused is _tree(app)


async def test_filter_matches_pod_status() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"crashloop", "enter")
        keys = _tree(app).visible_keys()
        assert keys == ["app:kubeflow", "app:kubeflow/ns:kubeflow", KATIB_POD]
        assert app.focused is _tree(app)


async def test_selecting_nodes_narrows_findings_and_a_clears() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("down", "enter")
        assert _shown_checks(app) == [("app-out-of-sync", "kubeflow-pipelines")]
        assert "app kubeflow-pipelines" in str(app.query_one("#diag-summary", Static).render())
        await pilot.press("a")
        assert len(_shown_checks(app)) == 3
        assert app.scope is None


async def test_narrowing_to_a_pod_a_workload_and_escape_clears() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        tree.reveal(KATIB_POD)
        await pilot.press("enter")
        assert _shown_checks(app) == [("pod-failing", "kubeflow")]
        # A Deployment stands for its pods too.
        tree.reveal("app:kubeflow/ns:kubeflow/res:Deployment/katib-controller")
        await pilot.press("enter")
        assert _shown_checks(app) == [("pod-failing", "kubeflow")]
        # A healthy namespace has nothing to show.
        tree.reveal("app:kubeflow/ns:auth")
        await pilot.press("enter")
        assert _shown_checks(app) == []
        await pilot.press("escape")
        assert len(_shown_checks(app)) == 3


async def test_errors_only_and_finding_detail_with_fixes() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f", "down")
        panel = app.query_one(DiagnosticsPanel)
        assert panel.current is not None and panel.current.check == "pod-failing"
        detail = str(app.query_one("#finding-detail", Static).render())
        assert "CrashLoopBackOff, 7 restarts" in detail and "Why" in detail
        fixes = app.query_one("#fix-list", OptionList)
        assert fixes.option_count == len(panel.current.fixes) == 4
        # Walking the findings reveals the subject in the tree and describes it.
        assert _tree(app).cursor_key == KATIB_POD
        assert "katib-controller-7f5b8c9d6-5rjtn" in str(app.query_one("#describe", Static).render())
        await pilot.press("e")
        assert app.errors_only and len(panel.shown) == 3  # the demo has only errors
        assert "errors only" in str(app.query_one("#diag-summary", Static).render())


async def test_copy_fix_command_copies_the_highlighted_fix() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("y")
        assert app.clipboard == "argocd app get kubeflow --hard-refresh"
        app.query_one("#fix-list", OptionList).highlighted = 1
        await pilot.press("y")
        assert app.clipboard == "argocd app sync kubeflow"


async def test_help_screen_lists_every_binding() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        expected = help_rows([*app.help_sources(), ("Help", HelpScreen.BINDINGS)])
        assert table.row_count == len(expected)
        actions = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        for binding in KftuiApp.BINDINGS:
            assert binding.description in actions, binding  # type: ignore[union-attr]
        assert {"Expand apps", "Collapse all", "Close help"} <= actions
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_every_kftui_binding_has_an_id_and_a_description() -> None:
    ours = [*KftuiApp.BINDINGS, *ResourceTree.BINDINGS, *HelpScreen.BINDINGS]
    assert len(ours) >= 12
    for binding in ours:
        assert isinstance(binding, Binding)
        assert binding.id and binding.description, binding
    ids = [b.id for b in ours if isinstance(b, Binding)]
    assert len(ids) == len(set(ids)), "binding ids must be unique so keymaps can remap them"


async def test_load_error_shows_a_banner_not_a_traceback() -> None:
    app = broken_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        banner = app.query_one("#error-banner", Static)
        assert banner.display
        assert "connection refused" in str(banner.render())
        assert not app.query_one("#body").display
        assert "no data" in _status_text(app)
        assert app.is_running


async def test_live_connection_state_shows_in_status_line() -> None:
    source = FakeLiveSource(load_demo())
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "LIVE" in _status_text(app) and "STALE" not in _status_text(app)
        source.push(
            ConnectionStatus(ConnectionState.RECONNECTING, "watch pods: connection reset; retry in 2s")
        )
        await wait_for(pilot, lambda: app.connection.state is ConnectionState.RECONNECTING, "reconnecting")
        text = _status_text(app)
        assert "RECONNECTING" in text and "connection reset" in text and "STALE" in text
        source.push(ConnectionStatus(ConnectionState.LIVE))
        await wait_for(pilot, lambda: app.connection.state is ConnectionState.LIVE, "live again")
        assert "STALE" not in _status_text(app)
    assert source.stopped.wait(5), "the follow worker must stop when the app exits"


async def test_live_pod_added_and_deleted_updates_the_tree() -> None:
    base = load_demo()
    source = FakeLiveSource(base)
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        tree.reveal("app:kubeflow/ns:kubeflow")
        await pilot.press("enter")  # expand the namespace; the expansion must survive live updates
        template = base.pods[("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")]
        new_pod = replace(template, name="katib-controller-7f5b8c9d6-new01", resource_version="9001")
        new_key = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-new01"
        source.push([WatchEvent("ADDED", new_pod)])
        await wait_for(pilot, lambda: new_key in tree.visible_keys(), "the added pod in the tree")
        assert tree.cursor_key == "app:kubeflow/ns:kubeflow"
        assert sum(1 for f in app.findings if f.check == "pod-failing") == 2
        source.push([WatchEvent("DELETED", new_pod)])
        await wait_for(pilot, lambda: new_key not in tree.visible_keys(), "the deleted pod gone")
        assert sum(1 for f in app.findings if f.check == "pod-failing") == 1


async def test_bursts_are_coalesced_into_few_repaints() -> None:
    base = load_demo()
    source = FakeLiveSource(base)
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        template = next(iter(base.pods.values()))
        pods = [
            replace(template, namespace="burst", name=f"p{i}", owner_kind="", workload_kind="")
            for i in range(1000)
        ]
        for pod in pods:
            source.push([WatchEvent("ADDED", pod)])
        await wait_for(
            pilot,
            lambda: app.snapshot is not None and len(app.snapshot.pods) == len(base.pods) + 1000,
            "all pods",
        )
        assert app.applied_batches < 100, app.applied_batches
        assert "unowned/ns:burst" in {i.key for i in app.tree_model.children(app.tree_model.roots()[-1])}  # type: ignore[union-attr]


async def test_pod_logs_come_from_the_source_when_it_has_them() -> None:
    source = FakeLiveSourceWithLogs(load_demo())
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        _tree(app).reveal(KATIB_POD)
        logs = app.query_one("#logs", Static)
        await wait_for(pilot, lambda: "panic: cannot connect" in str(logs.render()), "the log tail")
        assert source.log_requests == [
            ("kubeflow", "katib-controller-7f5b8c9d6-5rjtn", "katib-controller", 200)
        ]


async def test_pod_logs_placeholder_without_a_log_source() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        _tree(app).reveal(KATIB_POD)
        await pilot.pause()
        assert str(app.query_one("#logs", Static).render()) == NO_LOGS
        assert app.query_one(DetailsPane).item is not None
        assert isinstance(app.query_one(DetailsPane).item.obj, Pod)  # type: ignore[union-attr]


async def test_events_tab_lists_the_objects_events() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        _tree(app).reveal(KATIB_POD)
        await pilot.pause()
        events = str(app.query_one("#events", Static).render())
        assert "BackOff" in events and "Back-off restarting failed container" in events


async def test_command_palette_jumps_to_an_app() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"jump to app kubeflow-seaweedfs")
        await wait_for(pilot, lambda: _palette_has_hits(app), "palette hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.scope is not None, "the jump")
        assert _tree(app).cursor_key == "app:kubeflow-seaweedfs"
        assert app.scope is not None and app.scope.app == "kubeflow-seaweedfs"


def _palette_has_hits(app: KftuiApp) -> bool:
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    return bool(lists) and lists.first().option_count > 0


async def test_palette_offers_errors_toggle_copy_and_refresh() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        texts = [text for text, _, _ in app.palette_commands()]
        assert "Jump to app kubeflow" in texts
        assert "Toggle errors only" in texts and "Refresh" in texts
        assert "Copy command: argocd app get kubeflow --hard-refresh" in texts


async def test_twenty_thousand_pods_stay_navigable() -> None:
    demo = load_demo()
    template = demo.pods[("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")]
    extra = [replace(template, name=f"katib-controller-7f5b8c9d6-{i:05d}") for i in range(20_000)]
    snapshot = replace(demo, pods={**demo.pods, **{p.key: p for p in extra}})
    source = FakeLiveSource(snapshot)
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        # Collapsed apps cost nothing: the tree holds only the roots.
        assert len(tree.visible_keys()) == 4
        assert tree.reveal("app:kubeflow/ns:kubeflow")
        await pilot.press("enter")
        await pilot.pause()
        keys = tree.visible_keys()
        assert "app:kubeflow/ns:kubeflow/more" in keys
        assert len(keys) < 600
        panel = app.query_one(DiagnosticsPanel)
        assert (
            panel.matching_count == 20_001
        )  # narrowed to the namespace: its pod findings and len(panel.shown) == 1000
        await pilot.press("slash", *"-19999")
        await filter_applied(pilot, "-19999")
        assert tree.visible_keys() == [
            "app:kubeflow",
            "app:kubeflow/ns:kubeflow",
            "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-19999",
        ]
