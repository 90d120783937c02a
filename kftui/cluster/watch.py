"""The watch: one collection followed from a resourceVersion, as a generator of typed updates; 410 Gone relists it.

The shape is kr8s's (`for event in watch(...)`), the correctness kftui's: bookmarks move the resourceVersion, a
watch the server ends is reopened from where it was, 410 Gone lists the collection again, and failures are
retried with a backoff and reported (a persisting 403 also as a Forbidden note on the snapshot).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from kftui.cluster import convert
from kftui.cluster.http import (
    CONNECTION_ERRORS,
    UNAUTHORIZED,
    KubeApiError,
    KubeHttp,
    describe_connection_error,
)
from kftui.cluster.listing import Collection, list_collection, list_refusal
from kftui.model import Forbidden, KubeObject, Relisted, WatchEvent

WATCH_TIMEOUT_SECONDS = 240
# A restarted API server answers 503 for custom resources until its CRDs are served again (~3 s):
# retry at most once a second, so a recovered server is followed within 5 s.
RETRY_DELAYS = (0.2, 0.5, 1.0)
FORBIDDEN_AFTER = len(RETRY_DELAYS)  # consecutive 403s on a watch before the snapshot notes it
FORBIDDEN_RETRY = 15.0


class Gone(Exception):
    """The watch's resourceVersion is too old (410): the collection must be listed again."""


@dataclass(frozen=True)
class Trouble:
    """The watch cannot follow its collection (`problem`, one line), or follows it again (None)."""

    problem: str | None = None


WatchUpdate = WatchEvent | Relisted | Forbidden | Trouble
Relister = Callable[[], tuple[Sequence[KubeObject], str]]
Waiter = Callable[[float, threading.Event], object]


def watch(
    http: KubeHttp,
    coll: Collection,
    resource_version: str,
    stop: threading.Event,
    relist: Relister | None = None,
    wait: Waiter | None = None,
) -> Iterator[WatchUpdate]:
    """Follow `coll` from `resource_version` ("" lists it first) until `stop` is set.

    Yields a WatchEvent per change; a Relisted with every object after a 410 Gone (from `relist`, by default a
    LIST over the same seam); Trouble when the watch fails and Trouble(None) once it follows again; Forbidden
    when refusals persist. `wait(delay, stop)` is the backoff between retries.
    """
    relist = relist or partial(list_collection, http, coll)
    wait = wait or _wait
    retries = _Retries(coll, http.server)
    version = resource_version
    while not stop.is_set():
        try:
            if not version:
                objects, version = relist()
                yield Relisted(coll.name, tuple(objects), kind=coll.kind)
            for change, resume_from in watch_once(http, coll, version, stop):
                version = resume_from
                yield from retries.recovered()
                if change is not None:
                    yield change
        except Gone:
            version = ""
        except (KubeApiError, *CONNECTION_ERRORS) as exc:
            if stop.is_set() and not isinstance(exc, KubeApiError):
                return  # stopping closed the connection under us
            notes, delay = retries.failed(exc)
            yield from notes
            wait(delay, stop)


def watch_once(
    http: KubeHttp, coll: Collection, version: str, stop: threading.Event
) -> Iterator[tuple[WatchEvent | None, str]]:
    """One WATCH request from `version`, until the server ends it (timeoutSeconds) or `stop` is set.

    Yields (change or None, the resourceVersion to resume from): first (None, version) once connected, then one
    pair per line (None for bookmarks and for types or kinds kftui does not track). Raises Gone on 410, and
    KubeApiError for any other ERROR event.
    """
    query: dict[str, str | int] = {
        "watch": "true",
        "allowWatchBookmarks": "true",
        "resourceVersion": version,
        "timeoutSeconds": WATCH_TIMEOUT_SECONDS,
    }
    with http.watch_lines(coll.path, query, WATCH_TIMEOUT_SECONDS + 30, stop) as lines:
        # Connected: a quiet collection is healthy from here, not only after its next event.
        yield None, version
        for line in lines:
            event = json.loads(line)
            kind = event.get("type")
            obj = event.get("object") or {}
            if kind == "ERROR":
                if obj.get("code") == 410:
                    raise Gone()
                raise KubeApiError(int(obj.get("code") or 500), str(obj.get("message", "watch error")))
            version = str((obj.get("metadata") or {}).get("resourceVersion", "")) or version
            if kind == "BOOKMARK":
                yield None, version
                continue
            model = convert.to_model(obj, coll.kind)
            if model is None or kind not in ("ADDED", "MODIFIED", "DELETED"):
                yield None, version
                continue
            yield WatchEvent(kind, model), version


def _wait(delay: float, stop: threading.Event) -> None:
    stop.wait(delay)


class _Retries:
    """What a watch's failures mean: the updates that report them and how long to wait before the next try."""

    def __init__(self, coll: Collection, server: str) -> None:
        self.coll = coll
        self.server = server
        self.failures = 0
        self.refusals = 0

    def recovered(self) -> Iterator[Trouble]:
        self.refusals = 0
        if self.failures:
            self.failures = 0
            yield Trouble(None)

    def failed(self, exc: BaseException) -> tuple[list[WatchUpdate], float]:
        self.failures += 1
        backoff = RETRY_DELAYS[min(self.failures - 1, len(RETRY_DELAYS) - 1)]
        if not isinstance(exc, KubeApiError):
            return [Trouble(describe_connection_error(exc, self.server))], backoff
        if exc.status == 401:
            # The probe reports the rejected credentials; keep the last data (stale) and retry.
            return [Trouble(UNAUTHORIZED)], RETRY_DELAYS[-1]
        if exc.status == 403:
            # This collection was listed before, so a refusal is usually passing: an API server that has just
            # started answers 403 until its RBAC cache is filled. Retry soon; only a refusal that persists is
            # noted on the snapshot, and then retried slowly.
            self.refusals += 1
            reason = list_refusal(self.coll, exc)
            notes: list[WatchUpdate] = [Trouble(reason)]
            if self.refusals == FORBIDDEN_AFTER:
                notes.append(Forbidden(self.coll.name, reason, self.coll.kind))
            slow = self.refusals >= FORBIDDEN_AFTER
            return notes, FORBIDDEN_RETRY if slow else RETRY_DELAYS[self.refusals - 1]
        return [Trouble(f"watch {self.coll.kind}: {exc}")], backoff
