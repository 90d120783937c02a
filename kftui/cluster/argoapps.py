"""The apps on other clusters read through Argo CD, while kftui follows: their last objects, polls and streams.

FederatedSource (remote.py) says which apps these are (one AppReader each). This keeps each app's last read,
whose difference with the next is the events sent; reads an app when its live stream (argostream.py) sends a
tree, and polls it: every `interval` while it has no stream up (beyond the streams' bound, or down), else every
`safety` as a net, and once SETTLE after its stream (re)opened (a change just before Argo CD subscribed is not
streamed). The poll and the stream never read one app at once, so its events leave in the order they were read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kftui.cluster.argoread import AppReader, ArgoHttp
from kftui.cluster.argostream import SETTLE, Streams
from kftui.cluster.ops import ActionError
from kftui.cluster.source import Sink
from kftui.model import Application, Key, KubeObject, WatchEvent, kind_of

ObjectId = tuple[str, Key]


def identity(obj: KubeObject) -> ObjectId:
    return (kind_of(obj), obj.key)


def diff(before: Mapping[ObjectId, KubeObject], after: Mapping[ObjectId, KubeObject]) -> list[WatchEvent]:
    """The watch events that turn one read of a remote app into the next (equal objects send nothing)."""
    events = [
        WatchEvent("ADDED" if oid not in before else "MODIFIED", obj)
        for oid, obj in after.items()
        if before.get(oid) != obj
    ]
    events += [WatchEvent("DELETED", obj) for oid, obj in before.items() if oid not in after]
    return events


class ArgoApps:
    """The remote apps read through Argo CD: readers, last objects, poll schedule, live streams, problems."""

    def __init__(
        self,
        argo: ArgoHttp | None,
        *,
        interval: float,
        safety: float,
        max_streams: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.argo = argo
        self.interval = interval
        self.safety = max(safety, interval)
        self.max_streams = max_streams
        self.clock = clock
        self._lock = threading.Lock()
        self._readers: dict[Key, AppReader] = {}
        self._reading: dict[Key, threading.Lock] = {}
        self._seen: dict[Key, dict[ObjectId, KubeObject]] = {}
        self._read_at: dict[Key, float] = {}
        self._problems: dict[Key, str] = {}
        self._streams: Streams | None = None
        self._sink: Sink | None = None
        self.reads = {"poll": 0, "stream": 0}  # trees read each way since the last reset (the e2e tests ask)

    def reset(self) -> None:
        """Forget every read (a load reads every app afresh)."""
        with self._lock:
            self._seen, self._read_at, self._problems = {}, {}, {}
            self.reads = {"poll": 0, "stream": 0}

    def reader(self, key: Key) -> AppReader | None:
        with self._lock:
            return self._readers.get(key)

    def use(self, readers: Mapping[Key, AppReader], apps: Mapping[Key, Application]) -> None:
        """Read these apps from now on; while following, stream them, the unhealthy first (their changes
        matter most), then by key, up to the bound."""
        with self._lock:
            self._readers = dict(readers)
            self._reading = {key: self._reading.get(key) or threading.Lock() for key in readers}
        if self._streams is not None:

            def order(key: Key) -> tuple[bool, Key]:
                app = apps.get(key)
                return (app is None or app.health_status == "Healthy", key)

            self._streams.plan(
                {k: (readers[k].app, readers[k].app_namespace) for k in sorted(readers, key=order)}
            )

    # --- reading ------------------------------------------------------------------------------------

    def poll(self, keys: Iterable[Key] | None = None, sink: Sink | None = None) -> list[WatchEvent]:
        """Read the apps `keys` (every one when None) once; the events since their last read, sent to `sink`
        app by app when one is given, else returned. An app Argo CD cannot answer for keeps its last objects,
        and the reason is kept (the status line shows it)."""
        with self._lock:
            readers = dict(self._readers)
            gone = [k for k in self._seen if k not in readers]  # the app went, or is read another way
            events = [e for k in gone for e in diff(self._seen.pop(k), {})]
            for key in [k for k in self._problems if k not in readers]:
                del self._problems[key]
        if sink is not None and events:
            sink(list(events))
            events = []
        for key in readers if keys is None else keys:
            reader = readers.get(key)
            if reader is None:
                continue
            with self._reading_lock(key):
                try:
                    changes = self._read(key, reader, None)
                except ActionError as exc:
                    with self._lock:
                        self._problems[key] = f"{reader.app} via Argo CD: {exc}"
                        self._read_at[key] = self.clock()
                    continue
                if sink is not None and changes:
                    sink(list(changes))  # under the app's lock: its events leave in the order they were read
                else:
                    events.extend(changes)
        return events

    def _reading_lock(self, key: Key) -> threading.Lock:
        with self._lock:
            return self._reading.setdefault(key, threading.Lock())

    def _read(self, key: Key, reader: AppReader, tree: Any) -> list[WatchEvent]:
        """One read of an app (the tree GET now, or one the stream sent), as events; the caller holds the
        app's reading lock."""
        objects = reader.read() if tree is None else reader.read_if_changed(tree)
        with self._lock:
            self.reads["poll" if tree is None else "stream"] += 1
            self._read_at[key] = self.clock()
            self._problems.pop(key, None)
            if objects is None:
                return []  # the same nodes as the last read
            after = {identity(o): o for o in objects}
            events = diff(self._seen.get(key, {}), after)
            self._seen[key] = after
        return events

    def _on_tree(self, key: Key, tree: Any) -> None:
        """A tree the live stream sent for one app (in that stream's thread): read the app from it."""
        with self._lock:
            reader, sink = self._readers.get(key), self._sink
        if reader is None or sink is None:
            return
        with self._reading_lock(key):
            try:
                events = self._read(key, reader, tree)
            except (
                ActionError
            ) as exc:  # a read from a given tree asks nothing that raises; the thread lives on
                with self._lock:
                    self._problems[key] = f"{reader.app} via Argo CD: {exc}"
                return
            if events:
                sink(list(events))

    def due(self) -> list[Key]:
        """The apps to poll now."""
        now = self.clock()
        with self._lock:
            keys, read_at = list(self._readers), dict(self._read_at)
        due = []
        for key in keys:
            last = read_at.get(key, float("-inf"))
            stream = self._streams.get(key) if self._streams is not None else None
            if stream is not None and stream.live():
                opened = stream.opened_at
                if now - last >= self.safety or last < opened <= now - SETTLE:
                    due.append(key)
            elif now - last >= self.interval:
                due.append(key)
        return due

    def reader_of(self, wanted: Callable[[str, Key], bool]) -> AppReader | None:
        """The reader of the app whose last read holds an object of the kind and key `wanted` accepts."""
        with self._lock:
            seen = list(self._seen.items())
            readers = dict(self._readers)
        for app, objects in seen:
            reader = readers.get(app)
            if reader is not None and any(wanted(kind, key) for kind, key in objects):
                return reader
        return None

    def last_objects(self) -> list[KubeObject]:
        """Every object of the apps' last reads (`kftui dump` writes them)."""
        with self._lock:
            return [o for objects in self._seen.values() for o in objects.values()]

    # --- following ----------------------------------------------------------------------------------

    def start(self, sink: Sink, apps: Mapping[Key, Application]) -> None:
        """Send what the streams bring to `sink`, and open them (none without Argo CD or with max_streams 0)."""
        with self._lock:
            self._sink = sink
            readers = dict(self._readers)
        if self.argo is not None and self.max_streams > 0:
            self._streams = Streams(self.argo, self._on_tree, self.max_streams, clock=self.clock)
            self.use(readers, apps)

    def stop(self) -> None:
        """Close the streams and wait (briefly) for their threads."""
        with self._lock:
            self._sink = None
        streams, self._streams = self._streams, None
        if streams is not None:
            streams.close()

    @property
    def problem(self) -> str:
        """An app Argo CD refuses and why, and a live stream that is down; "" when nothing."""
        with self._lock:
            polled = next(iter(self._problems.values()), "")
        streams = self._streams
        streamed = streams.problem() if streams is not None else ""
        return "; ".join(p for p in (polled, streamed) if p)
