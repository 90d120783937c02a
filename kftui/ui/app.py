"""The kftui application: loads a snapshot, follows a live cluster, and keeps the three panes in step.

The app is the single owner of the snapshot. Thread workers load and follow the source and only post
messages; the app applies changes in batches (a burst of watch events becomes one repaint), re-runs the
checks, and hands the result to the tree, the diagnostics panel, the details pane and the status line.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Mount
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input, LoadingIndicator, OptionList, Static, Tree
from textual.worker import Worker, WorkerState

from kftui import shellcmd
from kftui.checks.coverage import APPLICATION_KINDS, applications_unseen, verdict
from kftui.checks.kustomize_ids import ChainsById, attach_chains
from kftui.checks.memo import CheckMemo
from kftui.checks.registry import run_checks
from kftui.cluster.source import Changes, ConnectionStatus, SnapshotSource, SourceError
from kftui.fixes.gate import FixResult
from kftui.fixes.ordered import OrderedResult
from kftui.fixes.plan import PLANNABLE, PlanError, PortForwardPlan, plan_action, plan_fix
from kftui.fixes.runtime import FixRuntime
from kftui.model import (
    ClusterSnapshot,
    ConnectionState,
    Finding,
    FixRef,
    ObjectRef,
    SnapshotChange,
    apply_events,
)
from kftui.profile import Profile, detect_profile
from kftui.textsafe import multi_line, one_line
from kftui.ui import render
from kftui.ui.commands import KftuiCommands, PaletteCommand
from kftui.ui.messages import (
    Analysed,
    ChangesArrived,
    ConnectionChanged,
    FixesReviewed,
    LoadFailed,
    PodLogsLoaded,
    SnapshotLoaded,
)
from kftui.ui.screens.fix_confirm import forward_review, open_fix_screen
from kftui.ui.screens.help import HelpScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.tree_model import Scope, TreeItem, TreeModel, filter_model
from kftui.ui.widgets.details import DetailsPane
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from kftui.ui.widgets.status_line import StatusInfo, StatusLine

Clock = Callable[[], datetime]
T = TypeVar("T")
LOG_TAIL_LINES = 200
FILTER_DEBOUNCE_SECONDS = 0.15


def styles_dir(package: Path | None = None) -> Path:
    """Where the .tcss files are: shipped inside the wheel as kftui/styles, at the repo root in a checkout."""
    package = package or Path(__file__).resolve().parent.parent
    for candidate in (package / "styles", package.parent / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError(f"kftui styles not found next to {package}")


class CalmLoadingIndicator(LoadingIndicator):
    """Textual's indicator repainted 16 times a second; during the first load of 20,000 pods those repaints
    competed with the LIST threads for the interpreter (the load took ~40% longer). Four a second still move."""

    def _on_mount(self, event: Mount) -> None:
        super()._on_mount(event)
        self.auto_refresh = 0.25


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KftuiApp(App[None]):
    """Diagnose a multi-Application Argo CD install: what is red, why, and the command that fixes it."""

    TITLE = "kftui"
    CSS_PATH = [styles_dir() / "app.tcss", styles_dir() / "help.tcss"]
    COMMANDS = App.COMMANDS | {KftuiCommands}
    COALESCE_SECONDS = 0.005
    # At most ten analyses a second. Starting the next one as soon as the last finished meant ~50 a second
    # at 100 pod changes/s on 20,000 pods, each copying the changed collections and redrawing: the copies
    # kept the garbage collector busy and keypresses waited. Measured at 0.001 / 0.05 / 0.1 s, three 15 s
    # live runs each: keypress p95 50-58 / 26-54 / 23-27 ms, watch event -> screen p95 65-71 / 91-112 /
    # 132-140 ms, kftui CPU 0.45 / 0.31 / 0.25 cores. A tenth of a second is still "at once" to a person.
    MIN_ANALYSIS_INTERVAL = 0.1

    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Leave kftui; nothing is changed in the cluster", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="This list", id="app.help"),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            tooltip="Filter the tree by name or pod status",
            id="app.filter",
        ),
        Binding(
            "escape",
            "clear",
            "Clear",
            key_display="esc",
            tooltip="Clear the filter, then the narrowing",
            id="app.clear",
        ),
        Binding(
            "a",
            "all_findings",
            "All findings",
            tooltip="Undo the narrowing chosen in the tree",
            id="app.all-findings",
        ),
        Binding(
            "e",
            "toggle_errors_only",
            "Errors only",
            tooltip="Hide warnings and info, or show them again",
            id="app.errors-only",
        ),
        Binding(
            "y",
            "copy_command",
            "Copy fix",
            tooltip="Copy the highlighted fix's command",
            id="app.copy-command",
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            tooltip="Load the cluster state again from the source",
            id="app.refresh",
        ),
        Binding(
            "f",
            "focus_findings",
            "Focus findings",
            show=False,
            tooltip="Walk the findings; the tree follows",
            id="app.focus-findings",
        ),
        Binding(
            "t",
            "focus_tree",
            "Focus tree",
            show=False,
            tooltip="Back to the tree; enter narrows findings",
            id="app.focus-tree",
        ),
        Binding(
            "x",
            "run_fix",
            "Run fix",
            tooltip="Preview, confirm and run the highlighted fix",
            id="app.run-fix",
        ),
        Binding(
            "o",
            "ordered_sync",
            "Ordered sync",
            tooltip="Sync the profile's dependency chain in order",
            id="app.ordered-sync",
        ),
        Binding(
            "p",
            "port_forwards",
            "Port-forwards",
            tooltip="Forward the gateway to localhost and probe it",
            id="app.port-forwards",
        ),
    ]

    # `var`, not `reactive`: a reactive repaints the whole screen when set, once per batch of watch events,
    # although the widgets that show the snapshot repaint exactly what changed themselves.
    snapshot: var[ClusterSnapshot | None] = var(None, always_update=True, init=False)
    errors_only: var[bool] = var(False, init=False)

    def __init__(
        self,
        source: SnapshotSource,
        profile: Profile | None = None,
        *,
        read_only: bool = False,
        manifest_chains: ChainsById | None = None,
        clock: Clock | None = None,
        fixes: FixRuntime | None = None,
    ) -> None:
        super().__init__()
        self.fixes = fixes
        self.source = source
        self.profile = profile
        self.read_only = read_only
        # Include chains from `--manifests`: attached to kustomize-duplicate-id findings after every check run.
        self.manifest_chains = manifest_chains
        self.clock: Clock = clock or _utc_now
        self.findings: list[Finding] = []
        self.analysed: ClusterSnapshot | None = None
        """The snapshot `findings` were found on (the newest one may still be under analysis)."""
        self.tree_model: TreeModel | None = None
        self.scope_item: TreeItem | None = None
        self.load_error: str | None = None
        self.connection = ConnectionStatus(
            ConnectionState.CONNECTING if source.live else ConnectionState.OFFLINE
        )
        self.last_update: datetime | None = None
        self.applied_batches = 0
        self._pending: list[SnapshotChange] = []
        self._analysing = False
        self._flush_timer: Timer | None = None
        self._analysis_started = 0.0
        self._filter_timer: Timer | None = None
        self._stop = threading.Event()
        self._following = False
        self._log_reader: Callable[..., str] | None = getattr(source, "pod_logs", None)
        # Checks whose inputs a batch of watch events did not touch are not run again (one analysis at a time).
        self._check_memo = CheckMemo()
        self._reviewed: tuple[Finding, Mapping[Any, Any]] | None = None

    # --- layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static(id="error-banner")
        yield Static(id="forbidden-notes")
        box = Input(placeholder="filter: name or pod status (esc clears)", id="filter")
        box.display = False
        yield box
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

    def get_loading_widget(self) -> Widget:
        return CalmLoadingIndicator()

    def help_sources(self) -> list[tuple[str, list[BindingType]]]:
        """Where bindings live, for the help screen: it lists every one of them."""
        return [
            ("everywhere", list(self.BINDINGS) + list(App.BINDINGS)),
            ("tree", list(ResourceTree.BINDINGS) + list(Tree.BINDINGS)),
            ("lists", list(OptionList.BINDINGS)),
        ]

    # --- loading and following (workers post, the app applies) -----------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        try:
            snapshot = self.source.load()
        except SourceError as exc:
            self._post(LoadFailed(str(exc)))
        except Exception as exc:  # a dump error or a client bug must still end in a banner, not a traceback
            self._post(LoadFailed(f"{type(exc).__name__}: {exc}"))
        else:
            self._post(SnapshotLoaded(snapshot))

    @work(thread=True, group="follow", exit_on_error=False)
    def _follow(self) -> None:
        def sink(item: Changes | ConnectionStatus) -> None:
            if self._stop.is_set():
                return
            if isinstance(item, ConnectionStatus):
                self._post(ConnectionChanged(item))
            else:
                self._post(ChangesArrived(list(item)))

        try:
            self.source.follow(sink, self._stop)
        except Exception as exc:  # the watch gave up: keep the last snapshot, marked stale
            self._post(ConnectionChanged(ConnectionStatus(ConnectionState.OFFLINE, f"follow stopped: {exc}")))
        else:
            if not self._stop.is_set():  # returned on its own: nothing streams any more
                self._post(ConnectionChanged(ConnectionStatus(ConnectionState.OFFLINE, "follow ended")))

    @work(thread=True, group="logs", exclusive=True, exit_on_error=False)
    def _fetch_logs(self, namespace: str, name: str, container: str) -> None:
        reader = self._log_reader
        if reader is None:
            return
        try:
            text = reader(namespace, name, container, LOG_TAIL_LINES)
        except Exception as exc:  # logs are a convenience: say why they are missing
            text = f"Cannot fetch logs: {exc}"
        self._post(PodLogsLoaded((namespace, name), text))

    def _post(self, message: Message) -> None:
        """Post from a worker thread, dropping the message if the app is already shutting down."""
        if self._stop.is_set():
            return
        with contextlib.suppress(RuntimeError):  # the event loop closed between the check and the post
            self.post_message(message)

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Stop the follow worker before the app goes: a blocked watch must not keep the process alive."""
        self._stop.set()
        super().exit(*args, **kwargs)

    @property
    def closing(self) -> bool:
        """True once shutdown began: late timers and worker messages must not touch removed widgets."""
        return self._stop.is_set() or not self.is_running

    def on_unmount(self) -> None:
        self._stop.set()
        if self.fixes is not None:
            self.fixes.close()  # stops every port-forward

    def on_snapshot_loaded(self, message: SnapshotLoaded) -> None:
        snapshot = message.snapshot
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
        # else the first analysis (on_analysed) takes the loading indicators down and starts the watches:
        # doing it now would lay out and draw an empty tree and panel while the checks run, and slow them.

    def _start_following(self) -> None:
        """Watch from the LIST's resourceVersions. Started once the first analysis is on screen: the watch
        threads' start competes with that analysis for the interpreter, and nothing is lost by waiting, as
        the watches replay what changed since the LIST."""
        if self.source.live and not self._following and not self.closing:
            self._following = True
            self._follow()

    def _focus_tree(self) -> None:
        """Put the focus on the tree unless the user has it elsewhere (a loading widget refuses it)."""
        box = self.query_one("#filter", Input)
        if self.focused is None or (self.focused is box and not box.display):
            self.query_one(ResourceTree).focus()

    def on_load_failed(self, message: LoadFailed) -> None:
        self._analysing = False  # an analysis that failed must not block the next one
        self.load_error = message.reason
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
        """Queue the batch. While an analysis runs, changes wait for it to finish and are then applied in one
        go; otherwise a short timer applies what arrived meanwhile, and no analysis starts sooner than
        MIN_ANALYSIS_INTERVAL after the last one did. The screen is never more than one analysis and one
        interval behind."""
        self._pending.extend(message.changes)
        if not self._analysing:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        """Apply the queued changes after COALESCE_SECONDS, and not before MIN_ANALYSIS_INTERVAL has passed
        since the last analysis started."""
        if self._flush_timer is None:
            since = time.monotonic() - self._analysis_started
            wait = max(self.COALESCE_SECONDS, self.MIN_ANALYSIS_INTERVAL - since)
            self._flush_timer = self.set_timer(wait, self.flush_changes)

    def flush_changes(self) -> None:
        self._flush_timer = None
        if not self._pending or self.snapshot is None or self.closing:
            return
        changes, self._pending = self._pending, []
        self.last_update = self.clock()
        self.applied_batches += 1
        self.snapshot = apply_events(self.snapshot, changes, now=self.last_update)

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        self.connection = message.status
        self._update_status()

    def on_pod_logs_loaded(self, message: PodLogsLoaded) -> None:
        self.query_one(DetailsPane).show_logs(message.pod_key, message.text)

    # --- reacting to a new snapshot ------------------------------------------------------------------

    def watch_snapshot(self, snapshot: ClusterSnapshot | None) -> None:
        # One analysis at a time: on_analysed starts the next one on whatever is newest by then. Starting one
        # per snapshot would, under a steady stream, only ever finish analyses that are already stale.
        if snapshot is not None and self.profile is not None and not self._analysing:
            self._analysing = True
            self._analysis_started = time.monotonic()
            self._analyse(snapshot, self.profile, self.query_one(ResourceTree).filter_text, self.tree_model)

    # An explicit description: without one Textual builds it from repr() of the arguments, and the repr
    # of a 20,000-pod snapshot took seconds on the event loop before every analysis.
    @work(thread=True, exclusive=True, group="analyse", exit_on_error=False, description="analyse")
    def _analyse(
        self, snapshot: ClusterSnapshot, profile: Profile, needle: str, previous: TreeModel | None
    ) -> None:
        """Run the checks, lay out the tree and apply the active filter off the event loop; all pure."""
        try:
            findings = run_checks(snapshot, profile, memo=self._check_memo)
            if self.manifest_chains:
                findings = attach_chains(findings, self.manifest_chains)
            model = TreeModel(snapshot, findings, previous)
            filtered = filter_model(model, needle) if needle else None
        except Exception as exc:  # a kftui bug: say so in the banner rather than show a half-built screen
            self._post(LoadFailed(f"kftui could not analyse the snapshot ({type(exc).__name__}: {exc})"))
            return
        self._post(Analysed(snapshot, findings, model, filtered))

    def on_analysed(self, message: Analysed) -> None:
        """Show the result (always newer than what is on screen), then analyse whatever came in meanwhile."""
        self._analysing = False
        if self.closing:
            return
        if self._pending:
            self._schedule_flush()
        elif self.snapshot is not message.snapshot:
            self.watch_snapshot(self.snapshot)
        snapshot = message.snapshot
        first = self.tree_model is None
        self.analysed = snapshot
        self.findings = message.findings
        self.tree_model = message.model
        if first:
            self._set_loading(False)
            self._focus_tree()
            self.refresh_bindings()
            self.call_after_refresh(self._start_following)
        tree = self.query_one(ResourceTree)
        tree.show_model(self.tree_model, message.filtered)
        self._show_findings()
        node = tree.cursor_node
        self.query_one(DetailsPane).show(node.data if node is not None else None, snapshot)
        self._update_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "analyse" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._analysing = False

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

    # --- which fixes the credentials may run (asked in a worker, shown in the panel) -------------------

    def _review_fixes_of(self, finding: Finding) -> None:
        """Mark the finding's fixes that cannot run. Only against a live cluster and not in read-only mode:
        there the reasons are per fix (an operation running, a permission missing); read-only and offline
        refuse every fix alike and the status line says so. The fix screen checks again in any case."""
        if self.fixes is None or self.snapshot is None or not self.fixes.runner.asks_access:
            return
        # What a review depends on besides the (cached) permissions: the finding and the Applications (a
        # running operation blocks the sync family). A pod changing elsewhere must not start another one.
        basis = (finding, self.snapshot.applications)
        if self._reviewed is not None and self._reviewed[0] == finding and self._reviewed[1] is basis[1]:
            return
        self._reviewed = basis
        self._review_fixes(finding, self.snapshot, self.profile)

    # The description is explicit for the same reason as _analyse's: repr() of a snapshot is slow.
    @work(thread=True, exclusive=True, group="fix-review", exit_on_error=False, description="review fixes")
    def _review_fixes(self, finding: Finding, snapshot: ClusterSnapshot, profile: Profile | None) -> None:
        fixes = self.fixes
        if fixes is None:
            return
        try:
            choices = fixes.runner.choices(finding, snapshot, profile, review=True)
        except Exception:  # advice only: the gate decides again when a fix runs
            return
        refusals = {c.fix.id: c.disabled for c in choices if c.plan is not None and c.disabled is not None}
        self._post(FixesReviewed(finding, refusals))

    def on_fixes_reviewed(self, message: FixesReviewed) -> None:
        if not self.closing:
            self.query_one(DiagnosticsPanel).show_refusals(message.finding, message.refusals)

    def _update_status(self) -> None:
        snapshot = self.snapshot
        self.query_one(StatusLine).info = StatusInfo(
            context=snapshot.context if snapshot else "",
            server=snapshot.server if snapshot else "",
            profile=self.profile.name if self.profile else "",
            connection=self.connection,
            # To the second, as shown: the line is redrawn when what it says changes, not per batch.
            updated=self.last_update.replace(microsecond=0) if self.last_update else None,
            read_only=self.read_only,
            live=self.source.live,
            loading=snapshot is None and self.load_error is None,
        )
        self._show_forbidden(snapshot.forbidden if snapshot else {})

    def _show_forbidden(self, forbidden: Mapping[str, str]) -> None:
        """Lists the credentials may not read: which, and the API server's reason (the first, in full).
        Without the Applications there is no diagnosis at all: then this is a red banner that says so."""
        notes = self.query_one("#forbidden-notes", Static)
        notes.display = bool(forbidden)
        blind = self.snapshot is not None and applications_unseen(self.snapshot) is not None
        notes.set_class(blind, "blind")
        if blind and self.snapshot is not None:
            ask = shellcmd.join(
                (
                    "kubectl",
                    "auth",
                    "can-i",
                    "list",
                    "applications.argoproj.io",
                    "-n",
                    self.snapshot.argocd_namespace,
                )
            )
            others = [k for k in forbidden if k not in APPLICATION_KINDS]
            notes.update(
                render.inert_text(
                    Text.assemble(
                        ("✖ ", "bold"),
                        verdict(self.findings, self.snapshot).headline,
                        f"\n  Check the credentials ($ {ask}) or --argocd-namespace",
                        f"; {len(others)} other kind(s) not listed either" if others else "",
                    )
                )
            )
        elif forbidden:
            kinds = sorted(forbidden)
            notes.update(
                render.inert_text(
                    Text.assemble(
                        (f"⚠ Cannot list {len(kinds)} kind(s): ", "bold"),
                        ", ".join(kinds),
                        " — shown as unknown, not absent.\n  why: ",
                        one_line(forbidden[kinds[0]]),
                    )
                )
            )

    def _set_loading(self, loading: bool) -> None:
        self.query_one(ResourceTree).loading = loading
        self.query_one(DiagnosticsPanel).loading = loading
        self._update_status()

    def _show_error(self, reason: str | None) -> None:
        banner = self.query_one("#error-banner", Static)
        banner.display = reason is not None
        if reason is not None:
            banner.update(
                render.lines(f"✖ Cannot load the cluster state: {one_line(reason)}\n  r retries · q quits")
            )

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

    def on_details_pane_logs_wanted(self, message: DetailsPane.LogsWanted) -> None:
        pod = message.pod
        container = next((c.name for c in pod.containers if not c.init), "")
        self._fetch_logs(pod.namespace, pod.name, container)

    def on_diagnostics_panel_finding_highlighted(self, message: DiagnosticsPanel.FindingHighlighted) -> None:
        """When the user walks the findings list, the details pane follows the finding's subject."""
        self._review_fixes_of(message.finding)
        found = self.query("#finding-list")
        if not found:
            return  # the app is closing: the panel's last highlight arrived after its widgets were removed
        if self.focused is not found.first(OptionList) or self.snapshot is None:
            return
        key = self._key_for(message.finding)
        if key is None:
            return
        tree = self.query_one(ResourceTree)
        tree.reveal(key)  # lands on the closest ancestor when the subject itself is not in the tree
        node = tree.cursor_node
        self.query_one(DetailsPane).show(node.data if node else None, self.snapshot)

    @staticmethod
    def _key_for(finding: Finding) -> str | None:
        """The tree key a finding's subject would have (see TreeModel), under its app or under Unowned."""
        subject = finding.subject
        if subject.kind == "Application":
            return f"app:{subject.name}"
        base = f"app:{finding.app}" if finding.app else "unowned"
        if subject.kind == "Namespace":
            return f"{base}/ns:{subject.name}"
        if subject.namespace is None:
            return f"{base}/cluster/res:{subject.kind}/{subject.name}" if finding.app else None
        if subject.kind == "Pod":
            return f"{base}/ns:{subject.namespace}/pod:{subject.name}"
        return f"{base}/ns:{subject.namespace}/res:{subject.kind}/{subject.name}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a finding moves to its fixes; enter on a fix copies its command (running it comes later)."""
        if event.option_list.id == "finding-list":
            self.query_one("#fix-list", OptionList).focus()
        elif event.option_list.id == "fix-list":
            self.action_copy_command()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the user types, but only once typing pauses: a 20,000-pod walk per key would lag."""
        if event.input.id == "filter":
            if self._filter_timer is not None:
                self._filter_timer.stop()
                self._filter_timer = None
            if event.value.strip().lower() != self.query_one(ResourceTree).filter_text:
                self._filter_timer = self.set_timer(FILTER_DEBOUNCE_SECONDS, self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_timer = None
        if self.closing:
            return  # its widgets may already be gone
        self.query_one(ResourceTree).set_filter(self.query_one("#filter", Input).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if self._filter_timer is not None:
                self._filter_timer.stop()
            self._apply_filter()
            self.query_one(ResourceTree).focus()

    # --- actions -------------------------------------------------------------------------------------

    NEEDS_DATA = frozenset(
        {
            "filter",
            "clear",
            "all_findings",
            "toggle_errors_only",
            "copy_command",
            "focus_findings",
            "focus_tree",
        }
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until there is something to look at, keys that act on the tree or findings are hidden."""
        return not (action in self.NEEDS_DATA and self.tree_model is None)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sources()))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear(self) -> None:
        """Escape undoes the most recent kind of narrowing: the filter first, then the tree selection."""
        box = self.query_one("#filter", Input)
        if box.display or box.value:
            if self._filter_timer is not None:
                self._filter_timer.stop()
                self._filter_timer = None
            box.value = ""
            box.display = False
            self.query_one(ResourceTree).set_filter("")
            self.query_one(ResourceTree).focus()
        elif self.scope_item is not None:
            self.action_all_findings()

    def action_all_findings(self) -> None:
        self.scope_item = None
        self._show_findings()

    def action_toggle_errors_only(self) -> None:
        self.errors_only = not self.errors_only

    def action_copy_command(self) -> None:
        fix = self.query_one(DiagnosticsPanel).current_fix
        if fix is None:
            self.notify("The highlighted finding offers no fix.", severity="warning")
            return
        self.copy_fix(fix)

    def copy_fix(self, fix: FixRef) -> None:
        """Copy a fix's equivalent command; running fixes from the UI is a later step.

        A command holding a control character is not copied: pasted into a terminal, an ESC can end bracketed
        paste and run the rest. Real Kubernetes names cannot hold one, so only hostile data is refused."""
        command = fix.command
        if one_line(command) != command:
            self.notify(
                f"Not copied: the command contains control characters: {command}",
                title="Fix command",
                severity="warning",
            )
            return
        self.copy_to_clipboard(command)
        self.notify(f"Copied: {command}", title="Fix command")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast shows its text literally: messages carry app names, commands and server errors, and
        Textual would otherwise read `[/]` (a crash) or `[@click=...]` (a live action) in them as markup.
        `markup` is accepted for Textual's signature and ignored; controls are escaped as everywhere else."""
        super().notify(
            multi_line(message), title=one_line(title), severity=severity, timeout=timeout, markup=False
        )

    def action_run_fix(self) -> None:
        panel = self.query_one(DiagnosticsPanel)
        finding, fix = panel.current, panel.current_fix
        if finding is None or fix is None:
            self.notify("The highlighted finding offers no fix.", severity="warning")
            return
        if fix.id not in PLANNABLE:
            self.copy_fix(fix)  # a view or advice (describe, logs, edit-manifests, ...): nothing to run
            return
        if self.fixes is None or self.snapshot is None:
            self.notify("No cluster connection to run fixes with.", severity="warning")
            return
        try:
            plan = plan_fix(finding, fix.id, self.snapshot, self.profile)
        except PlanError as exc:
            self.notify(str(exc), severity="warning")
            return
        open_fix_screen(self, plan, self.fixes, self._fix_done)

    def action_ordered_sync(self) -> None:
        self._open_action("ordered-sync")

    def action_port_forwards(self) -> None:
        if self.fixes is None or self.snapshot is None:
            self.notify("No cluster connection.", severity="warning")
            return
        anchor = ObjectRef("Application", self.snapshot.argocd_namespace, "")
        plan = plan_action("port-forward", anchor, self.snapshot, self.profile)
        target = plan.forward if isinstance(plan, PortForwardPlan) else None
        self.push_screen(
            PortForwardsScreen(self.fixes.forwards, target, review=forward_review(self.fixes, plan))
        )

    def _open_action(self, fix_id: str) -> None:
        if self.fixes is None or self.snapshot is None:
            self.notify("No cluster connection to run fixes with.", severity="warning")
            return
        anchor = ObjectRef("Application", self.snapshot.argocd_namespace, "")
        open_fix_screen(
            self, plan_action(fix_id, anchor, self.snapshot, self.profile), self.fixes, self._fix_done
        )

    def _fix_done(self, result: object) -> None:
        if isinstance(result, FixResult):
            self.notify(result.message, title=result.fix_id, severity="information" if result.ok else "error")
        elif isinstance(result, OrderedResult):
            self.notify(
                result.reason or "ordered sync done", severity="information" if result.ok else "error"
            )

    def action_refresh(self) -> None:
        self._set_loading(self.snapshot is None)
        self._load()

    def action_focus_findings(self) -> None:
        self.query_one("#finding-list", OptionList).focus()

    def action_focus_tree(self) -> None:
        self.query_one(ResourceTree).focus()

    def jump_to_app(self, name: str) -> None:
        """Put the tree cursor on an app and narrow the findings to it (palette: jump to app)."""
        tree = self.query_one(ResourceTree)
        if tree.reveal(f"app:{name}"):
            node = tree.cursor_node
            if node is not None and node.data is not None:
                self.scope_item = node.data
                self._show_findings()
        tree.focus()

    def palette_commands(self) -> list[PaletteCommand]:
        """What the command palette offers right now: the same actions the keys call."""
        commands: list[PaletteCommand] = []
        if self.snapshot is not None:
            for name in sorted(a.name for a in self.snapshot.applications.values()):
                commands.append(
                    (
                        f"Jump to app {name}",
                        "Select the Application and narrow findings to it",
                        _bind(self.jump_to_app, name),
                    )
                )
        commands.append(
            (
                "Toggle errors only",
                "Show only error findings, or everything again",
                self.action_toggle_errors_only,
            )
        )
        finding = self.query_one(DiagnosticsPanel).current
        for fix in finding.fixes if finding is not None else ():
            commands.append((f"Copy command: {fix.command}", fix.title, _bind(self.copy_fix, fix)))
        commands.append(("Refresh", "Load the cluster state again from the source", self.action_refresh))
        return commands


def _bind(fn: Callable[[T], None], arg: T) -> Callable[[], None]:
    """A zero-argument callback for the palette, binding the argument now rather than at call time."""
    return lambda: fn(arg)
