"""The `/` search of a full screen of lines (logs, YAML, events): the box, the needle, n and N to the matches."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Input

from kftui.textsafe import one_line
from kftui.ui.logbuffer import LogBuffer
from kftui.ui.widgets.log_view import LogView


class SearchableScreen(Screen[None]):
    """A screen showing `buffer` in its LogView, with a search Input whose id is SEARCH_BOX (hidden until `/`)."""

    SEARCH_BOX = ""
    buffer: LogBuffer
    needle: str

    def searched(self) -> None:
        """After a search was submitted: the subclass redraws its header (which shows the needle)."""

    def close_search(self) -> bool:
        """Escape leaves an open search box first: True when it did."""
        box = self.query_one(f"#{self.SEARCH_BOX}", Input)
        if not box.display:
            return False
        box.display = False
        self.query_one(LogView).focus()
        return True

    def action_search(self) -> None:
        box = self.query_one(f"#{self.SEARCH_BOX}", Input)
        box.display = True
        box.value = self.needle
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.needle = event.value
        event.input.display = False
        view = self.query_one(LogView)
        view.set_needle(self.needle)
        view.focus()
        self._find(forward=True)
        self.searched()

    def action_next_match(self) -> None:
        self._find(forward=True)

    def action_previous_match(self) -> None:
        self._find(forward=False)

    def _find(self, forward: bool) -> None:
        if not self.needle:
            return
        view = self.query_one(LogView)
        start = view.current if view.current is not None else (-1 if forward else len(self.buffer))
        found = self.buffer.next_match(self.needle, start, forward)
        if found is None:
            self.notify(f"no match for {one_line(self.needle)}", severity="warning", markup=False)
            return
        view.show_line(found)
