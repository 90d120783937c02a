"""PortForwardsScreen: start the guided port-forward, see every active forward, probe it, stop it.

Open it with `app.push_screen(PortForwardsScreen(manager, target))`: `manager` is the app's one
ForwardManager (forwards outlive the screen; the app calls `manager.stop_all()` on exit) and `target`
the ForwardTarget of a "port-forward" plan (the profile's gateway by default). With `start=True` the
screen starts a forward to `target` as soon as it opens. Setting up and probing run in thread workers.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from kftui.cluster.ops import ActionError
from kftui.cluster.portforward import ForwardManager, ForwardState
from kftui.fixes.plan import ForwardTarget
from kftui.ui import bindings, render
from kftui.ui.screens.help import show_screen_help
from kftui.ui.styles import style_path

REFRESH_SECONDS = 0.5


def describe(state: ForwardState) -> tuple[Text, ...]:
    probe = state.probe.message if state.probe else "not probed"
    if state.probe is not None:
        probe = ("✔ " if state.probe.ok else "✘ ") + probe
    pod = f"{state.pod}:{state.target_port}" if state.pod else "-"
    # DataTable parses str cells as markup; service, pod and server messages are the cluster's.
    cells = (
        str(state.id),
        state.label,
        state.url,
        pod,
        str(state.connections),
        state.status + (f" ({state.detail})" if state.detail else ""),
        probe,
    )
    return tuple(render.inert(cell) for cell in cells)


class PortForwardsScreen(ModalScreen[None]):
    """Active port-forwards of this session."""

    CSS_PATH = style_path("port_forwards.tcss")
    BINDINGS = bindings.PORT_FORWARDS

    def __init__(
        self,
        manager: ForwardManager,
        target: ForwardTarget | None = None,
        start: bool = False,
        review: Callable[[], str | None] | None = None,
    ) -> None:
        """`review` asks (blocking, so in a worker) whether the credentials may forward to `target`: the
        reason when they may not, else None."""
        super().__init__()
        self.manager = manager
        self.target = target
        self.start_now = start
        self.review = review
        self.refusal: str | None = None
        self.reviewing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="pf-box"):
            yield Static("Port-forwards (127.0.0.1 only; all stop when kftui exits)", id="pf-title")
            yield DataTable(id="pf-table", cursor_type="row", zebra_stripes=True)
            hint = self.target.login_hint if self.target and self.target.login_hint else ""
            where = f"n: forward svc/{self.target.service} -n {self.target.namespace}" if self.target else ""
            yield Static(
                render.inert("  ·  ".join(p for p in (where, "p: probe", "x: stop", hint) if p)), id="pf-hint"
            )
            yield Static("", id="pf-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (
            ("#", "id"),
            ("Forward", "label"),
            ("URL", "url"),
            ("Pod:port", "pod"),
            ("Conns", "conns"),
            ("Status", "status"),
            ("Probe", "probe"),
        ):
            table.add_column(label, key=key)
        self.refresh_table()
        self.set_interval(REFRESH_SECONDS, self.refresh_table)
        if self.review is not None and self.target is not None:
            self.reviewing = True
            self._review(self.review)
        elif self.start_now:
            self.action_new_forward()

    @work(thread=True, group="pf-review", exit_on_error=False, description="review")
    def _review(self, review: Callable[[], str | None]) -> None:
        try:
            refusal = review()
        except Exception:  # advice only: a forbidden forward still fails with the API server's message
            refusal = None
        self.app.call_from_thread(self._reviewed, refusal)

    def _reviewed(self, refusal: str | None) -> None:
        self.reviewing = False
        self.refusal = refusal
        if refusal is not None:
            self.status(f"Cannot forward: {refusal}")
        elif self.start_now:
            self.action_new_forward()

    def refresh_table(self) -> None:
        table = self.query_one(DataTable)
        if not self.manager.forwards and not str(self.query_one("#pf-status", Static).content):
            self.status("No active forwards." + (" Press n to start one." if self.target else ""))
        states = {str(s.id): s for s in self.manager.states()}
        for key in [str(k.value) for k in table.rows if str(k.value) not in states]:
            table.remove_row(key)
        for key, state in states.items():
            cells = describe(state)
            if key in [str(k.value) for k in table.rows]:
                for column, value in zip(
                    ("id", "label", "url", "pod", "conns", "status", "probe"), cells, strict=True
                ):
                    table.update_cell(key, column, value)
            else:
                table.add_row(*cells, key=key)

    def selected(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(str(key.value))

    def status(self, text: str) -> None:
        self.query_one("#pf-status", Static).update(render.lines(text))

    def action_help(self) -> None:
        show_screen_help(self, "port-forwards")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_new_forward(self) -> None:
        if self.target is None:
            self.status("No target: open this view from a Service or the gateway fix.")
            return
        if self.refusal is not None:
            self.status(f"Cannot forward: {self.refusal}")
            return
        self.status(f"Starting svc/{self.target.service} -n {self.target.namespace}…")
        self._start(self.target)

    @work(thread=True, group="pf", exit_on_error=False)
    def _start(self, target: ForwardTarget) -> None:
        try:
            fwd = self.manager.start(
                target.namespace,
                target.service,
                target.port,
                target.local_port,
                target.login_hint,
                context=target.context,
            )
        except ActionError as exc:
            self.app.call_from_thread(self.status, f"Port-forward failed: {exc}")
            return
        except Exception as exc:  # a surprise from the client must not kill the app
            self.app.call_from_thread(self.status, f"Port-forward failed: {exc!r}")
            return
        result = fwd.probe()
        hint = f"  {target.login_hint}" if target.login_hint and result.ok else ""
        self.app.call_from_thread(self.status, f"{fwd.state.url}  {result.message}{hint}")
        self.app.call_from_thread(self.refresh_table)

    def action_probe(self) -> None:
        forward_id = self.selected()
        if forward_id is None:
            return
        self._probe(forward_id)

    @work(thread=True, group="pf", exit_on_error=False)
    def _probe(self, forward_id: int) -> None:
        fwd = self.manager.forwards.get(forward_id)
        if fwd is None:
            return
        result = fwd.probe()
        self.app.call_from_thread(self.status, f"{fwd.state.url}  {result.message}")
        self.app.call_from_thread(self.refresh_table)

    def action_stop_forward(self) -> None:
        forward_id = self.selected()
        if forward_id is None:
            return
        self.manager.stop(forward_id)
        self.status(f"Stopped forward {forward_id}.")
        self.refresh_table()
