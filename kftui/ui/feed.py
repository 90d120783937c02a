"""The app's link to its source: thread workers that load, follow and fetch logs, and only post messages.

The official client blocks, so each of these runs in a thread worker. A worker never touches a widget: it
posts one of ui/messages.py's messages and the app applies it on its event loop. When the app goes, the
follow worker is told to stop, and messages still in flight are dropped.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual import work
from textual.app import App
from textual.message import Message

from kftui.cluster.source import Changes, ConnectionStatus, SnapshotSource, SourceError
from kftui.model import ConnectionState, Key
from kftui.ui.messages import (
    ChangesArrived,
    ConnectionChanged,
    LoadFailed,
    LoadProgress,
    PodLogsLoaded,
    SnapshotLoaded,
)
from kftui.ui.widgets.details import DetailsPane

LOG_TAIL_LINES = 200

Handler = TypeVar("Handler", bound=Callable[..., None])
T = TypeVar("T")


class Handed(Generic[T]):
    """What a thread worker is given, taken out once it starts. Textual keeps a finished Worker, with the
    arguments it was called with, in reference cycles that only the cyclic collector frees. An analysis
    called with the snapshot and the previous tree model kept every one of them alive until a full
    collection: at 100,000 pods under churn that was ~170 MB more RSS and full collections of ~100 ms
    with the GIL held (README.md, Performance)."""

    def __init__(self, value: T) -> None:
        self._box = [value]

    def take(self) -> T:
        return self._box.pop()


def while_open(handler: Handler) -> Handler:
    """For what a worker's message leads to: once shutdown began, the widgets it would fill are gone, and a
    message that lands then is dropped (a late ConnectionChanged raised NoMatches in CI)."""

    @functools.wraps(handler)
    def guarded(self: SourceFeed, *args: Any) -> None:
        if not self.closing:
            handler(self, *args)

    return guarded  # type: ignore[return-value]


class SourceFeed(App[None]):
    """The workers of KftuiApp that talk to its SnapshotSource, and their shutdown."""

    def __init__(self, source: SnapshotSource) -> None:
        super().__init__()
        self.source = source
        self._stop = threading.Event()
        self._following = False
        self._log_reader: Callable[..., str] | None = getattr(source, "pod_logs", None)
        self.objects_loaded = 0  # read so far by a long first load (LoadProgress)
        self.connection = ConnectionStatus(
            ConnectionState.CONNECTING if source.live else ConnectionState.OFFLINE
        )

    def _update_status(self) -> None:
        """Redraw the status line (the app's own)."""

    def on_load_progress(self, message: LoadProgress) -> None:
        """A big dump is being read: the status line counts the objects instead of a bare "loading…"."""
        self.objects_loaded = message.objects
        self._update_status()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        counting = getattr(self.source, "load_counting", None)
        try:
            if counting is not None:
                snapshot = counting(lambda objects: self._post(LoadProgress(objects)))
            else:
                snapshot = self.source.load()
        except SourceError as exc:
            self._post(LoadFailed(str(exc)))
        except Exception as exc:  # a dump error or a client bug must still end in a banner, not a traceback
            self._post(LoadFailed(f"{type(exc).__name__}: {exc}"))
        else:
            self._post(SnapshotLoaded(snapshot))

    def _start_following(self) -> None:
        """Watch from the LIST's resourceVersions. Started once the first analysis is on screen: the watch
        threads' start competes with that analysis for the interpreter, and nothing is lost by waiting, as
        the watches replay what changed since the LIST."""
        if self.source.live and not self._following and not self.closing:
            self._following = True
            self._follow()

    @work(thread=True, group="follow", exit_on_error=False)
    def _follow(self) -> None:
        # This follow's own stop: after a `:ctx` switch, the old source's late messages are dropped.
        stop = self._stop

        def sink(item: Changes | ConnectionStatus) -> None:
            if stop.is_set():
                return
            if isinstance(item, ConnectionStatus):
                self._post(ConnectionChanged(item))
            else:
                self._post(ChangesArrived(list(item)))

        try:
            self.source.follow(sink, stop)
        except Exception as exc:  # the watch gave up: keep the last snapshot, marked stale
            if not stop.is_set():
                self._post(
                    ConnectionChanged(ConnectionStatus(ConnectionState.OFFLINE, f"follow stopped: {exc}"))
                )
        else:
            if not stop.is_set():  # returned on its own: nothing streams any more
                self._post(ConnectionChanged(ConnectionStatus(ConnectionState.OFFLINE, "follow ended")))

    def use_source(self, source: SnapshotSource) -> None:
        """Read from another source from now on (`:ctx`), without restarting: the old one's follow is told to
        stop and its late messages are dropped; the new one loads, then follows like the first."""
        self._stop.set()
        self._stop = threading.Event()
        self._following = False
        self.source = source
        self._log_reader = getattr(source, "pod_logs", None)

    def on_details_pane_logs_wanted(self, message: DetailsPane.LogsWanted) -> None:
        pod = message.pod
        container = next((c.name for c in pod.containers if not c.init), "")
        self._fetch_logs(pod.namespace, pod.name, container, pod.key, pod.ref.cluster)

    @work(thread=True, group="logs", exclusive=True, exit_on_error=False)
    def _fetch_logs(
        self, namespace: str, name: str, container: str, pod_key: Key | None = None, cluster: str = ""
    ) -> None:
        reader = self._log_reader
        if reader is None:
            return
        try:
            text = reader(namespace, name, container, LOG_TAIL_LINES, cluster=cluster)
        except Exception as exc:  # logs are a convenience: say why they are missing
            text = f"Cannot fetch logs: {exc}"
        self._post(PodLogsLoaded(pod_key or (namespace, name), text))

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        self.connection = message.status
        self._update_status()

    @while_open
    def on_pod_logs_loaded(self, message: PodLogsLoaded) -> None:
        self.query_one(DetailsPane).show_logs(message.pod_key, message.text)

    def _post(self, message: Message) -> None:
        """Post from a worker thread, dropping the message if the app is already shutting down."""
        if self._stop.is_set():
            return
        with contextlib.suppress(RuntimeError):  # the event loop closed between the check and the post
            self.post_message(message)

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Stop the follow worker before the app goes: a blocked watch must not keep the process alive."""
        self._stop.set()
        super().exit(*args, **kwargs)

    def on_unmount(self) -> None:
        self._stop.set()

    @property
    def closing(self) -> bool:
        """True once shutdown began: late timers and worker messages must not touch removed widgets."""
        return self._stop.is_set() or not self.is_running
