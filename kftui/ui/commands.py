"""The command palette's kftui entries: jump to an app, errors only, copy a fix command, refresh.

The provider only matches text; the entries come from `palette_commands`, which the app calls with the
same actions its keys call, so the palette and the key bindings cannot differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from kftui.model import Finding, FixRef
from kftui.textsafe import one_line

PaletteCommand = tuple[str, str, Callable[[], object]]
T = TypeVar("T")


def palette_commands(
    apps: Iterable[str],
    finding: Finding | None,
    *,
    jump: Callable[[str], object],
    toggle_errors: Callable[[], None],
    copy: Callable[[FixRef], None],
    refresh: Callable[[], None],
) -> list[PaletteCommand]:
    """What the palette offers: a jump per app, the errors toggle, a copy per fix of `finding`, refresh."""
    commands: list[PaletteCommand] = [
        (f"Jump to app {name}", "Select the Application and narrow findings to it", _bind(jump, name))
        for name in apps
    ]
    commands.append(("Toggle errors only", "Show only error findings, or everything again", toggle_errors))
    for fix in finding.fixes if finding is not None else ():
        commands.append((f"Copy command: {fix.command}", fix.title, _bind(copy, fix)))
    commands.append(("Refresh", "Load the cluster state again from the source", refresh))
    return commands


def _bind(fn: Callable[[T], object], arg: T) -> Callable[[], object]:
    """A zero-argument callback, binding the argument now rather than at call time."""
    return lambda: fn(arg)


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
