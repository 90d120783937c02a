"""The loading indicator the tree and the diagnostics panel show until the first analysis is on screen."""

from __future__ import annotations

from textual.events import Mount
from textual.widgets import LoadingIndicator


class CalmLoadingIndicator(LoadingIndicator):
    """Textual's indicator repainted 16 times a second; during the first load of 20,000 pods those repaints
    competed with the LIST threads for the interpreter (the load took ~40% longer). Four a second still move."""

    def _on_mount(self, event: Mount) -> None:
        super()._on_mount(event)
        self.auto_refresh = 0.25
