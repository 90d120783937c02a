"""The command palette's kftui entries: jump to an app, errors only, copy a fix command, refresh.

The provider only matches text; the app decides what the commands are (`palette_commands`), so the palette
and the key bindings call the same actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

PaletteCommand = tuple[str, str, Callable[[], object]]


class HasPaletteCommands(Protocol):
    def palette_commands(self) -> list[PaletteCommand]: ...


class KftuiCommands(Provider):
    """Offers the app's current commands; recomputed on each search so new apps and findings appear."""

    def _commands(self) -> list[PaletteCommand]:
        return cast(HasPaletteCommands, self.app).palette_commands()

    async def discover(self) -> Hits:
        for text, help_text, callback in self._commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, text=text, help=help_text)
