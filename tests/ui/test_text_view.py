"""TextView: wraps to its width, draws only the rows in view, keeps or resets the scroll position."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from kftui.ui.widgets.text_view import TextView

LINES = [f"line {n:03d}" for n in range(500)]


class Host(App[None]):
    CSS = "TextView { height: 10; width: 40; }"

    def compose(self) -> ComposeResult:
        yield TextView(Text("\n".join(LINES)), id="view")


def drawn(view: TextView) -> set[int]:
    """The rows the view has rendered so far."""
    return set(view._strips)


async def test_only_the_rows_in_view_are_rendered() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()
        assert view.virtual_size.height == 500
        assert drawn(view) == set(range(10))
        view.scroll_to(y=200, animate=False, immediate=True)
        await pilot.pause()
        assert set(range(200, 210)) <= drawn(view) and len(drawn(view)) <= 20
        assert view.render_line(0).text.startswith("line 200")


async def test_long_lines_wrap_at_the_views_width() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TextView)
        width = view.scrollable_content_region.width
        view.update(Text("word " * 60))  # 300 cells of words
        await pilot.pause()
        assert view.virtual_size.height >= 300 // width
        rows = [view.render_line(y).text.rstrip() for y in range(view.virtual_size.height)]
        assert all(len(row) <= width for row in rows)
        assert " ".join(rows).split() == ["word"] * 60  # word wrap: no word cut in two


async def test_update_starts_at_the_top_unless_asked_to_keep_the_position() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()
        view.scroll_to(y=100, animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_offset.y == 100
        view.update(Text("\n".join(f"changed {n}" for n in range(500))), keep_position=True)
        await pilot.pause()
        assert view.scroll_offset.y == 100
        assert view.render_line(0).text.startswith("changed 100")
        view.update(Text("another item"))
        await pilot.pause()
        assert view.scroll_offset.y == 0
        assert view.plain == "another item"
        assert view.render_line(0).text.startswith("another item")


async def test_text_can_be_selected_and_copied_like_in_other_widgets() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TextView)
        view.update(Text("error: may not add resource with an already registered id"))
        await pilot.pause()
        app.screen._select_all_in_widget(view)
        await pilot.pause()
        selected = app.screen.get_selected_text()
        assert selected is not None
        assert " ".join(selected.split()) == "error: may not add resource with an already registered id"
        assert view.text_selection is not None and view.text_selection.get_span(0) == (0, -1)
