"""The sync view key of the app (`S`): opens the sync view of the selected app, and shows a finding it links to.

Glue only: the view's content is pure (kftui/syncview.py) and re-computed by the screen from what the app
analysed last; the app shows the blocker's finding in the diagnostics panel, widening the narrowing if the
finding is not listed under it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import OptionList

from kftui.model import ClusterSnapshot, Finding
from kftui.textsafe import one_line
from kftui.ui.diff_actions import DiffActions
from kftui.ui.screens.sync_view import SyncScreen
from kftui.ui.widgets.diagnostics import DiagnosticsPanel


class SyncActions(DiffActions):
    """What KftuiApp does with `S` and with the finding the sync view links to."""

    analysed: ClusterSnapshot | None
    errors_only: bool

    def action_sync_view(self) -> None:
        item = self._cursor_item()
        name = item.app if item is not None else None
        if not name:
            self.notify(
                "Choose an application (or one of its resources) to see its sync.", severity="warning"
            )
            return
        self.push_screen(SyncScreen(name, self._sync_basis, self.show_finding))

    def _sync_basis(self) -> tuple[ClusterSnapshot | None, Sequence[Finding]]:
        return self.analysed, self.findings

    def show_finding(self, key: str) -> None:
        """Highlight finding `key` in the diagnostics panel and focus the list (the tree follows it); the
        narrowing and errors-only are undone when they hide it."""
        panel = self.query_one(DiagnosticsPanel)
        if not panel.reveal(key):
            self.scope_item = None
            self.errors_only = False
            self._show_findings()
            if not panel.reveal(key):
                self.notify(
                    f"{one_line(key)} is no longer among the findings.", severity="warning", markup=False
                )
                return
        self.query_one("#finding-list", OptionList).focus()
