"""The public watch generator against a fake of our own HTTP seam (KubeHttp), never the HTTP library.

The fake API server plays one script per WATCH request (a list of event objects, or an exception the request
raises) and answers LISTs from a table; once its scripts are used up it sets `stop`, which ends the watch.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kftui.cluster.http import KubeApiError
from kftui.cluster.listing import Collection
from kftui.cluster.objects import namespace
from kftui.cluster.watch import FORBIDDEN_AFTER, FORBIDDEN_RETRY, RETRY_DELAYS, Trouble, WatchUpdate, watch
from kftui.kinds import KINDS
from kftui.model import Forbidden, Relisted, WatchEvent

NAMESPACES = Collection.of(KINDS["Namespace"])
SERVER = "https://fake:6443"


def ns(name: str, version: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "resourceVersion": version}}


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "object": obj}


def gone() -> dict[str, Any]:
    return event("ERROR", {"kind": "Status", "code": 410, "message": "too old resource version: 10 (25)"})


class FakeApiServer:
    """The parts of KubeHttp a watch uses: watch_lines (scripted) and get_body (LIST pages)."""

    server = SERVER

    def __init__(self, scripts: list[list[dict[str, Any]] | BaseException], pages: dict[str, Any]) -> None:
        self.scripts = list(scripts)
        self.pages = pages
        self.stop = threading.Event()
        self.watched_from: list[str] = []
        self.listed: list[str] = []

    @contextmanager
    def watch_lines(
        self, path: str, query: Any, timeout: float, stop: threading.Event
    ) -> Iterator[Iterator[bytes]]:
        assert path == NAMESPACES.path and query["watch"] == "true" and query["allowWatchBookmarks"] == "true"
        self.watched_from.append(str(query["resourceVersion"]))
        if not self.scripts:
            self.stop.set()
            yield iter(())
            return
        script = self.scripts.pop(0)
        if isinstance(script, BaseException):
            raise script
        yield (json.dumps(e).encode() for e in script)

    def get_body(self, path: str, query: Any = None, compressed: bool = False) -> io.BytesIO:
        self.listed.append(path)
        return io.BytesIO(json.dumps(self.pages[path]).encode())


def follow(api: FakeApiServer, version: str = "10", **kw: Any) -> list[WatchUpdate]:
    return list(watch(api, NAMESPACES, version, api.stop, **kw))  # type: ignore[arg-type]


def test_changes_are_yielded_and_bookmarks_move_where_the_next_watch_resumes() -> None:
    api = FakeApiServer(
        [
            [event("ADDED", ns("a", "11")), event("BOOKMARK", ns("", "15"))],
            [event("MODIFIED", ns("a", "16")), event("SYNC", ns("a", "17"))],
        ],
        pages={},
    )
    updates = follow(api)
    assert updates == [
        WatchEvent("ADDED", namespace(ns("a", "11"))),
        WatchEvent("MODIFIED", namespace(ns("a", "16"))),
    ]
    # Each watch the server ended is reopened from the last version seen, bookmark or untracked type alike.
    assert api.watched_from == ["10", "15", "17"]
    assert api.listed == []


def test_410_gone_relists_the_collection_and_watches_on_from_the_lists_version() -> None:
    page = {"kind": "NamespaceList", "metadata": {"resourceVersion": "30"}, "items": [ns("a", "28")]}
    api = FakeApiServer(
        [[event("ADDED", ns("early", "12")), gone()], [event("ADDED", ns("b", "31"))]],
        pages={NAMESPACES.path: page},
    )
    updates = follow(api)
    assert updates == [
        WatchEvent("ADDED", namespace(ns("early", "12"))),
        Relisted("namespaces", (namespace(ns("a", "28")),), kind="Namespace"),
        WatchEvent("ADDED", namespace(ns("b", "31"))),
    ]
    assert api.listed == [NAMESPACES.path]
    assert api.watched_from == ["10", "30", "31"]


def test_an_empty_version_lists_first() -> None:
    page = {"metadata": {"resourceVersion": "40"}, "items": []}
    api = FakeApiServer([], pages={NAMESPACES.path: page})
    assert follow(api, version="") == [Relisted("namespaces", (), kind="Namespace")]
    assert api.watched_from == ["40"]


def test_a_lost_connection_is_reported_retried_after_a_backoff_and_its_recovery_reported() -> None:
    waits: list[float] = []
    api = FakeApiServer(
        [ConnectionRefusedError("Connection refused"), OSError("No route to host"), []], pages={}
    )
    updates = follow(api, wait=lambda delay, stop: waits.append(delay))
    assert updates == [
        Trouble(f"cannot reach the API server at {SERVER}: connection refused"),
        Trouble(f"cannot reach the API server at {SERVER}: no route to host"),
        Trouble(None),
    ]
    assert waits == list(RETRY_DELAYS[:2])
    assert api.watched_from == ["10", "10", "10", "10"]


def test_a_refusal_that_persists_is_noted_as_forbidden_once_and_then_retried_slowly() -> None:
    waits: list[float] = []
    refused = KubeApiError(403, "namespaces is forbidden")
    api = FakeApiServer([refused] * (FORBIDDEN_AFTER + 1), pages={})
    updates = follow(api, wait=lambda delay, stop: waits.append(delay))
    reason = "forbidden: cannot list Namespace (namespaces is forbidden)"
    assert [u for u in updates if isinstance(u, Forbidden)] == [Forbidden("namespaces", reason, "Namespace")]
    assert updates.count(Trouble(reason)) == FORBIDDEN_AFTER + 1
    assert updates[-1] == Trouble(None)  # the watch after the last refusal connects
    # Soon while the refusal may be passing (an API server filling its RBAC cache), slowly once it persists.
    assert waits == [RETRY_DELAYS[0], RETRY_DELAYS[1], FORBIDDEN_RETRY, FORBIDDEN_RETRY]
