"""`?`: every key the app answers to, read from the bindings themselves so it cannot drift from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kftui.ui import bindings


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
    """A modal table of bindings grouped by where they apply (everywhere, tree, help)."""

    BINDINGS = bindings.HELP

    def __init__(self, sources: Sequence[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.rows = help_rows([*sources, ("Help", self.BINDINGS)])

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys  (ctrl+p opens the command palette)", id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "Where", "Note")
        for row in self.rows:
            description = row.binding.description or row.binding.action.replace("_", " ").capitalize()
            table.add_row(self.app.get_key_display(row.binding), description, row.where, row.binding.tooltip)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
