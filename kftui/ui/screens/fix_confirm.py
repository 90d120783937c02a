"""FixConfirmScreen: preview a plan, confirm it (typing the app's name for prune/replace/force), run it.

Open it with `app.push_screen(FixConfirmScreen(plan, runner), callback)`. It dismisses with the
FixResult once the plan has run, or with None when the user cancels (nothing is sent then). When the
gate refuses the plan (read-only, an operation already running, or permissions already known to be
missing) the reason is shown and Run stays disabled. Permissions not known yet are asked for in a thread
worker when the screen opens; a denial then disables Run with the reason (an unknown answer does not).
The plan runs in a thread worker too; the screen never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from kftui.fixes.gate import FixResult
from kftui.fixes.plan import FixPlan, OrderedSyncPlan, PortForwardPlan
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixRuntime
from kftui.textsafe import one_line
from kftui.ui import bindings, render
from kftui.ui.preflight import Outlook
from kftui.ui.screens.help import show_screen_help
from kftui.ui.styles import style_path


class FixConfirmScreen(ModalScreen[FixResult | None]):
    """The preview of one fix and the only way to run it from the UI."""

    CSS_PATH = style_path("fix_confirm.tcss")
    BINDINGS = bindings.FIX_CONFIRM

    CHECKING = "checking permissions…"

    class Reviewed(Message):
        """The access review of the plan finished (posted from its thread worker)."""

        def __init__(self, refusal: str | None) -> None:
            super().__init__()
            self.refusal = refusal

    def __init__(self, plan: FixPlan, runner: FixRunner) -> None:
        super().__init__()
        self.plan = plan
        self.runner = runner
        self.refusal = runner.refusal(plan)
        self.running = False
        self.reviewing = False

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="fix-box"):
            yield Static(render.lines(plan.title), id="fix-title", markup=False)
            with VerticalScroll(id="fix-body"):
                # The registry decides which backend carries a plan; the screen only names it.
                backend = self.runner.backend_for(plan)
                yield Static(
                    render.lines(f"{plan.target}  ·  backend: {backend}"), id="fix-meta", markup=False
                )
                yield Static("What will change:", id="fix-changes-label")
                yield Static(
                    render.lines("\n".join(f"• {c}" for c in plan.changes) or "(nothing)"),
                    id="fix-changes",
                    markup=False,
                )
                if plan.warnings:
                    yield Static(
                        render.lines("\n".join(f"! {w}" for w in plan.warnings)),
                        id="fix-warnings",
                        markup=False,
                    )
                yield Static("Equivalent command:", id="fix-command-label")
                yield Static(render.lines(plan.command), id="fix-command", markup=False)
            if self.refusal is not None:
                yield Static(render.lines(f"Cannot run: {self.refusal}"), id="fix-refusal", markup=False)
            elif plan.confirm_word is not None:
                yield Static(
                    render.lines(f"Type {plan.confirm_word} to confirm:"),
                    id="fix-confirm-label",
                    markup=False,
                )
                yield Input(placeholder=one_line(plan.confirm_word), id="fix-confirm-input")
            with Horizontal(id="fix-buttons"):
                yield Static("", id="fix-status", markup=False)
                yield Button("Cancel", id="fix-cancel")
                yield Button(
                    "Run",
                    id="fix-run",
                    variant="error" if plan.confirm_word or plan.warnings else "primary",
                    disabled=not self.can_run(),
                )
        yield Footer()

    def on_mount(self) -> None:
        if self.refusal is None and self.plan.confirm_word is not None:
            self.query_one("#fix-confirm-input", Input).focus()
        else:
            self.query_one("#fix-cancel", Button).focus()
        if self.refusal is None and self.runner.asks_access:
            self.reviewing = True
            self.query_one("#fix-status", Static).update(self.CHECKING)
            self._review()

    @work(thread=True, exclusive=True, group="fix-confirm-review", exit_on_error=False, description="review")
    def _review(self) -> None:
        try:
            refusal = self.runner.review(self.plan)
        except Exception:  # a review is advice: the gate asks again when the plan runs
            refusal = None
        self.post_message(self.Reviewed(refusal))

    def on_fix_confirm_screen_reviewed(self, message: Reviewed) -> None:
        self.reviewing = False
        status = self.query_one("#fix-status", Static)
        if str(status.content) == self.CHECKING:
            status.update("")
        if message.refusal is None or self.running:
            return
        self.refusal = message.refusal
        for hidden in self.query("#fix-confirm-label, #fix-confirm-input"):
            hidden.display = False
        self.query_one("#fix-box").mount(
            Static(render.lines(f"Cannot run: {self.refusal}"), id="fix-refusal", markup=False),
            before="#fix-buttons",
        )
        self.query_one("#fix-run", Button).disabled = True
        self.query_one("#fix-cancel", Button).focus()

    def typed(self) -> str:
        inputs = self.query("#fix-confirm-input").results(Input)
        return next((i.value for i in inputs), "")

    def can_run(self) -> bool:
        if self.refusal is not None or self.running:
            return False
        word = self.plan.confirm_word
        return word is None or (self.is_mounted and self.typed() == word)

    @on(Input.Changed, "#fix-confirm-input")
    def _typed_changed(self) -> None:
        self.query_one("#fix-run", Button).disabled = not self.can_run()

    @on(Input.Submitted, "#fix-confirm-input")
    def _typed_submitted(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#fix-run")
    def _run_pressed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#fix-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_help(self) -> None:
        show_screen_help(self, "fix preview")

    def action_cancel(self) -> None:
        if not self.running:
            self.dismiss(None)

    def action_run(self) -> None:
        if not self.can_run():
            if self.plan.confirm_word is not None and self.refusal is None:
                self.query_one("#fix-status", Static).update(
                    render.inert(f"Type {self.plan.confirm_word} exactly to confirm.")
                )
            return
        self.running = True
        self.query_one("#fix-run", Button).disabled = True
        self.query_one("#fix-cancel", Button).disabled = True
        self.query_one("#fix-status", Static).update("Running…")
        self._execute()

    @work(thread=True, exclusive=True, group="fix-run", exit_on_error=False)
    def _execute(self) -> None:
        try:
            result = self.runner.run(self.plan)
        except Exception as exc:  # a bug must not leave the screen stuck on "Running"
            result = FixResult(self.plan.fix_id, str(self.plan.target), False, f"unexpected error: {exc!r}")
        self.app.call_from_thread(self._finished, result)

    def _finished(self, result: FixResult) -> None:
        self.running = False
        self.dismiss(result)


def forward_review(runtime: FixRuntime, plan: FixPlan) -> Callable[[], str | None] | None:
    """The access review a port-forwards view runs before forwarding (None when nothing is asked)."""
    runner = runtime.runner
    return (lambda: runner.review(plan)) if runner.asks_access else None


def open_fix_screen(
    app: App[Any],
    plan: FixPlan,
    runtime: FixRuntime,
    on_done: Callable[[Any], None] | None = None,
    preflight: Sequence[Outlook] = (),
) -> None:
    """Open the right screen for a plan: the ordered-sync view, the port-forwards view, or the confirmation.

    `preflight` (ordered sync only) says where the chain will stop. `on_done` receives a FixResult (confirm), an OrderedResult (ordered sync) or None (cancelled / closed).
    """
    from kftui.ui.screens.ordered_sync import OrderedSyncScreen
    from kftui.ui.screens.port_forwards import PortForwardsScreen

    if isinstance(plan, OrderedSyncPlan):
        app.push_screen(OrderedSyncScreen(plan, runtime.runner, preflight=preflight), on_done)
    elif isinstance(plan, PortForwardPlan):
        screen = PortForwardsScreen(
            runtime.forwards, plan.forward, start=True, review=forward_review(runtime, plan)
        )
        app.push_screen(screen, on_done)
    else:
        app.push_screen(FixConfirmScreen(plan, runtime.runner), on_done)
