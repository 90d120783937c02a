"""One line that says which cluster this is and whether what you see is current."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from kftui.cluster.source import ConnectionStatus
from kftui.model import ConnectionState
from kftui.ui import render

STATE_STYLE = {
    ConnectionState.LIVE: "bold #000000 on #5fd787",
    ConnectionState.CONNECTING: "bold #000000 on #5fafff",
    ConnectionState.RECONNECTING: "bold #000000 on #ffc107",
    ConnectionState.OFFLINE: "bold #e4e4e4 on #585858",
}


@dataclass(frozen=True)
class StatusInfo:
    """Everything the status line shows; times come from the snapshot or an injected clock."""

    context: str = ""
    server: str = ""
    argocd: str = ""
    """The Argo CD server remote apps are read through (and `:ctx` switches), when there is one."""
    profile: str = ""
    connection: ConnectionStatus = field(default_factory=lambda: ConnectionStatus(ConnectionState.CONNECTING))
    updated: datetime | None = None
    read_only: bool = False
    loading: bool = False
    live: bool = False
    objects_loaded: int = 0  # while loading a big dump: how far it got

    @property
    def stale(self) -> bool:
        """Anything not streamed live may no longer be true: say so next to the time."""
        return self.connection.state is not ConnectionState.LIVE


class StatusLine(Static):
    """Context, API server, connection state, last update and read-only mode, in that order."""

    # Compared by value: re-setting what is already shown (every batch of watch events does) draws nothing.
    info: reactive[StatusInfo] = reactive(StatusInfo)

    def render(self) -> Text:
        """Most important first, so a narrow terminal cuts the least useful part: state, mode, freshness."""
        info = self.info
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" kftui ", style="bold #000000 on #d7afff")
        text.append(" ")
        state = info.connection.state
        text.append(f" {state.name} ", style=STATE_STYLE[state])
        if info.read_only:
            text.append(" ")
            text.append(" READ-ONLY ", style="bold #000000 on #ffc107")
        # A file or the demo is a snapshot taken at one moment; a live source was updated at one.
        text.append("  updated " if info.live else "  snapshot ", style=render.GREY)
        if info.loading:
            text.append("loading…", style=render.BLUE)
            if info.objects_loaded:
                text.append(f" {info.objects_loaded:,} objects read", style=render.BLUE)
        elif info.updated is None:
            text.append("no data", style=render.RED)
        else:
            text.append(render.stamp(info.updated))
            if info.stale:
                text.append(" STALE", style="bold " + render.YELLOW)
        if info.connection.detail:
            text.append("  " + info.connection.detail, style=render.YELLOW)
        shown = (
            ("ctx", info.context),
            ("server", info.server),
            ("argocd", info.argocd),
            ("profile", info.profile),
        )
        for label, value in shown:
            if value:
                text.append(f"  {label} ", style=render.GREY)
                text.append(value, style="bold" if label == "ctx" else "")
        # The context and server names come from the kubeconfig, the detail from a server's error.
        return render.inert_text(text, single=True)
