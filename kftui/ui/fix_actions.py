"""The fix keys of the app (x runs, c copies, o ordered sync, p port-forwards) and which fixes may run.

Glue only: fixes/ plans and runs, the screens preview and confirm; this picks the highlighted finding's fix,
opens the right screen, reports the result as a toast, and asks (in a worker) which fixes the credentials
may run so the diagnostics panel can mark the others before the user tries them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, Any

from textual import work
from textual.notifications import SeverityLevel
from textual.reactive import var

from kftui.cluster.source import SnapshotSource
from kftui.fixes.drift_planner import plan_ignore_drift
from kftui.fixes.gate import FixResult
from kftui.fixes.ordered import OrderedResult
from kftui.fixes.plan import (
    PLANNABLE,
    THROUGH_CONTEXT,
    FixPlan,
    OrderedSyncPlan,
    PlanError,
    PortForwardPlan,
    plan_action,
    plan_fix,
)
from kftui.fixes.plans import DeleteResourcePlan, ResourceActionPlan, plan_context
from kftui.fixes.registry import FIXES
from kftui.fixes.runtime import FixRuntime
from kftui.model import ClusterSnapshot, Finding, FixRef, ObjectRef
from kftui.profile import Profile
from kftui.textsafe import multi_line, one_line
from kftui.ui.clipboard import clipboard_sequence, copy_message
from kftui.ui.feed import SourceFeed
from kftui.ui.messages import FixesReviewed
from kftui.ui.preflight import outlook
from kftui.ui.screens.fix_confirm import forward_review, open_fix_screen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.widgets.diagnostics import DiagnosticsPanel

IGNORE_DRIFT = "ignore-drift"


class FixActions(SourceFeed):
    """What KftuiApp does with fixes. The app owns the snapshot and the profile; these read them.

    A base class of the app rather than a helper object, because the keys call `action_*` methods and the
    panel's review arrives as a message: both must be the app's. Textual runs a handler of every class in
    the chain (KftuiApp -> FixActions -> SourceFeed), so on_unmount here and in SourceFeed both run."""

    snapshot: var[ClusterSnapshot | None]
    profile: Profile | None
    findings: list[Finding]

    def __init__(self, source: SnapshotSource, fixes: FixRuntime | None) -> None:
        super().__init__(source)
        self.fixes = fixes
        self._reviewed: tuple[Finding, Mapping[Any, Any], Mapping[Any, Any]] | None = None
        self.known_drift: dict[str, tuple[Mapping[str, Any], ...]] = {}
        """App name -> the ignoreDifferences entries of its last diff (the diff view, `D`, fills it)."""

    def on_unmount(self) -> None:
        if self.fixes is not None:
            self.fixes.close()  # stops every port-forward

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast of the app (they all come from the fix keys) shows its text literally: messages carry
        app names, commands and server errors, and Textual would otherwise read `[/]` (a crash) or
        `[@click=...]` (a live action) in them as markup. `markup` is accepted for Textual's signature and
        ignored; controls are escaped as everywhere else."""
        super().notify(
            multi_line(message), title=one_line(title), severity=severity, timeout=timeout, markup=False
        )

    # --- keys ----------------------------------------------------------------------------------------

    def action_copy_command(self) -> None:
        panel = self.query_one(DiagnosticsPanel)
        finding, fix = panel.current, panel.current_fix
        if finding is None or fix is None:
            self.notify("The highlighted finding offers no fix.", severity="warning")
            return
        self.copy_fix(fix, self._elsewhere_command(finding, fix))

    def _elsewhere_command(self, finding: Finding, fix: FixRef) -> str | None:
        """For a fix on an object of another cluster, the command of what would run there (Argo CD's, or
        kubectl with that cluster's --context): the finding's own would act through the hub's context."""
        if fix.id not in THROUGH_CONTEXT or self.snapshot is None:
            return None
        try:
            plan = self.plan_finding_fix(finding, fix.id, self.snapshot)
        except PlanError:
            return None
        if isinstance(plan, ResourceActionPlan | DeleteResourcePlan) or plan_context(plan):
            return plan.command
        return None

    def copy_fix(self, fix: FixRef, command: str | None = None) -> None:
        """Copy a fix's equivalent command (or `command`, the one its plan would run instead).

        A command holding a control character is not copied: pasted into a terminal, an ESC can end bracketed
        paste and run the rest. Real Kubernetes names cannot hold one, so only hostile data is refused."""
        command = fix.command if command is None else command
        if one_line(command) != command:
            self.notify(
                f"Not copied: the command contains control characters: {command}",
                title="Fix command",
                severity="warning",
            )
            return
        self.notify(copy_message(command, self.send_to_clipboard(command)), title="Fix command")

    def send_to_clipboard(self, text: str) -> bool:
        """Write `text` to the terminal as OSC 52 (wrapped for tmux); False when there is no terminal to
        write to. True only means it was sent: whether the terminal honours OSC 52 cannot be known."""
        self._clipboard = text  # what Textual's own copy keeps, so `app.clipboard` reads it back
        driver = self._driver
        if driver is None or self.is_headless or not _is_terminal(sys.__stdout__):
            return False
        driver.write(clipboard_sequence(text, os.environ))
        driver.flush()
        return True

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
            plan = self.plan_finding_fix(finding, fix.id, self.snapshot)
        except PlanError as exc:
            self.notify(str(exc), severity="warning")
            return
        ahead = outlook(plan.chain, self.snapshot, self.findings) if isinstance(plan, OrderedSyncPlan) else ()
        open_fix_screen(self, plan, self.fixes, self._fix_done, preflight=ahead)

    def plan_finding_fix(self, finding: Finding, fix_id: str, snapshot: ClusterSnapshot) -> FixPlan:
        """A finding's fix as plan_fix plans it, except the drift fix of an app whose diff is known: that one
        is planned with the diff's entries (a snapshot does not hold a diff)."""
        entries = self.known_drift.get(finding.app or "")
        if fix_id == IGNORE_DRIFT and entries is not None and finding.app:
            target = ObjectRef("Application", snapshot.argocd_namespace, finding.app)
            return plan_ignore_drift(FIXES[IGNORE_DRIFT], target, snapshot, entries)
        return plan_fix(finding, fix_id, snapshot, self.profile)

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
        plan = plan_action(fix_id, anchor, self.snapshot, self.profile)
        ahead = outlook(plan.chain, self.snapshot, self.findings) if isinstance(plan, OrderedSyncPlan) else ()
        open_fix_screen(self, plan, self.fixes, self._fix_done, preflight=ahead)

    def _fix_done(self, result: object) -> None:
        if isinstance(result, FixResult):
            self.notify(result.message, title=result.fix_id, severity="information" if result.ok else "error")
        elif isinstance(result, OrderedResult):
            self.notify(
                result.reason or "ordered sync done", severity="information" if result.ok else "error"
            )

    # --- which fixes the credentials may run (asked in a worker, shown in the panel) -------------------

    def _review_fixes_of(self, finding: Finding) -> None:
        """Mark the finding's fixes that cannot run. Only against a live cluster and not in read-only mode:
        there the reasons are per fix (an operation running, a permission missing); read-only and offline
        refuse every fix alike and the status line says so. The fix screen checks again in any case."""
        if self.fixes is None or self.snapshot is None or not self.fixes.runner.asks_access:
            return
        # What a review depends on besides the (cached) permissions: the finding, the Applications (a
        # running operation blocks the sync family) and the AppProjects (a sync window does). A pod changing
        # elsewhere must not start another one.
        basis = (finding, self.snapshot.applications, self.snapshot.projects)
        if (
            self._reviewed is not None
            and self._reviewed[0] == finding
            and self._reviewed[1] is basis[1]
            and self._reviewed[2] is basis[2]
        ):
            return
        self._reviewed = basis
        self._review_fixes(finding, self.snapshot, self.profile)

    # An explicit description: without one Textual builds it from repr() of the arguments, and the repr
    # of a 20,000-pod snapshot took seconds on the event loop.
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
        if any(f.id == IGNORE_DRIFT for f in finding.fixes):
            # The runner plans without the diff the view fetched; ask again about the plan that would run.
            try:
                again = fixes.runner.review(self.plan_finding_fix(finding, IGNORE_DRIFT, snapshot))
            except Exception:
                again = None
            refusals.pop(IGNORE_DRIFT, None)
            if again is not None:
                refusals[IGNORE_DRIFT] = again
        self._post(FixesReviewed(finding, refusals))

    def on_fixes_reviewed(self, message: FixesReviewed) -> None:
        if not self.closing:
            self.query_one(DiagnosticsPanel).show_refusals(message.finding, message.refusals)


def _is_terminal(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed
        return False
