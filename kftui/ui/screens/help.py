"""`?`: every key the app (or the open screen) answers to, read from the bindings so it cannot drift from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from kftui.ui import bindings, hints


@dataclass(frozen=True)
class HelpRow:
    where: str
    binding: Binding


def help_rows(sources: Sequence[tuple[str, Iterable[BindingType]]]) -> list[HelpRow]:
    """One row per binding of each source; tuple-style bindings are expanded the way Textual does."""
    rows: list[HelpRow] = []
    for where, listed in sources:
        for binding in Binding.make_bindings(listed):
            rows.append(HelpRow(where, binding))
    return rows


class HelpScreen(ModalScreen[None]):
    """A modal table of bindings grouped by where they apply (everywhere, tree, help), with k9s's spelling."""

    BINDINGS = bindings.HELP

    def __init__(self, sources: Sequence[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.rows = help_rows([*sources, ("Help", self.BINDINGS)])

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys  (ctrl+p opens the command palette)", id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "k9s", "Where", "Note")
        for row in self.rows:
            description = row.binding.description or row.binding.action.replace("_", " ").capitalize()
            k9s = hints.K9S_KEY.get(row.binding.id or "", "")
            table.add_row(
                self.app.get_key_display(row.binding), description, k9s, row.where, row.binding.tooltip
            )

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


def show_screen_help(screen: Screen[Any], where: str) -> None:
    """`?` on a modal: the keys of that screen (its footer shows the same ones)."""
    screen.app.push_screen(HelpScreen([(where, screen.BINDINGS)]))
