"""The events timeline (`v`): events of the selected app (and all it owns) or object, newest first, live.

The timeline itself is pure (ui/timeline.py). This screen re-computes it whenever the app's snapshot changes
(the watch keeps events current), keeping the scroll position, and marks warnings (a `!` and amber).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style

from kftui.model import ClusterSnapshot
from kftui.topology import Topology
from kftui.ui.screens.text_screen import TextScreen
from kftui.ui.timeline import WARNING_MARK, TimelineScope, timeline, timeline_lines

WARNING = Style(color="yellow")
Current = Callable[[], tuple[ClusterSnapshot | None, Topology | None]]


class EventsScreen(TextScreen):
    """The timeline of one scope; `current` gives the newest snapshot and topology the app holds."""

    def __init__(self, scope: TimelineScope, current: Current) -> None:
        super().__init__(f"Events: {scope.label}")
        self.scope = scope
        self.current = current
        self.count = 0
        self.warnings = 0
        self._shown: tuple[object, object] | None = None

    def on_mount(self) -> None:
        self.view.line_style = _warning_style
        self.refresh_timeline()
        self.watch(self.app, "snapshot", lambda _: self.refresh_timeline(), init=False)

    def refresh_timeline(self) -> None:
        snapshot, topology = self.current()
        if snapshot is None or topology is None:
            return
        basis = (snapshot.events, topology)
        if self._shown is not None and self._shown[0] is basis[0] and self._shown[1] is basis[1]:
            return
        first = self._shown is None
        self._shown = basis
        events = timeline(snapshot, topology, self.scope)
        self.count = len(events)
        self.warnings = sum(1 for e in events if e.type == "Warning")
        self.show_lines(timeline_lines(events, snapshot.now), keep_position=not first)
        self.set_header(self.header_detail())

    def header_detail(self) -> str:
        return f"{self.count} events, {self.warnings} warnings, newest first, live"


def _warning_style(line: str) -> Style | None:
    return WARNING if line.startswith(WARNING_MARK) else None
