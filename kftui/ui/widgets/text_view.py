"""A read-only text view that renders only the rows in view (Textual's line API)."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual


class TextView(ScrollView):
    """Shows a Rich Text, wrapped to the view's width, drawing only the rows on screen.

    The details pane shows 50-line descriptions and log tails while the cursor moves. As a Static in a
    scroll container, each update laid the whole screen out again and rendered every line of the text
    (the costliest item on the event loop under churn; figures in README.md, Performance), though a dozen
    rows are visible. Here an update wraps the text (the cheap part) and the compositor asks only for the
    visible rows, each rendered once and kept until the text or the width changes.
    """

    DEFAULT_CSS = """
    TextView {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, text: Text | str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content = _content(text)
        self._rows: list[Content] = []
        self._wrapped_at = 0  # the width the rows were wrapped at; 0: not yet
        self._strips: dict[int, Strip] = {}

    @property
    def plain(self) -> str:
        """The text shown, without styles (what tests and the screen reader of a user's terminal see)."""
        return self._content.plain

    def update(self, text: Text | str, keep_position: bool = False) -> None:
        """Show `text` from its first row, or (keep_position) from the row shown now."""
        self._content = _content(text)
        self._wrapped_at = 0
        self._wrap()
        if not keep_position:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        self._wrap()

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrapped_at:
            return
        self._rows = self._content.wrap(width)
        self._wrapped_at = width
        self._strips.clear()
        self.virtual_size = Size(width, len(self._rows))

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        selection = self.text_selection
        strip = self._strips.get(row) if selection is None else None
        if strip is None:
            if row >= len(self._rows):
                return Strip.blank(width, self.rich_style)
            content = self._rows[row]
            span = selection.get_span(row) if selection is not None else None
            if span is not None:
                start, end = span
                selected = Style.from_styles(self.screen.get_component_styles("screen--selection"))
                content = content.stylize(selected, start, len(content) if end == -1 else end)
            rendered = Visual.to_strips(
                self, content, width, 1, self.visual_style, pad=True, apply_selection=False
            )
            # Offsets in (column, wrapped row) let the mouse select text as in other widgets.
            strip = (rendered[0] if rendered else Strip.blank(width, self.rich_style)).apply_offsets(0, row)
            if selection is None:
                self._strips[row] = strip
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text, in the rows as wrapped on screen (what the mouse selected)."""
        return selection.extract("\n".join(row.plain for row in self._rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()


def _content(text: Text | str) -> Content:
    return Content.from_rich_text(text) if isinstance(text, Text) else Content(text)
