"""OrderedSyncScreen: preview the chain, start it, watch each step, cancel, and read why it stopped.

Open it with `app.push_screen(OrderedSyncScreen(plan, runner), callback)` where `plan` is the
"ordered-sync" plan (plan_fix / plan_action). It dismisses with the OrderedResult after a run, or None
if closed before starting. The loop is fixes/ordered.OrderedSync in a thread worker; its step callbacks
reach the screen through call_from_thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Static

from kftui.fixes.ordered import OrderedResult, OrderedSync, StepStatus
from kftui.fixes.plan import OrderedSyncPlan
from kftui.fixes.run import FixRunner
from kftui.ui import bindings, render
from kftui.ui.preflight import Outlook, summary
from kftui.ui.screens.help import show_screen_help
from kftui.ui.styles import style_path

STATE_MARK = {
    "pending": "·",
    "waiting": "…",
    "syncing": "⟳",
    "settling": "⟳",
    "done": "✔",
    "failed": "✘",
    "cancelled": "■",
}


def _clock(step: StepStatus) -> tuple[str, str]:
    fmt = "%H:%M:%S"
    return (
        step.started.strftime(fmt) if step.started else "",
        step.finished.strftime(fmt) if step.finished else "",
    )


class OrderedSyncScreen(ModalScreen[OrderedResult | None]):
    """Sync a dependency chain one app at a time, with progress."""

    CSS_PATH = style_path("ordered_sync.tcss")
    BINDINGS = bindings.ORDERED_SYNC

    def __init__(
        self,
        plan: OrderedSyncPlan,
        runner: FixRunner,
        step_timeout: float = 300.0,
        interval: float = 1.0,
        clock: Callable[[], datetime] | None = None,
        preflight: Sequence[Outlook] = (),
    ) -> None:
        """`preflight`: where the current findings say the chain will stop (shown until Start)."""
        super().__init__()
        self.preflight = {row.app: row for row in preflight}
        self.preflight_line = summary(preflight) if preflight else ""
        self.clock = clock
        self.plan = plan
        self.runner = runner
        self.step_timeout = step_timeout
        self.interval = interval
        self.refusal = runner.refusal(plan)
        self.reviewing = False  # True while the access review of the chain is out
        self.cancel_event = threading.Event()
        self.running = False
        self.result: OrderedResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="ordered-box"):
            yield Static(render.lines(self.plan.title), id="ordered-title", markup=False)
            # What it will run scrolls when the terminal is short; the steps and the buttons stay in view.
            with VerticalScroll(id="ordered-body"):
                yield Static(render.lines(self.plan.command), id="ordered-command", markup=False)
                if self.plan.warnings:
                    yield Static(
                        render.lines("\n".join(f"! {w}" for w in self.plan.warnings)),
                        id="ordered-warnings",
                        markup=False,
                    )
                if self.preflight_line:
                    yield Static(render.lines(self.preflight_line), id="ordered-preflight", markup=False)
            yield DataTable(id="ordered-steps", cursor_type="none", zebra_stripes=True)
            refusal = Static(render.lines(f"Cannot run: {self.refusal}"), id="ordered-refusal", markup=False)
            refusal.display = self.refusal is not None
            yield refusal
            yield Static(
                f"Each app must be Synced and Healthy within {self.step_timeout:.0f}s before the next starts.",
                id="ordered-reason",
                markup=False,
            )
            with Horizontal(id="ordered-buttons"):
                yield Button("Close", id="ordered-close")
                yield Button(
                    "Start", id="ordered-start", variant="primary", disabled=self.refusal is not None
                )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="mark", width=2)
        table.add_column("#", key="index", width=3)
        table.add_column("Application", key="app", width=24)
        table.add_column("State", key="state", width=11)
        table.add_column("Started", key="started", width=9)
        table.add_column("Finished", key="finished", width=9)
        table.add_column("Detail", key="detail")
        for i, app in enumerate(self.plan.chain):
            seen = self.preflight.get(app)
            state, detail = (seen.state, seen.detail) if seen else ("pending", "")
            mark = "!" if state == "stops here" else STATE_MARK["pending"]
            table.add_row(mark, str(i + 1), render.inert(app), state, "", "", render.inert(detail), key=app)
        self.query_one("#ordered-close" if self.refusal else "#ordered-start", Button).focus()
        if self.refusal is None and self.runner.asks_access:
            self.reviewing = True
            self._review()

    @work(thread=True, exclusive=True, group="ordered-review", exit_on_error=False, description="review")
    def _review(self) -> None:
        """Ask the cluster whether the credentials may update every app of the chain (a worker: it blocks)."""
        try:
            refusal = self.runner.review(self.plan)
        except Exception:  # a review is advice: the gate asks again before each step's write
            refusal = None
        self.app.call_from_thread(self._reviewed, refusal)

    def _reviewed(self, refusal: str | None) -> None:
        self.reviewing = False
        if refusal is None or self.running or self.result is not None:
            return
        self.refusal = refusal
        self.refresh_bindings()
        note = self.query_one("#ordered-refusal", Static)
        note.update(render.lines(f"Cannot run: {refusal}"))
        note.display = True
        self.query_one("#ordered-start", Button).disabled = True
        self.query_one("#ordered-close", Button).focus()

    def step_row(self, step: StepStatus) -> None:
        table = self.query_one(DataTable)
        started, finished = _clock(step)
        for column, value in (
            ("mark", STATE_MARK.get(step.state, "?")),
            ("state", step.state),
            ("started", started),
            ("finished", finished),
            ("detail", render.inert(step.detail)),
        ):
            table.update_cell(step.app, column, value, update_width=column == "detail")

    @on(Button.Pressed, "#ordered-start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#ordered-close")
    def _close_pressed(self) -> None:
        self.action_close_or_cancel()

    def action_help(self) -> None:
        show_screen_help(self, "ordered sync")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Start is dimmed in the footer when it cannot run (refused, running, or done)."""
        if action == "start" and (self.running or self.result is not None or self.refusal is not None):
            return None
        return True

    def action_start(self) -> None:
        if self.running or self.result is not None or self.refusal is not None:
            return
        self.running = True
        self.refresh_bindings()
        self.query_one("#ordered-start", Button).disabled = True
        self.query_one("#ordered-close", Button).label = "Cancel"
        self.query_one("#ordered-reason", Static).update("Running…")
        self._run()

    def action_close_or_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.query_one("#ordered-reason", Static).update(
                "Cancelling: waiting for the current check to end…"
            )
            return
        self.dismiss(self.result)

    @work(thread=True, exclusive=True, group="ordered-sync", exit_on_error=False)
    def _run(self) -> None:
        loop = OrderedSync(
            self.runner,
            self.plan.chain,
            step_timeout=self.step_timeout,
            interval=self.interval,
            on_step=lambda step: self.app.call_from_thread(self.step_row, step),
            clock=self.clock or (lambda: datetime.now(UTC)),
        )
        try:
            result = loop.run(self.cancel_event)
        except Exception as exc:  # a bug must not leave the screen stuck on "Running"
            result = OrderedResult(False, tuple(loop.steps), f"unexpected error: {exc!r}")
        self.app.call_from_thread(self._finished, result)

    def _finished(self, result: OrderedResult) -> None:
        self.running = False
        self.result = result
        self.refresh_bindings()
        reason = self.query_one("#ordered-reason", Static)
        if result.ok:
            reason.update(render.lines(f"Done: {' -> '.join(self.plan.chain)} are Synced and Healthy."))
            reason.set_class(True, "-ok")
        else:
            # The stop names the root cause the findings trace the stopped app's errors to, not its symptom.
            row = self.preflight.get(result.stopped_at or "")
            cause = f"\nroot cause: {row.root_cause}" if row is not None and row.root_cause else ""
            reason.update(render.lines(result.reason + cause))
            reason.set_class(True, "-failed")
        self.query_one("#ordered-close", Button).label = "Close"
        self.query_one("#ordered-close", Button).focus()
