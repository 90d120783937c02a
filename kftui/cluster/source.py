"""Where snapshots come from: a file, the embedded demo, or a live cluster.

The UI talks to this seam only. A source gives a first snapshot, then (if live) streams changes from a
blocking `follow` that the UI runs in a thread worker. Tests substitute their own source here, never the
HTTP library underneath.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from kftui.model import ClusterSnapshot, ConnectionState, SnapshotChange


@dataclass(frozen=True)
class ConnectionStatus:
    """What the status line shows about the link to the API server."""

    state: ConnectionState
    detail: str = ""
    since: datetime | None = None


Changes = list[SnapshotChange]
Sink = Callable[[Changes | ConnectionStatus], None]


class SnapshotSource(Protocol):
    """A provider of cluster state for the UI and `kftui check`."""

    @property
    def live(self) -> bool:
        """True when `follow` streams changes; False for files and the demo."""
        ...

    def load(self) -> ClusterSnapshot:
        """The first complete snapshot. Raises SourceError with a one-line reason when it cannot."""
        ...

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        """Block, sending batches of changes and connection status to `sink`, until `stop` is set."""
        ...


class SourceError(Exception):
    """The source cannot provide a snapshot; the message is one line for the user."""


class StaticSource:
    """A snapshot that does not change: a dump file or the embedded demo."""

    live = False

    def __init__(
        self,
        loader: Callable[[], ClusterSnapshot],
        raw: Callable[[str, str | None, str], dict[str, Any] | None] | None = None,
        counting_loader: Callable[[Callable[[int], None]], ClusterSnapshot] | None = None,
    ) -> None:
        """`counting_loader`, when given, loads the same snapshot and reports objects read as it goes."""
        self._loader = loader
        self._raw = raw
        self._counting_loader = counting_loader

    def load(self) -> ClusterSnapshot:
        return self._loader()

    def preloaded(self, snapshot: ClusterSnapshot) -> StaticSource:
        """This source with its snapshot already read: `load` gives it back, and the YAML view still finds the
        objects as captured (the file is read again only when one is asked for)."""
        return StaticSource(lambda: snapshot, self._raw)

    def load_counting(self, progress: Callable[[int], None]) -> ClusterSnapshot:
        """load(), telling `progress` how many objects are read so far when the loader can (a big dump)."""
        return self._counting_loader(progress) if self._counting_loader is not None else self._loader()

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        return None

    def raw_object(
        self,
        kind: str,
        namespace: str | None,
        name: str,
        group: str = "",
        version: str = "",
        cluster: str | None = None,
    ) -> dict[str, Any] | None:
        """The object as the file holds it (the YAML view), None when it is not there or not kept."""
        return self._raw(kind, namespace, name) if self._raw is not None else None
