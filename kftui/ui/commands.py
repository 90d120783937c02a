"""The command palette's kftui entries: jump to an app, errors only, copy a fix command, refresh.

The provider only matches text; the app decides what the commands are (`palette_commands`), so the palette
and the key bindings call the same actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from kftui.textsafe import one_line

PaletteCommand = tuple[str, str, Callable[[], object]]


class HasPaletteCommands(Protocol):
    def palette_commands(self) -> list[PaletteCommand]: ...


class KftuiCommands(Provider):
    """Offers the app's current commands; recomputed on each search so new apps and findings appear."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The app's commands with their text made inert, here for the whole palette: entries carry app
        names and commands, Textual parses a str prompt and every help text as markup, and a `[/]` in
        them crashes it or a `[@click=...]` becomes a live action. Help is therefore markup-escaped, and
        prompts are given as `Content`, which is never parsed."""
        return [
            (one_line(text), escape(one_line(help_text)), callback)
            for text, help_text, callback in cast(HasPaletteCommands, self.app).palette_commands()
        ]

    async def discover(self) -> Hits:
        for text, help_text, callback in self._commands():
            yield DiscoveryHit(Content(text), callback, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, self._highlight(matcher, text), callback, text=text, help=help_text)

    @staticmethod
    def _highlight(matcher: Matcher, text: str) -> Content:
        """Textual's `Matcher.highlight` parses its candidate as markup; the same highlighting on plain text."""
        content = Content(text)
        _, offsets = matcher.fuzzy_search.match(matcher.query, text)
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
        return content
