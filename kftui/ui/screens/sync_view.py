"""The sync view (`S`): one Application's sync operation, its waves and hooks, and what blocks it now, live.

The content is pure (kftui/syncview.py); this screen shows its rows in a text view (search, scroll, wrapped so
the blocker reads whole at 80 columns), colours each by its tone, and re-computes them whenever the app has
analysed a new snapshot (the snapshot and the findings that explain the blocker always belong together).
`enter` closes the view and shows the blocker's finding in the diagnostics panel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style

from kftui.model import ClusterSnapshot, Finding
from kftui.syncview import SyncView, Tone, sync_view
from kftui.ui import bindings, render
from kftui.ui.screens.text_screen import TextScreen

Current = Callable[[], tuple[ClusterSnapshot | None, Sequence[Finding]]]
"""The newest analysed snapshot and the findings found on it."""

TONE_STYLE: dict[Tone, Style] = {
    Tone.HEADING: Style(bold=True),
    Tone.DONE: Style.parse(render.GREEN),
    Tone.ACTIVE: Style.parse(render.BLUE),
    Tone.PENDING: Style.parse(render.GREY),
    Tone.FAILED: Style.parse(render.RED),
    Tone.BLOCKER: Style.parse(f"bold {render.YELLOW}"),
    Tone.LINK: Style.parse(f"underline {render.BLUE}"),
}


class SyncScreen(TextScreen):
    """The sync of one app; `current` gives what the app analysed last, `on_finding(id)` shows a finding."""

    BINDINGS = bindings.SYNC_VIEW

    def __init__(self, app_name: str, current: Current, on_finding: Callable[[str], None]) -> None:
        super().__init__(f"Sync {app_name}")
        self.app_name = app_name
        self.current = current
        self.on_finding = on_finding
        self.shown: SyncView | None = None
        self._styles: dict[str, Style] = {}
        self._basis: tuple[object, object] | None = None

    def on_mount(self) -> None:
        self.view.line_style = self._styles.get
        self.view.at_words = True  # prose with long resource names: "katib-controller" stays one word
        self.view.set_wrap(True)
        self.refresh_view()
        self.watch(self.app, "analysed", lambda _: self.refresh_view(), init=False)

    def refresh_view(self) -> None:
        """Show the app's sync as of the newest analysed snapshot (nothing to do if that did not change)."""
        snapshot, findings = self.current()
        basis = self._basis
        if snapshot is None or (basis is not None and basis[0] is snapshot and basis[1] is findings):
            return
        first = self._basis is None
        self._basis = (snapshot, findings)
        shown = sync_view(snapshot, self.app_name, findings)
        self.shown = shown
        self._styles = {row.text: TONE_STYLE[row.tone] for row in shown.rows if row.tone in TONE_STYLE}
        self.view.line_style = self._styles.get
        self.show_lines([row.text for row in shown.rows], keep_position=not first)
        self.set_header(self.header_detail())
        if first:  # after the layout has the height: the view otherwise keeps to the newest line, like a log
            self.call_after_refresh(self._show_start)

    def _show_start(self) -> None:
        self.view.pinned = False
        self.view.scroll_to(0, 0, animate=False, immediate=True, force=True)

    def header_detail(self) -> str:
        return f"{self.shown.headline}  |  live" if self.shown is not None else "live"

    def action_show_finding(self) -> None:
        shown = self.shown
        blocker = shown.blocker if shown is not None else None
        if shown is None or blocker is None or blocker.finding is None:
            if shown is None or not shown.running:
                what = "no sync is running"
            else:
                what = (
                    "Argo CD names nothing the sync waits for"
                    if blocker is None
                    else "no finding explains it"
                )
            self.notify(f"Nothing to show: {what}.", severity="warning", markup=False)
            return
        key = blocker.finding.id
        self.dismiss()
        self.app.call_later(self.on_finding, key)
