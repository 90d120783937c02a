"""A full screen of read-only lines with a header and search (`/`, n, N): the base of the YAML and events views."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Input, Static

from kftui.textsafe import one_line
from kftui.ui import bindings
from kftui.ui.logbuffer import LogBuffer
from kftui.ui.screens.searchable import SearchableScreen
from kftui.ui.widgets.log_view import LogView

MAX_LINES = 200_000


class TextScreen(SearchableScreen):
    """Shows lines (made inert by the buffer) in a LogView; subclasses decide what the lines are."""

    BINDINGS = bindings.TEXT_VIEW
    SEARCH_BOX = "view-search"
    DEFAULT_CSS = """
    TextScreen .view-header { height: auto; max-height: 3; background: $boost; padding: 0 1; }
    TextScreen .view-search { dock: bottom; display: none; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title
        self.buffer = LogBuffer(MAX_LINES)
        self.needle = ""

    def compose(self) -> ComposeResult:
        yield Static(classes="view-header", id="view-header")
        yield LogView(self.buffer, id="text-lines")
        yield Input(placeholder="search (enter: find, esc: cancel)", classes="view-search", id="view-search")
        yield Footer()

    def on_mount(self) -> None:
        # Textual also runs the subclasses' on_mount (before this one): they must not call it again.
        self.query_one(LogView).focus()
        self.set_header(self.header_detail())

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def set_header(self, detail: str) -> None:
        parts = [self.title_text, detail, f"/{self.needle}" if self.needle else ""]
        self.query_one("#view-header", Static).update(Text(one_line("  |  ".join(p for p in parts if p))))

    def show_lines(self, lines: list[str], keep_position: bool = False) -> None:
        """Replace what is shown; a live update keeps the scroll position (and the search)."""
        view = self.view
        y = view.scroll_y
        current = view.current
        self.buffer.clear()
        view.reset()
        self.buffer.extend(lines)
        view.lines_added(len(lines))
        if keep_position:
            view.current = current
            view.scroll_to(0, y, animate=False, immediate=True, force=True)
        else:
            view.scroll_to(0, 0, animate=False, immediate=True)

    @property
    def plain(self) -> str:
        """What is shown, for tests: the lines, one per row."""
        return self.buffer.text()

    # --- keys --------------------------------------------------------------------------------------

    def action_close(self) -> None:
        if not self.close_search():
            self.dismiss()

    def searched(self) -> None:
        self.set_header(self.header_detail())

    def header_detail(self) -> str:
        return ""
