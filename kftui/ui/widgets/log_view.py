"""The log pane: draws the visible rows of a LogBuffer, wrapped or not, with search matches highlighted.

Textual's line API again (as TextView): a 10,000-line buffer costs the rows on screen, not the buffer. New
lines only append rows (and evicted ones drop rows at the front), so a chatty pod does not re-wrap the log.
The lines are already inert (logbuffer.py escapes them) and go out as plain Segments, never as markup.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kftui.ui.logbuffer import LogBuffer

MATCH = Style(bgcolor="yellow", color="black")
CURRENT = Style(bgcolor="dark_orange", color="black", bold=True)


class LogView(ScrollView, can_focus=True):
    """Shows a LogBuffer; keeps to the newest line while the user has not scrolled away from it."""

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.wrap = False
        self.at_words = False
        """Wrapped rows break after a space where the row has one (prose: the sync view); else at the width."""
        self.needle = ""
        self.current: int | None = None
        """The buffer index of the match n/N moved to."""
        self._rows: list[tuple[int, int, int]] = []  # wrapped: (line sequence number, start, end)
        self._row_seqs: list[int] = []
        self._wrapped_at = 0
        self._widest = 0
        self.pinned = True
        """Keep to the newest line: true until the user scrolls away from the end, again once back there."""
        self._autoscrolling = False
        self.line_style: Callable[[str], Style | None] | None = None
        """A style for a whole line (the events view marks warnings), or None for plain lines."""

    # --- what is shown ------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows) if self.wrap else len(self.buffer)

    def lines_added(self, new: int) -> None:
        """The buffer gained `new` lines at its end (and may have evicted some at its start)."""
        count = len(self.buffer)
        for index in range(max(0, count - new), count):
            self._widest = max(self._widest, cell_len(self.buffer[index]))
        if self.wrap and self._wrapped_at:
            cut = bisect_left(self._row_seqs, self.buffer.first_seq)
            if cut:
                del self._rows[:cut]
                del self._row_seqs[:cut]
            first_new = self.buffer.first_seq + max(0, count - new)
            self._wrap_from(first_new)
        self._resize_virtual()
        if self.pinned:
            self._autoscrolling = True
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
            self._autoscrolling = False
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._autoscrolling:
            self.pinned = new_value >= self.max_scroll_y

    def reset(self) -> None:
        """The buffer was cleared (another container, previous instance, since/tail)."""
        self._rows.clear()
        self._row_seqs.clear()
        self._widest = 0
        self.current = None
        self._resize_virtual()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.pinned = True
        self.refresh()

    def set_wrap(self, wrap: bool) -> None:
        self.wrap = wrap
        self._rewrap()
        if self.current is not None:
            self.show_line(self.current)
        self.refresh()

    def set_needle(self, needle: str) -> None:
        self.needle = needle
        self.current = None
        self.refresh()

    def show_line(self, index: int) -> None:
        """Scroll so the buffer's line `index` is in view (the current match), a few rows from the top."""
        self.current = index
        row = index
        if self.wrap:
            row = bisect_left(self._row_seqs, self.buffer.first_seq + index)
        self.scroll_to(0, max(0, row - 3), animate=False, immediate=True, force=True)
        self.refresh()

    # --- layout ------------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        if self.wrap:
            self._rewrap()

    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _rewrap(self) -> None:
        self._rows.clear()
        self._row_seqs.clear()
        self._wrapped_at = self._width() if self.wrap else 0
        if self.wrap:
            self._wrap_from(self.buffer.first_seq)
        self._resize_virtual()

    def _wrap_from(self, seq: int) -> None:
        width = self._wrapped_at
        first = self.buffer.first_seq
        for index in range(seq - first, len(self.buffer)):
            line = self.buffer[index]
            for start, end in row_spans(line, width, self.at_words):
                self._rows.append((first + index, start, end))
                self._row_seqs.append(first + index)

    def _resize_virtual(self) -> None:
        width = self._width() if self.wrap else max(self._widest, 1)
        self.virtual_size = Size(width, self.row_count)

    # --- drawing -----------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= self.row_count:
            return Strip.blank(width, base)
        if self.wrap:
            seq, start, end = self._rows[row]
            index = seq - self.buffer.first_seq
            if not 0 <= index < len(self.buffer):
                return Strip.blank(width, base)
            line = self.buffer[index]
            text, offset = line[start:end], start
        else:
            index = row
            line = self.buffer[index]
            text, offset = line, 0
        own = self.line_style(line) if self.line_style is not None else None
        if own is not None:
            base = base + own
        strip = Strip(self._segments(line, text, offset, index, base))
        if not self.wrap:
            strip = strip.crop(self.scroll_offset.x, self.scroll_offset.x + width)
        return strip.extend_cell_length(width, base).crop(0, width)

    def _segments(self, line: str, text: str, offset: int, index: int, base: Style) -> list[Segment]:
        if not self.needle:
            return [Segment(text, base)]
        low, needle = line.lower(), self.needle.lower()
        if len(low) != len(line):  # a few letters change length when lowered: match them exactly instead
            low, needle = line, self.needle
        style = base + (CURRENT if index == self.current else MATCH)
        segments: list[Segment] = []
        pos = 0
        end = offset + len(text)
        at = low.find(needle)
        while at != -1 and at < end:
            hit_start, hit_end = max(at, offset), min(at + len(needle), end)
            if hit_end > hit_start:
                if hit_start - offset > pos:
                    segments.append(Segment(text[pos : hit_start - offset], base))
                segments.append(Segment(text[hit_start - offset : hit_end - offset], style))
                pos = hit_end - offset
            at = low.find(needle, at + max(1, len(needle)))
        if pos < len(text):
            segments.append(Segment(text[pos:], base))
        return segments


def row_spans(line: str, width: int, at_words: bool = False) -> list[tuple[int, int]]:
    """The (start, end) of each row `line` wraps to at `width` cells: cut at the width (logs keep every
    column where it was), or with `at_words` after the row's last space when it has one past its start."""
    if cell_len(line) <= width:
        return [(0, len(line))]
    if not at_words:
        spans, start = [], 0
        for piece in chop_cells(line, width):
            spans.append((start, start + len(piece)))
            start += len(piece)
        return spans
    spans, start = [], 0
    while start < len(line):
        end = start + len(chop_cells(line[start:], width)[0])
        space = line.rfind(" ", start, end)
        if end < len(line) and space > start and line[end] != " ":
            end = space + 1  # the space stays at the end of the row, unseen
        spans.append((start, end))
        start = end
        while start < len(line) and line[start] == " ":
            start += 1  # the next row starts at its word, not with the space the cut fell on
    return spans
