"""Pilot tests: drive the app with keys and assert on widget state, never on how long things take."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import ConnectionStatus, Sink, StaticSource
from kftui.model import ClusterSnapshot, ConnectionState, Finding, ObjectRef, Pod, Severity, WatchEvent
from kftui.ui import app as app_module
from kftui.ui import bindings
from kftui.ui.app import KftuiApp
from kftui.ui.clipboard import copy_message
from kftui.ui.feed import Handed
from kftui.ui.messages import ConnectionChanged
from kftui.ui.screens.diff_view import DiffScreen
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.help import HelpScreen, help_rows
from kftui.ui.screens.logs import LogsScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.screens.prompt import Confirm, PathPrompt
from kftui.ui.screens.sync_view import SyncScreen
from kftui.ui.screens.text_screen import TextScreen
from kftui.ui.styles import styles_dir
from kftui.ui.tree_keys import finding_key
from kftui.ui.tree_model import TreeItem, TreeModel
from kftui.ui.widgets.details import NO_LOGS, DetailsPane
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from kftui.ui.widgets.status_line import StatusLine
from kftui.ui.widgets.text_view import TextView
from tests.ui.helpers import (
    HANG_SECONDS,
    FakeLiveSource,
    FakeLiveSourceWithLogs,
    demo_findings,
    frozen_clock,
    wait_for,
)
from tests.ui.scenarios import SIZE, broken_app, demo_app, filter_applied, loaded

KATIB_POD = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn"
KATIB_LOGS = "kubectl logs katib-controller-7f5b8c9d6-5rjtn -n kubeflow -c katib-controller --previous"
KATIB_RESTART = "kubectl rollout restart deployment/katib-controller -n kubeflow"


def _tree(app: KftuiApp) -> ResourceTree:
    return app.query_one(ResourceTree)


def _shown_checks(app: KftuiApp) -> list[tuple[str, str | None]]:
    return [(f.check, f.app) for f in app.query_one(DiagnosticsPanel).shown]


def _status_text(app: KftuiApp) -> str:
    return app.query_one(StatusLine).render().plain


@contextlib.asynccontextmanager
async def live_demo() -> AsyncIterator[tuple[ClusterSnapshot, FakeLiveSource, KftuiApp, Pilot[None]]]:
    """The demo behind a live source the test feeds, loaded and on screen."""
    base = load_demo()
    source = FakeLiveSource(base)
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        yield base, source, app, pilot


async def test_demo_loads_into_tree_and_findings() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        # The first screen opens what holds errors, down to the failing pod; healthy apps stay closed.
        assert tree.expanded_keys == {"app:kubeflow", "app:kubeflow/ns:kubeflow", "app:kubeflow-pipelines"}
        assert KATIB_POD in tree.visible_keys()
        assert not any(k.startswith("app:kubeflow-seaweedfs/") for k in tree.visible_keys())
        panel = app.query_one(DiagnosticsPanel)
        # Root causes lead; their consequences are folded under them.
        expected = [f for f in demo_findings() if f.is_root]
        assert [(f.check, f.subject) for f in panel.shown] == [(f.check, f.subject) for f in expected]
        assert len(expected) == 2 < len(demo_findings())
        ranks = [f.severity.rank for f in panel.shown]
        assert ranks == sorted(ranks) and panel.shown[0].severity is Severity.ERROR
        assert panel.current is not None and panel.current.check == "pod-failing"
        assert "OFFLINE" in _status_text(app) and "STALE" in _status_text(app)
        assert "2026-11-20 03:12:00 UTC" in _status_text(app)


async def test_a_connection_change_arriving_during_shutdown_is_dropped() -> None:
    """The follow worker's last ConnectionChanged can be handled after the widgets are removed (seen in CI)."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
    assert not app.query(StatusLine)  # the widgets are gone, as they are when the late message lands
    app.on_connection_changed(ConnectionChanged(ConnectionStatus(ConnectionState.OFFLINE, "closed")))
    assert app.connection.state is ConnectionState.OFFLINE


async def test_consequences_unfold_under_their_root_cause_and_fold_back() -> None:
    """→ lists what the highlighted root cause led to, indented under it and selectable, each naming its
    root cause; ← folds them back and keeps the root cause highlighted."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        panel = app.query_one(DiagnosticsPanel)
        listing = app.query_one("#finding-list", OptionList)
        assert "+2 " in str(listing.get_option_at_index(0).prompt)
        await pilot.press("f", "right")
        assert _shown_checks(app) == [
            ("pod-failing", "kubeflow"),
            ("app-degraded", "kubeflow"),
            ("dependency-order", "kubeflow-seaweedfs"),
            ("kustomize-duplicate-id", "kubeflow-pipelines"),
        ]
        assert panel.nested == [False, True, True, False]
        assert "↳" in str(listing.get_option_at_index(2).prompt)
        await pilot.press("down", "down")
        assert panel.current is not None and panel.current.check == "dependency-order"
        detail = str(app.query_one("#finding-detail", Static).render())
        assert "Caused by" in detail and "katib-controller-7f5b8c9d6-5rjtn is CrashLoopBackOff" in detail
        await pilot.press("left")
        assert panel.nested == [False, False]
        assert panel.current is not None and panel.current.check == "pod-failing"


async def test_arrows_and_enter_expand_the_tree() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        await pilot.press("C")
        # The profile's dependency order, not the alphabet.
        assert tree.visible_keys() == [
            "app:kubeflow",
            "app:kubeflow-seaweedfs",
            "app:kubeflow-pipelines",
            "unowned",
        ]
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
        assert "Synced" in app_label and "Healthy" in app_label
        tree.reveal("app:kubeflow/ns:auth")
        assert str(tree.node_for("app:kubeflow/ns:auth").label).startswith("●")  # type: ignore[union-attr]


async def test_filter_keeps_matches_and_their_ancestors_and_escape_clears() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = _tree(app).visible_keys()
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
        assert _tree(app).visible_keys() == before
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
        await pilot.press("C", "G", "up", "enter")  # kubeflow-pipelines: last app, above Unowned
        pipelines = [(f.check, f.app) for f in demo_findings() if f.app == "kubeflow-pipelines"]
        assert pipelines == [
            ("app-out-of-sync", "kubeflow-pipelines"),
            ("kustomize-duplicate-id", "kubeflow-pipelines"),
        ]
        # The symptom folds under its root cause, which leads.
        assert _shown_checks(app) == pipelines[1:]
        assert "app kubeflow-pipelines" in str(app.query_one("#diag-summary", Static).render())
        await pilot.press("f", "right")
        assert _shown_checks(app) == pipelines[::-1]
        await pilot.press("a")
        assert len(_shown_checks(app)) == 2 + 1  # the two root causes, the duplicate id still unfolded
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
        assert len(_shown_checks(app)) == len([f for f in demo_findings() if f.is_root])


async def test_errors_only_and_finding_detail_with_fixes() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f", "down", "up")
        panel = app.query_one(DiagnosticsPanel)
        assert panel.current is not None and panel.current.check == "pod-failing"
        detail = str(app.query_one("#finding-detail", Static).render())
        assert "CrashLoopBackOff, 7 restarts" in detail and "Why" in detail
        fixes = app.query_one("#fix-list", OptionList)
        assert fixes.option_count == len(panel.current.fixes) == 4
        # Walking the findings reveals the subject in the tree and describes it.
        assert _tree(app).cursor_key == KATIB_POD
        assert "katib-controller-7f5b8c9d6-5rjtn" in app.query_one("#describe", TextView).plain
        await pilot.press("e")
        errors = [f for f in demo_findings() if f.severity is Severity.ERROR]
        # Errors only: the error root causes, their error consequences still folded under them.
        assert app.errors_only and len(panel.shown) == len([f for f in errors if f.is_root]) == 2 < len(
            errors
        )
        assert "errors only" in str(app.query_one("#diag-summary", Static).render())


async def test_copy_fix_command_copies_the_highlighted_fix() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        assert app.clipboard == KATIB_LOGS
        app.query_one("#fix-list", OptionList).highlighted = 1
        await pilot.press("c")
        assert app.clipboard == KATIB_RESTART
        # No terminal under the test: kftui says so and shows the text, never a bare "Copied".
        toast = list(app._notifications)[-1]
        assert toast.message == copy_message(KATIB_RESTART, sent=False)


async def test_help_screen_lists_every_binding() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        expected = help_rows([*bindings.help_sources(), ("Help", HelpScreen.BINDINGS)])
        assert table.row_count == len(expected)
        actions = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        for binding in KftuiApp.BINDINGS:
            assert binding.description in actions, binding  # type: ignore[union-attr]
        assert {"Expand apps", "Collapse all", "Close help"} <= actions
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_every_kftui_binding_has_an_id_and_a_description() -> None:
    # The app, the tree and every screen bind the table's lists themselves, so checking the table checks them.
    users = [
        KftuiApp,
        ResourceTree,
        DiagnosticsPanel,
        HelpScreen,
        FixConfirmScreen,
        OrderedSyncScreen,
        PortForwardsScreen,
        LogsScreen,
        TextScreen,
        DiffScreen,
        SyncScreen,
        PathPrompt,
        Confirm,
    ]
    assert all(user.BINDINGS is table for user, table in zip(users, bindings.ALL.values(), strict=True))
    ours = [b for listed in bindings.ALL.values() for b in listed]
    assert len(ours) >= 20
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
        # With nothing loaded, keys that act on the tree or findings do nothing (and leave the footer).
        await pilot.press("slash", "e")
        assert not app.query_one("#filter", Input).display and not app.errors_only


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
    assert source.stopped.wait(HANG_SECONDS), "the follow worker must stop when the app exits"


async def test_live_pod_added_and_deleted_updates_the_tree() -> None:
    async with live_demo() as (base, source, app, pilot):
        tree = _tree(app)
        await pilot.press("C")
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


async def shown(pilot: Pilot[None], app: KftuiApp, batches: int) -> None:
    """Wait until the app has applied `batches` batches of changes and shows the analysis of the last."""
    await wait_for(
        pilot,
        lambda: (
            app.tree_model is not None
            and app.applied_batches == batches
            and app.tree_model.snapshot is app.snapshot
        ),
        f"batch {batches} on screen",
    )


async def test_a_live_change_redraws_only_the_rows_it_touches() -> None:
    """A pod that starts crash looping changes its own row and its ancestors' marks; every other row keeps its
    node and label, and the cursor stays put (the tree is updated in place, not rebuilt per snapshot)."""
    async with live_demo() as (base, source, app, pilot):
        tree = _tree(app)
        assert tree.reveal("app:kubeflow/ns:kubeflow/res:Deployment/katib-controller")
        healthy_key = "app:kubeflow/ns:kubeflow/pod:centraldashboard-5c8d7f9b6-qm4lp"
        assert healthy_key in tree.visible_keys()
        nodes_before = {key: tree.node_for(key) for key in tree.visible_keys()}
        labels_before = {key: node.label.plain for key, node in nodes_before.items() if node is not None}
        crashing = base.pods[("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")]
        healthy = base.pods[("kubeflow", "centraldashboard-5c8d7f9b6-qm4lp")]
        broken = replace(
            healthy,
            phase=crashing.phase,
            ready=False,
            containers=crashing.containers,
            resource_version="9200",
        )
        source.push([WatchEvent("MODIFIED", broken)])
        await shown(pilot, app, 1)
        await pilot.pause()
        assert tree.cursor_key == "app:kubeflow/ns:kubeflow/res:Deployment/katib-controller"
        assert tree.visible_keys() == list(nodes_before)
        changed = {key for key in nodes_before if tree.node_for(key).label.plain != labels_before[key]}  # type: ignore[union-attr]
        assert healthy_key in changed
        assert "CrashLoopBackOff" in tree.node_for(healthy_key).label.plain  # type: ignore[union-attr]
        assert all(tree.node_for(key) is node for key, node in nodes_before.items()), "rows kept their nodes"
        # Only the pod, its workload and the counts on the app row can change; the rest are untouched.
        assert changed <= {
            healthy_key,
            "app:kubeflow",
            "app:kubeflow/ns:kubeflow/res:Deployment/centraldashboard",
        }
        # The same findings again (only the resourceVersion moved): the findings list is not redrawn.
        listing = app.query_one("#finding-list", OptionList)
        first_option = listing.get_option_at_index(0)
        # Nor is the tree repainted whole (a border title set per batch did that: Textual repaints on every set).
        whole: list[object] = []
        repaint = tree.refresh

        def counting(*regions: Any, **options: Any) -> Any:
            if not regions:
                whole.append(options)
            return repaint(*regions, **options)

        tree.refresh = counting  # type: ignore[method-assign]
        source.push([WatchEvent("MODIFIED", replace(broken, resource_version="9201"))])
        await shown(pilot, app, 2)
        assert listing.get_option_at_index(0) is first_option
        assert whole == [], "the tree was repainted whole for a change that shows nothing new"
        assert any(f is app.query_one(DiagnosticsPanel).current for f in app.findings)
        # With the same findings, rows drawn from the same topology node or object are skipped whole: only
        # the path to the changed pod (its app, namespace and itself) is looked at again; the other apps and
        # the pods beside it are not.
        looked_at: list[str] = []
        label_state = TreeModel.label_state

        def spy(model: TreeModel, item: TreeItem) -> tuple[object, ...]:
            looked_at.append(item.key)
            return label_state(model, item)

        TreeModel.label_state = spy  # type: ignore[method-assign]
        try:
            source.push([WatchEvent("MODIFIED", replace(broken, resource_version="9202"))])
            await shown(pilot, app, 3)
        finally:
            TreeModel.label_state = label_state  # type: ignore[method-assign]
        # (Plus the app's cluster-scoped row, drawn from the same app node, and Unowned, never skipped.)
        assert set(looked_at) == {
            "app:kubeflow",
            "app:kubeflow/ns:kubeflow",
            healthy_key,
            "app:kubeflow/cluster",
            "unowned",
        }, looked_at


async def test_a_burst_during_an_analysis_is_applied_as_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 pod events that arrive while an analysis runs wait for it and are then applied together: one
    batch and one analysis, on a fast machine or a slow one (the analysis is held until all have arrived)."""
    gate = threading.Event()
    gate.set()
    checks = app_module.run_checks

    def held_checks(*args: Any, **kwargs: Any) -> list[Finding]:
        assert gate.wait(HANG_SECONDS), "the test never released the analysis"
        return checks(*args, **kwargs)

    monkeypatch.setattr(app_module, "run_checks", held_checks)
    async with live_demo() as (base, source, app, pilot):
        template = next(iter(base.pods.values()))
        pods = [
            replace(template, namespace="burst", name=f"p{i}", owner_kind="", workload_kind="")
            for i in range(1001)
        ]
        gate.clear()
        try:
            source.push([WatchEvent("ADDED", pods[0])])
            await wait_for(
                pilot,
                lambda: app.applied_batches == 1 and app.scheduler.analysing is app.snapshot,
                "the first batch under analysis",
            )
            for pod in pods[1:]:
                source.push([WatchEvent("ADDED", pod)])

            def arrived() -> int:  # queued or (wrongly) applied already: a wrong app must fail, not hang
                applied = len(app.snapshot.pods) - len(base.pods) - 1 if app.snapshot is not None else 0
                return len(app.scheduler.pending) + applied

            await wait_for(pilot, lambda: arrived() == 1000, "the burst at the app")
            assert app.applied_batches == 1, "nothing is applied while an analysis runs"
            assert len(app.scheduler.pending) == 1000
        finally:
            gate.set()  # also when an assertion failed: the held worker must not outlive the test
        await wait_for(
            pilot,
            lambda: app.tree_model is not None and len(app.tree_model.snapshot.pods) == len(base.pods) + 1001,
            "all pods on screen",
        )
        assert app.applied_batches == 2
        assert "unowned/ns:burst" in {i.key for i in app.tree_model.children(app.tree_model.roots()[-1])}  # type: ignore[union-attr]


async def test_a_steady_stream_reaches_the_screen_through_the_scheduler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every change of a stream reaches the screen, and the app analyses only what the scheduler hands it,
    each snapshot once. How often that may be is the scheduler's rule, tested on a fake clock in
    tests/unit/test_ui_scheduler.py (without it, each change here got an analysis of its own)."""
    async with live_demo() as (base, source, app, pilot):
        analysed: list[ClusterSnapshot] = []
        analyse = app._analyse

        def spy(job: Handed[tuple[ClusterSnapshot, Any, Any, Any]]) -> Any:
            snapshot, *rest = job.take()
            assert app.scheduler.analysing is snapshot, "an analysis the scheduler did not start"
            analysed.append(snapshot)
            return analyse(Handed((snapshot, *rest)))

        monkeypatch.setattr(app, "_analyse", spy)
        template = next(iter(base.pods.values()))
        for i in range(50):
            source.push([WatchEvent("ADDED", replace(template, namespace="stream", name=f"p{i}"))])
            await pilot.pause()
        await wait_for(
            pilot,
            lambda: app.tree_model is not None and len(app.tree_model.snapshot.pods) == len(base.pods) + 50,
            "all 50 changes on screen",
        )
        assert analysed and analysed[-1] is app.tree_model.snapshot  # type: ignore[union-attr]
        assert len({id(s) for s in analysed}) == len(analysed) <= app.applied_batches


async def test_pod_logs_come_from_the_source_when_it_has_them() -> None:
    source = FakeLiveSourceWithLogs(load_demo())
    app = KftuiApp(source, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        _tree(app).reveal(KATIB_POD)
        logs = app.query_one("#logs", TextView)
        await wait_for(pilot, lambda: "panic: cannot connect" in logs.plain, "the log tail")
        assert source.log_requests == [
            ("kubeflow", "katib-controller-7f5b8c9d6-5rjtn", "katib-controller", 200)
        ]
        # A live update re-shows the pod; its tail is kept, not fetched again for every batch.
        pod = source.snapshot.pods[("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")]
        source.push([WatchEvent("MODIFIED", replace(pod, resource_version="9002"))])

        def updated() -> bool:
            model = app.tree_model
            return app.applied_batches == 1 and model is not None and model.snapshot is app.snapshot

        await wait_for(pilot, updated, "the update")
        assert len(source.log_requests) == 1
        assert "panic: cannot connect" in logs.plain


async def test_pod_logs_placeholder_without_a_log_source() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        _tree(app).reveal(KATIB_POD)
        await pilot.pause()
        assert app.query_one("#logs", TextView).plain == NO_LOGS
        assert app.query_one(DetailsPane).item is not None
        assert isinstance(app.query_one(DetailsPane).item.obj, Pod)  # type: ignore[union-attr]


async def test_events_tab_lists_the_objects_events() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        _tree(app).reveal(KATIB_POD)
        await pilot.pause()
        events = app.query_one("#events", TextView).plain
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
        assert f"Copy command: {KATIB_LOGS}" in texts
        assert f"Copy command: {KATIB_RESTART}" in texts


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
        # The failing namespace opens by itself, but shows only the first MAX_CHILDREN pods.
        keys = tree.visible_keys()
        assert "app:kubeflow/ns:kubeflow/more" in keys
        assert len(keys) < 600
        panel = app.query_one(DiagnosticsPanel)
        assert panel.matching_count == 20_000 + len(demo_findings()) and len(panel.shown) == 1000
        # Collapsed, the same cluster costs a handful of nodes.
        await pilot.press("C")
        assert len(tree.visible_keys()) == 4
        # A filter matching every pod still shows a bounded tree.
        await pilot.press("slash", *"katib")
        await filter_applied(pilot, "katib")
        keys = tree.visible_keys()
        assert len(keys) < 600 and keys[-1] == "app:kubeflow/ns:kubeflow/more"
        assert "refine the filter" in str(tree.node_for("app:kubeflow/ns:kubeflow/more").label)  # type: ignore[union-attr]
        await pilot.press("escape", "slash", *"-19999")
        await filter_applied(pilot, "-19999")
        assert tree.visible_keys() == [
            "app:kubeflow",
            "app:kubeflow/ns:kubeflow",
            "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-19999",
        ]


async def test_refresh_loads_the_source_again() -> None:
    calls: list[int] = []

    def loader() -> ClusterSnapshot:
        calls.append(1)
        return load_demo()

    app = KftuiApp(StaticSource(loader), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        first = app.snapshot
        await pilot.press("r")
        await wait_for(pilot, lambda: app.snapshot is not first, "the refreshed snapshot")
        assert len(calls) == 2


async def test_typing_in_the_filter_does_not_trigger_app_keys() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "q", "e", "a")
        await filter_applied(pilot, "qea")
        assert app.is_running and not app.errors_only
        assert _tree(app).visible_keys() == []


async def test_enter_on_a_finding_then_on_a_fix_copies_it() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f", "enter")
        assert app.focused is app.query_one("#fix-list", OptionList)
        await pilot.press("down", "enter")
        assert app.clipboard == KATIB_RESTART


def test_styles_are_found_in_a_wheel_and_in_a_checkout(tmp_path: Path) -> None:
    wheel = tmp_path / "site" / "kftui"
    (wheel / "styles").mkdir(parents=True)
    (wheel / "styles" / "app.tcss").write_text("")
    assert styles_dir(wheel) == wheel / "styles"
    checkout = tmp_path / "repo"
    (checkout / "kftui").mkdir(parents=True)
    (checkout / "styles").mkdir()
    (checkout / "styles" / "app.tcss").write_text("")
    assert styles_dir(checkout / "kftui") == checkout / "styles"
    with pytest.raises(FileNotFoundError):
        styles_dir(tmp_path / "nowhere" / "kftui")


async def test_left_and_right_walk_the_tree() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        tree = _tree(app)
        await pilot.press("C", "right")
        assert "app:kubeflow" in tree.expanded_keys and tree.cursor_key == "app:kubeflow"
        await pilot.press("right")
        assert tree.cursor_key == "app:kubeflow/ns:auth"
        await pilot.press("left")
        assert tree.cursor_key == "app:kubeflow"
        await pilot.press("left")
        assert "app:kubeflow" not in tree.expanded_keys
        assert app.scope is None  # moving around does not narrow; enter does


async def test_loading_state_is_visible_until_the_source_answers() -> None:
    release = threading.Event()

    def slow() -> ClusterSnapshot:
        release.wait(HANG_SECONDS)
        return load_demo()

    app = KftuiApp(StaticSource(slow), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert _tree(app).loading and app.query_one(DiagnosticsPanel).loading
        assert "loading…" in _status_text(app)
        release.set()
        await loaded(pilot)
        assert not _tree(app).loading
        assert "loading…" not in _status_text(app)


class _EndingSource(FakeLiveSource):
    """A watch that gives up by itself, as when the API server closes the stream for good."""

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        sink(ConnectionStatus(ConnectionState.LIVE))


async def test_a_follow_that_ends_marks_the_data_stale() -> None:
    app = KftuiApp(_EndingSource(load_demo()), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.connection.detail == "follow ended", "the offline status")
        assert app.connection.state is ConnectionState.OFFLINE
        assert "STALE" in _status_text(app) and "follow ended" in _status_text(app)


def test_finding_subjects_map_to_tree_keys() -> None:
    def key(kind: str, namespace: str | None, name: str, app: str | None) -> str | None:
        finding = Finding("c", Severity.ERROR, app, ObjectRef(kind, namespace, name), "t", "e", "x")
        return finding_key(finding)

    assert key("Application", "argocd", "kubeflow", "kubeflow") == "app:kubeflow"
    assert key("Pod", "kubeflow", "p", "kubeflow") == "app:kubeflow/ns:kubeflow/pod:p"
    assert key("Deployment", "kubeflow", "d", "kubeflow") == "app:kubeflow/ns:kubeflow/res:Deployment/d"
    assert key("Namespace", None, "auth", "kubeflow") == "app:kubeflow/ns:auth"
    assert (
        key("ClusterRole", None, "r", "kubeflow-pipelines")
        == "app:kubeflow-pipelines/cluster/res:ClusterRole/r"
    )
    assert key("Pod", "team", "debug", None) == "unowned/ns:team/pod:debug"
    assert key("Check", None, "x", None) is None
    # The keys are the ones the tree really uses.
    model = TreeModel(load_demo(), [])
    keys = {item.key for item, _ in model.walk()}
    assert {
        "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn",
        "app:kubeflow/ns:auth",
        "unowned/ns:kubeflow-user-example-com/pod:debug-shell",
    } <= keys
    assert any(k.startswith("app:kubeflow/cluster/res:") for k in keys)


async def test_walking_findings_follows_subjects_even_outside_the_tree() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        panel = app.query_one(DiagnosticsPanel)
        for index, finding in enumerate(panel.shown):
            app.query_one("#finding-list", OptionList).highlighted = index
            await pilot.pause()
            assert _tree(app).cursor_key is not None
            if finding.app is not None:
                assert _tree(app).cursor_key.startswith(f"app:{finding.app}")  # type: ignore[union-attr]


async def test_live_updates_under_a_filter_are_filtered_off_the_event_loop() -> None:
    async with live_demo() as (base, source, app, pilot):
        await pilot.press("slash", *"new01", "enter")
        await filter_applied(pilot, "new01")
        tree = _tree(app)
        assert tree.visible_keys() == []
        walks: list[str] = []
        original = tree._recompute_filter

        def spy() -> None:
            walks.append(tree.filter_text)
            original()

        tree._recompute_filter = spy  # type: ignore[method-assign]
        template = base.pods[("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")]
        source.push([WatchEvent("ADDED", replace(template, name="katib-controller-7f5b8c9d6-new01"))])
        await wait_for(pilot, lambda: len(tree.visible_keys()) == 3, "the new pod under the filter")
        assert tree.visible_keys()[-1] == "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-new01"
        assert walks == [], "the filter was applied in the analysis worker, not on the event loop"


async def test_live_updates_keep_the_chosen_finding_and_fix() -> None:
    async with live_demo() as (base, source, app, pilot):
        await pilot.press("f", "down", "enter", "down", "down")
        panel = app.query_one(DiagnosticsPanel)
        chosen = panel.current
        # (The second root cause: the first row is highlighted anyway.)
        assert chosen is not None and chosen.check == "kustomize-duplicate-id"
        assert panel.current_fix == chosen.fixes[2]
        pod = base.pods[("auth", "dex-6f8c7b9d54-x2k8q")]
        source.push([WatchEvent("MODIFIED", replace(pod, resource_version="9100"))])
        await shown(pilot, app, 1)
        assert panel.current is not None and panel.current.check == "kustomize-duplicate-id"
        assert panel.current_fix == chosen.fixes[2]


async def test_manifest_chains_reach_the_duplicate_id_finding() -> None:
    """`kftui --manifests PATH`: the analyzer's include chains show in the finding the panel displays."""
    chains = {
        ("ClusterRole", None, "kubeflow-metacontroller"): [
            [".", "apps/pipelines", "common/metacontroller"],
            [".", "apps/profiles", "common/metacontroller"],
        ]
    }
    app = KftuiApp(StaticSource(load_demo), clock=frozen_clock, manifest_chains=chains)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        dup = next(f for f in app.findings if f.check == "kustomize-duplicate-id")
        assert "apps/pipelines" in dup.evidence and "apps/profiles" in dup.evidence
    plain = KftuiApp(StaticSource(load_demo), clock=frozen_clock)
    async with plain.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        dup = next(f for f in plain.findings if f.check == "kustomize-duplicate-id")
        assert "apps/profiles" not in dup.evidence
