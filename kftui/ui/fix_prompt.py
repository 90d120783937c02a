"""One fix in the diagnostics panel's list: its title and its equivalent command, folded at argument boundaries.

A command wrapped like prose breaks wherever a line is full, inside `kubeflow-pipe|lines` or a quoted value,
and what is read no longer matches what will run. Here a command is folded only between arguments, continuation
lines indented under it; an argument wider than a whole line ends in an ellipsis. The screen shows a shortened
argument only: `c` copies `FixRef.command`, the full text.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from kftui.model import FixRef
from kftui.textsafe import one_line
from kftui.ui import render

FIRST, MORE = "   $ ", "       "
"""What leads the command's first line and its continuation lines."""

# One shell word: runs of unquoted characters and quoted strings, as the command builders quote them.
_ARGUMENT = re.compile(r"""(?:[^\s'"]+|'[^']*'|"(?:\\.|[^"\\])*"|['"])+""")


def _shorten(line: str, width: int) -> str:
    text = Text(line)
    text.truncate(width, overflow="ellipsis")
    return text.plain


def command_lines(command: str, width: int, first: str = FIRST, more: str = MORE) -> list[str]:
    """`command` on lines of at most `width` cells, broken only between arguments (never inside one)."""
    lines: list[str] = []
    line = first
    for argument in _ARGUMENT.findall(one_line(command)):
        fresh = line in (first, more)
        candidate = line + argument if fresh else f"{line} {argument}"
        if fresh or cell_len(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = more + argument
        if cell_len(line) > width:  # one argument wider than a line on its own
            line = _shorten(line, width)
    lines.append(line)
    return lines


class FixPrompt:
    """The option of fix `number`: title, command (folded for the list's width), and why it cannot run."""

    def __init__(self, number: int, fix: FixRef, refusal: str | None = None) -> None:
        self.number, self.fix, self.refusal = number, fix, refusal

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        dim = render.GREY if self.refusal else ""
        title = Text()
        title.append(f"{self.number}. ", style=render.GREY)
        title.append(one_line(self.fix.title), style=dim or "bold")
        yield render.inert_text(title, single=True)
        for line in command_lines(self.fix.command, options.max_width):
            yield Text(line, style=dim or render.GREEN, no_wrap=True, overflow="ellipsis")
        if self.refusal:
            yield render.inert(f"   ✘ cannot run: {self.refusal}", style=render.RED)

    def __str__(self) -> str:
        """The whole prompt on unfolded lines (what tests and the hostile-text checks read)."""
        refusal = f"\n   ✘ cannot run: {one_line(self.refusal)}" if self.refusal else ""
        return f"{self.number}. {one_line(self.fix.title)}\n{FIRST}{one_line(self.fix.command)}{refusal}"

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)
