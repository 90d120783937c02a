"""The kftui application: loads a snapshot, follows a live cluster, and keeps the three panes in step.

The app is the single owner of the snapshot. Thread workers (ui/feed.py) load and follow the source and only
post messages; the app applies changes in batches (a burst of watch events becomes one repaint), re-runs the
checks, and hands the result to the tree, the diagnostics panel, the details pane and the status line. When
to apply and when to analyse is ui/scheduler.py's decision; this module keeps the timers and the worker that
carry it out. The fix keys live in ui/fix_actions.py, the view keys (logs, YAML, events) in ui/view_actions.py,
the k9s habits (describe, `:`, 1-9, ...) in ui/habits.py, the diff (`D`) in ui/diff_actions.py, the sync
view (`S`) in ui/sync_actions.py, the keys themselves in ui/bindings.py.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList
from textual.worker import Worker, WorkerState

from kftui.checks.coverage import verdict
from kftui.checks.kustomize_ids import ChainsById, attach_chains
from kftui.checks.memo import CheckMemo
from kftui.checks.registry import run_checks
from kftui.cluster.source import ConnectionStatus, SnapshotSource
from kftui.fixes.runtime import FixRuntime
from kftui.model import ClusterSnapshot, ConnectionState, Finding, SnapshotChange, apply_events
from kftui.profile import Profile, detect_profile
from kftui.ui import bindings, tree_keys
from kftui.ui.app_order import app_order
from kftui.ui.commands import KftuiCommands, PaletteCommand, palette_commands
from kftui.ui.feed import Handed, while_open
from kftui.ui.messages import Analysed, ChangesArrived, LoadFailed, SnapshotLoaded
from kftui.ui.quick_exit import quick_exit_driver
from kftui.ui.scheduler import AnalysisScheduler
from kftui.ui.styles import HEIGHTS, WIDTHS, styles_dir
from kftui.ui.sync_actions import SyncActions
from kftui.ui.tree_model import Scope, TreeItem, TreeModel, filter_model
from kftui.ui.widgets.banners import ErrorBanner, ForbiddenNotes
from kftui.ui.widgets.command_box import CommandBox
from kftui.ui.widgets.details import DetailsPane
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.filter_box import FilterBox
from kftui.ui.widgets.loading import CalmLoadingIndicator
from kftui.ui.widgets.resource_tree import ResourceTree
from kftui.ui.widgets.status_line import StatusInfo, StatusLine

Clock = Callable[[], datetime]


class KftuiApp(SyncActions):
    """Diagnose a multi-Application Argo CD install: what is red, why, and the command that fixes it."""

    TITLE = "kftui"
    CSS_PATH = [styles_dir() / "app.tcss", styles_dir() / "help.tcss"]
    COMMANDS = App.COMMANDS | {KftuiCommands}
    BINDINGS = bindings.APP
    HORIZONTAL_BREAKPOINTS, VERTICAL_BREAKPOINTS = WIDTHS, HEIGHTS  # screen classes the .tcss lays out by

    # `var`, not `reactive`: a reactive repaints the whole screen per batch; the widgets repaint what changed.
    snapshot: var[ClusterSnapshot | None] = var(None, always_update=True, init=False)
    errors_only: var[bool] = var(False, init=False)
    analysed: var[ClusterSnapshot | None] = var(None, always_update=True, init=False)
    """The snapshot `findings` were found on (the newest one may still be under analysis); the sync view watches it."""

    def __init__(
        self,
        source: SnapshotSource,
        profile: Profile | None = None,
        *,
        read_only: bool = False,
        manifest_chains: ChainsById | None = None,
        clock: Clock | None = None,
        fixes: FixRuntime | None = None,
        start_app: str | None = None,
        manifests: str | None = None,
    ) -> None:
        super().__init__(source, fixes)
        self.start_app = start_app  # `--app NAME`: selected and expanded once the first tree is shown
        self.profile = profile
        self.read_only = read_only
        # From `--manifests`: include chains for kustomize-duplicate-id findings, the checkout `D` renders.
        self.manifest_chains, self.manifests = manifest_chains, manifests
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.findings: list[Finding] = []
        self.tree_model: TreeModel | None = None
        self.scope_item: TreeItem | None = None
        self.load_error: str | None = None
        self.last_update: datetime | None = None
        self.applied_batches = 0
        self._reloading = False  # `r` was pressed: say when the reload lands or fails
        self.scheduler: AnalysisScheduler[SnapshotChange, ClusterSnapshot] = AnalysisScheduler(time.monotonic)
        # Checks whose inputs a batch of watch events did not touch are not run again (one analysis at a time).
        self._check_memo = CheckMemo()

    # --- layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield ErrorBanner(id="error-banner")
        yield ForbiddenNotes(id="forbidden-notes")
        yield FilterBox(id="filter")
        yield CommandBox(self.complete_command, id="command")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield ResourceTree(id="tree")
                yield DetailsPane(logs_supported=self._log_reader is not None, id="details")
            yield DiagnosticsPanel(id="diagnostics")
        yield Footer()

    def on_mount(self) -> None:
        # The event loop shares the interpreter with the watch threads and the analysis worker. With the
        # default 5 ms switch interval, every hand-over (event -> batch -> analysis -> screen) and every
        # keypress could wait 5 ms for the lock per step; 1 ms keeps the screen responsive under churn.
        sys.setswitchinterval(0.001)
        self.query_one(ResourceTree).border_title = "Applications"
        self.query_one(DiagnosticsPanel).border_title = "Diagnostics"
        self.query_one(DetailsPane).border_title = "Details"
        self.query_one(ResourceTree).focus()
        self._set_loading(True)
        self._load()

    def get_driver_class(self) -> type[Driver]:
        return quick_exit_driver(super().get_driver_class())  # `q`: out without waiting out an input poll

    def get_loading_widget(self) -> Widget:
        return CalmLoadingIndicator()

    # --- loading and following (workers post, the app applies) -----------------------------------------

    @while_open
    def on_snapshot_loaded(self, message: SnapshotLoaded) -> None:
        snapshot = message.snapshot
        if self._reloading:
            self._reloading = False
            self.notify(f"Reloaded at {self.clock().astimezone():%H:%M:%S}", title="Refresh")
        self.load_error = None
        self._show_error(None)
        self.query_one("#body").display = True
        if self.profile is None:
            self.profile = detect_profile({a.name for a in snapshot.applications.values()})
        if self.source.live:
            self.last_update = self.clock()
            if self.connection.state is ConnectionState.CONNECTING:
                self.connection = ConnectionStatus(ConnectionState.LIVE, since=self.last_update)
        else:
            self.last_update = snapshot.now
        self.snapshot = snapshot
        if self.tree_model is not None:
            self._set_loading(False)
            self._focus_tree()
            self._start_following()
        # else on_analysed does that: now would draw an empty tree and panel while the checks run, and slow them.

    def _focus_tree(self) -> None:
        """Put the focus on the tree unless the user has it elsewhere (a loading widget refuses it)."""
        box = self.query_one(FilterBox)
        if self.focused is None or (self.focused is box and not box.display):
            self.query_one(ResourceTree).focus()

    @while_open
    def on_load_failed(self, message: LoadFailed) -> None:
        self.scheduler.analysis_failed()  # an analysis that failed must not block the next one
        self.load_error = message.reason
        if self._reloading:
            self._reloading = False
            self.notify(f"Reload failed: {message.reason}", title="Refresh", severity="error")
        if self.source.live:
            self.connection = ConnectionStatus(ConnectionState.OFFLINE, "load failed", since=self.clock())
        if self.snapshot is None:
            # Nothing to show yet: the banner is the whole story.
            self.query_one("#body").display = False
            self.set_focus(None)
        self._set_loading(False)
        self._show_error(message.reason)
        if self.snapshot is not None:
            self._start_following()  # the analysis failed, not the load: later changes may analyse fine

    def on_changes_arrived(self, message: ChangesArrived) -> None:
        """Queue the batch; the scheduler says when to apply what has queued (see AnalysisScheduler)."""
        self._arm_flush(self.scheduler.changes_arrived(message.changes))

    def _arm_flush(self, delay: float | None) -> None:
        if delay is not None:
            self.set_timer(delay, self.flush_changes)

    def flush_changes(self) -> None:
        """Apply every change queued since the timer was armed, as one new snapshot."""
        changes = self.scheduler.take_changes()
        # Changes only arrive once the first snapshot is on screen; when closing, nothing is shown any more.
        if not changes or self.snapshot is None or self.closing:
            return
        self.last_update = self.clock()
        self.applied_batches += 1
        self.snapshot = apply_events(self.snapshot, changes, now=self.last_update)

    # --- reacting to a new snapshot ------------------------------------------------------------------

    def watch_snapshot(self, snapshot: ClusterSnapshot | None) -> None:
        if snapshot is not None and self.profile is not None:
            self._start_analysis(self.scheduler.snapshot_changed(snapshot))

    def _start_analysis(self, snapshot: ClusterSnapshot | None) -> None:
        if snapshot is not None and self.profile is not None:
            tree = self.query_one(ResourceTree)
            self._analyse(Handed((snapshot, self.profile, tree.filter_text, self.tree_model)))

    # An explicit description: without one Textual builds it from repr() of the arguments, and the repr
    # of a 20,000-pod snapshot took seconds on the event loop before every analysis.
    @work(thread=True, exclusive=True, group="analyse", exit_on_error=False, description="analyse")
    def _analyse(self, job: Handed[tuple[ClusterSnapshot, Profile, str, TreeModel | None]]) -> None:
        """Run the checks, lay out the tree and apply the active filter off the event loop; all pure."""
        snapshot, profile, needle, previous = job.take()
        try:
            findings = run_checks(snapshot, profile, memo=self._check_memo)
            if self.manifest_chains:
                findings = attach_chains(findings, self.manifest_chains)
            model = TreeModel(snapshot, findings, previous, order=app_order(profile))
            filtered = filter_model(model, needle) if needle else None
        except Exception as exc:  # a kftui bug: say so in the banner rather than show a half-built screen
            self._post(LoadFailed(f"kftui could not analyse the snapshot ({type(exc).__name__}: {exc})"))
            return
        self._post(Analysed(snapshot, findings, model, filtered))

    def on_analysed(self, message: Analysed) -> None:
        """Show the result (always newer than what is on screen), then analyse whatever came in meanwhile."""
        step = self.scheduler.analysis_done(message.snapshot)
        if self.closing:
            return
        self._arm_flush(step.flush_in)
        self._start_analysis(step.analyse)
        snapshot = message.snapshot
        first = self.tree_model is None
        self.findings = self.with_known_drift(message.findings)
        self.analysed = snapshot  # after the findings: a watcher of `analysed` reads both
        self.tree_model = message.model
        if first:
            self._set_loading(False)
            self._focus_tree()
            self.refresh_bindings()
            self.call_after_refresh(self._start_following)
            self.call_after_refresh(self.open_start_app)
        tree = self.query_one(ResourceTree)
        tree.show_model(self.tree_model, message.filtered)
        self._show_findings()
        node = tree.cursor_node
        self.query_one(DetailsPane).show(node.data if node is not None else None, snapshot)
        self._update_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "analyse" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.scheduler.analysis_failed()

    def watch_errors_only(self) -> None:
        self._show_findings()

    @property
    def scope(self) -> Scope | None:
        """The narrowing chosen in the tree, recomputed against the current snapshot."""
        if self.scope_item is None or self.tree_model is None:
            return None
        return self.tree_model.scope(self.scope_item)

    def _show_findings(self) -> None:
        panel = self.query_one(DiagnosticsPanel)
        seen = verdict(self.findings, self.analysed) if self.analysed is not None else None
        panel.show(self.findings, self.scope, self.errors_only, seen)
        if panel.current is not None:
            self._review_fixes_of(panel.current)

    @while_open
    def _update_status(self) -> None:
        snapshot = self.snapshot
        self.query_one(StatusLine).info = StatusInfo(
            context=snapshot.context if snapshot else "",
            server=snapshot.server if snapshot else "",
            argocd=self.switcher.active_argocd() if self.switcher is not None else "",
            profile=self.profile.name if self.profile else "",
            connection=self.connection,
            # To the second, as shown: the line is redrawn when what it says changes, not per batch.
            updated=self.last_update.replace(microsecond=0) if self.last_update else None,
            read_only=self.read_only,
            live=self.source.live,
            loading=snapshot is None and self.load_error is None,
            objects_loaded=self.objects_loaded,
        )
        self.query_one(ForbiddenNotes).show(snapshot.forbidden if snapshot else {}, snapshot, self.findings)

    def _set_loading(self, loading: bool) -> None:
        self.query_one(ResourceTree).loading = loading
        self.query_one(DiagnosticsPanel).loading = loading
        self._update_status()

    def _show_error(self, reason: str | None) -> None:
        self.query_one(ErrorBanner).show(reason)

    # --- widget events -------------------------------------------------------------------------------

    def on_resource_tree_item_highlighted(self, message: ResourceTree.ItemHighlighted) -> None:
        # The moved cursor is painted first; the details (an Application describes 50 resources) follow
        # right after, and only for the item still under the cursor when keys repeat quickly.
        self.call_after_refresh(self._show_details, message.item)

    def _show_details(self, item: TreeItem) -> None:
        node = self.query_one(ResourceTree).cursor_node
        if self.snapshot is not None and node is not None and node.data is item:
            self.query_one(DetailsPane).show(item, self.snapshot)

    def on_resource_tree_item_selected(self, message: ResourceTree.ItemSelected) -> None:
        self.scope_item = message.item
        self._show_findings()

    def on_diagnostics_panel_finding_highlighted(self, message: DiagnosticsPanel.FindingHighlighted) -> None:
        """When the user walks the findings list, the details pane follows the finding's subject."""
        self._review_fixes_of(message.finding)
        found = self.query("#finding-list")
        if not found:
            return  # the app is closing: the panel's last highlight arrived after its widgets were removed
        if self.focused is not found.first(OptionList) or self.snapshot is None:
            return
        key = tree_keys.finding_key(message.finding)
        if key is None:
            return
        tree = self.query_one(ResourceTree)
        tree.reveal(key)  # lands on the closest ancestor when the subject itself is not in the tree
        node = tree.cursor_node
        self.query_one(DetailsPane).show(node.data if node else None, self.snapshot)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a finding moves to its fixes; enter on a fix copies its command (running it comes later)."""
        if event.option_list.id == "finding-list":
            self.query_one("#fix-list", OptionList).focus()
        elif event.option_list.id == "fix-list":
            self.action_copy_command()

    def on_filter_box_applied(self, message: FilterBox.Applied) -> None:
        if not self.closing:  # its widgets may already be gone
            self.query_one(ResourceTree).set_filter(message.text)
        if message.submitted:
            self.query_one(ResourceTree).focus()

    # --- actions -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until there is something to look at, keys that act on the tree or findings are hidden; while a
        screen is open over the main one, only its own keys (and moving, quitting, and tab between its
        buttons: a screen's tab runs the app's focus action) apply."""
        if len(self.screen_stack) > 1 and action not in bindings.OVER_A_SCREEN:
            return False
        if action in bindings.OPENERS and isinstance(self.focused, Input):
            return False
        return not (action in bindings.NEEDS_DATA and self.tree_model is None)

    def action_clear(self) -> None:
        """Escape goes back one step: the filter first, then the focus to the tree, then the narrowing."""
        box = self.query_one(FilterBox)
        tree = self.query_one(ResourceTree)
        if box.display or box.value:
            box.reset()
            tree.set_filter("")
            # Now, not after the next refresh: keys typed right after ESC must reach the tree, not the hidden box.
            self.screen.set_focus(tree)
        elif self.focused is not tree:
            tree.focus()
        elif self.scope_item is not None:
            self.action_all_findings()

    def action_all_findings(self) -> None:
        self.scope_item = None
        self._show_findings()

    def action_toggle_errors_only(self) -> None:
        self.errors_only = not self.errors_only

    def action_refresh(self) -> None:
        self._reloading = True
        self.notify("Reloading…", title="Refresh", timeout=2)
        self._set_loading(self.snapshot is None)
        self._load()

    def palette_commands(self) -> list[PaletteCommand]:
        """What the command palette offers right now: the same actions the keys call."""
        return palette_commands(
            sorted(a.name for a in self.snapshot.applications.values()) if self.snapshot else [],
            self.query_one(DiagnosticsPanel).current,
            jump=self.jump_to_app,
            toggle_errors=self.action_toggle_errors_only,
            copy=self.copy_fix,
            refresh=self.action_refresh,
        )
