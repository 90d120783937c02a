"""The logs screen (`l`): one pod's log streamed live through the API server, bounded, searchable, savable.

A thread worker reads the stream (cluster/logs.py through the source) and only fills a LineInbox
(ui/logbuffer.py); it posts a wake-up when the inbox goes from empty to not, and the screen takes everything
once per frame. So 50,000 lines a second cost one repaint per frame and at most LIMIT lines of memory, and
the keys keep answering. Changing the container, previous/current, follow, since or tail stops the stream
(its stop event cuts the connection) and starts another.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Footer, Input, Static

from kftui.cluster.logs import LogError, LogRequest
from kftui.model import Pod
from kftui.textsafe import one_line
from kftui.ui import bindings
from kftui.ui.logbuffer import DEFAULT_LIMIT, LineInbox, LogBuffer
from kftui.ui.savefile import FileExists, SaveError, save_text
from kftui.ui.screens.prompt import Confirm, PathPrompt
from kftui.ui.screens.searchable import SearchableScreen
from kftui.ui.widgets.log_view import LogView

Opener = Callable[[LogRequest, threading.Event], Iterator[str]]

FRAME = 1 / 30
SINCE: tuple[tuple[int | None, str], ...] = (
    (None, "all"),
    (60, "1m"),
    (300, "5m"),
    (900, "15m"),
    (3600, "1h"),
)
TAIL: tuple[tuple[int | None, str], ...] = ((1000, "1000"), (10_000, "10000"), (None, "all"), (100, "100"))
NO_LIVE_CLUSTER = "logs need a live cluster"


@dataclass(frozen=True)
class Container:
    name: str
    init: bool = False


def containers_of(pod: Pod) -> list[Container]:
    """The pod's containers, app containers first (the one `kubectl logs` picks), then init containers."""
    found = [Container(c.name) for c in pod.containers if not c.init]
    found += [Container(c.name, True) for c in pod.containers if c.init]
    return found


class LogsScreen(SearchableScreen):
    """Streams one pod's logs; the header line says exactly what is being shown."""

    BINDINGS = bindings.LOGS
    SEARCH_BOX = "logs-search"
    DEFAULT_CSS = """
    LogsScreen #logs-header { height: auto; max-height: 3; background: $boost; padding: 0 1; }
    LogsScreen #logs-search { dock: bottom; display: none; }
    """

    class Arrived(Message):
        """The worker of `stream` (its stop event) put lines into the inbox: a wake-up, not the lines."""

        def __init__(self, stream: threading.Event) -> None:
            super().__init__()
            self.stream = stream

    class Ended(Message):
        """The stream ended: `reason` None when it simply finished, else why it failed."""

        def __init__(self, stream: threading.Event, reason: str | None) -> None:
            super().__init__()
            self.stream = stream
            self.reason = reason

    def __init__(self, pod: Pod, opener: Opener, *, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__()
        self.pod = pod
        self.opener = opener
        self.containers = containers_of(pod) or [Container("")]
        self.container_index = 0
        self.request = LogRequest(pod.namespace, pod.name, self.containers[0].name, cluster=pod.ref.cluster)
        self.buffer = LogBuffer(limit)
        self.inbox = LineInbox(limit)
        self.state = "connecting"
        self.needle = ""
        self.batches = 0
        self._stop = threading.Event()
        self._drain_armed = False

    def compose(self) -> ComposeResult:
        yield Static(id="logs-header")
        yield LogView(self.buffer, id="log-view")
        yield Input(placeholder="search (enter: find, esc: cancel)", id="logs-search")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LogView).focus()
        self._restart()

    def on_unmount(self) -> None:
        self._stop.set()

    # --- the stream --------------------------------------------------------------------------------

    def _restart(self) -> None:
        self._stop.set()
        self._stop = threading.Event()
        self.inbox.take()
        self.buffer.clear()
        self.query_one(LogView).reset()
        self.state = "connecting"
        self._show_header()
        self._stream(self.request, self._stop)

    @work(thread=True, group="log-stream", exit_on_error=False, description="log stream")
    def _stream(self, request: LogRequest, stop: threading.Event) -> None:
        reason: str | None = None
        try:
            for line in self.opener(request, stop):
                if stop.is_set():
                    return
                if self.inbox.put(line):
                    self._post(self.Arrived(stop))
        except LogError as exc:
            reason = str(exc)
        except Exception as exc:  # a stream that breaks must end in a line on screen, never a traceback
            reason = f"{type(exc).__name__}: {exc}"
        if not stop.is_set():
            self._post(self.Ended(stop, reason))

    def _post(self, message: Message) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed while the screen went away
            self.post_message(message)

    def on_logs_screen_arrived(self, message: Arrived) -> None:
        if message.stream is self._stop and not self._drain_armed:
            self._drain_armed = True
            self.set_timer(FRAME, self._drain)

    def _drain(self) -> None:
        self._drain_armed = False
        lines, lost = self.inbox.take()
        if not lines and not lost:
            return
        self.batches += 1
        if self.state == "connecting":
            self.state = "streaming"
        self.buffer.lost(lost)
        self.buffer.extend(lines)
        self.query_one(LogView).lines_added(len(lines))
        self._show_header()

    def on_logs_screen_ended(self, message: Ended) -> None:
        if message.stream is not self._stop:
            return
        self._drain()
        self.state = f"error: {message.reason}" if message.reason else "ended"
        self._show_header()

    def _show_header(self) -> None:
        req = self.request
        container = self.containers[self.container_index]
        since = next(label for value, label in SINCE if value == req.since_seconds)
        tail = next(label for value, label in TAIL if value == req.tail_lines)
        parts = [
            f"{req.namespace}/{req.pod}",
            f"container {container.name or '-'}{' (init)' if container.init else ''}"
            f" [{self.container_index + 1}/{len(self.containers)}]",
            "previous" if req.previous else "current",
            "follow" if req.follow and not req.previous else "no follow",
            f"since {since}",
            f"tail {tail}",
            f"wrap {'on' if self.query_one(LogView).wrap else 'off'}",
            f"{len(self.buffer)} lines"
            + (f" ({self.buffer.dropped} dropped)" if self.buffer.dropped else ""),
            self.state,
        ]
        if self.needle:
            parts.append(f"/{self.needle}")
        self.query_one("#logs-header", Static).update(Text(one_line("  |  ".join(parts))))

    # --- keys --------------------------------------------------------------------------------------

    def action_close(self) -> None:
        if self.close_search():
            return
        self._stop.set()
        self.dismiss()

    def action_next_container(self) -> None:
        self.container_index = (self.container_index + 1) % len(self.containers)
        self.request = self.request.with_(container=self.containers[self.container_index].name)
        self._restart()

    def action_toggle_previous(self) -> None:
        self.request = self.request.with_(previous=not self.request.previous)
        self._restart()

    def action_toggle_follow(self) -> None:
        self.request = self.request.with_(follow=not self.request.follow)
        self._restart()

    def action_next_since(self) -> None:
        self.request = self.request.with_(since_seconds=_next(SINCE, self.request.since_seconds))
        self._restart()

    def action_next_tail(self) -> None:
        self.request = self.request.with_(tail_lines=_next(TAIL, self.request.tail_lines))
        self._restart()

    def action_toggle_wrap(self) -> None:
        view = self.query_one(LogView)
        view.set_wrap(not view.wrap)
        self._show_header()

    def searched(self) -> None:
        self._show_header()

    def action_save(self) -> None:
        name = f"{self.request.pod}-{self.containers[self.container_index].name or 'log'}.log"
        self.app.push_screen(PathPrompt("Save the lines kept to:", name), self._save_to)

    def _save_to(self, path: str | None, overwrite: bool = False) -> None:
        if path is None:
            return
        try:
            written = save_text(path, self.buffer.text(), overwrite=overwrite)
        except FileExists:
            self.app.push_screen(
                Confirm(f"{path} exists. Overwrite it?"),
                lambda yes: self._save_to(path, overwrite=True) if yes else None,
            )
            return
        except SaveError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"saved {len(self.buffer)} lines to {written}", markup=False)


def _next(choices: tuple[tuple[int | None, str], ...], current: int | None) -> int | None:
    values = [value for value, _ in choices]
    index = values.index(current) if current in values else -1
    return values[(index + 1) % len(values)]
