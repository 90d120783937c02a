"""Pod logs through the API server (pods/NAME/log), streamed line by line, maybe followed, over the HTTP seam.

The one place that knows the log endpoint's query (container, previous, follow, sinceSeconds, tailLines) and
turns its failures into one line a person can act on. Lines come back decoded but otherwise raw: they are
hostile text, made safe where they enter rendering (kftui/textsafe.py), not here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace

from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp, describe_connection_error


@dataclass(frozen=True)
class LogRequest:
    """What `kubectl logs` would be asked: one container of one pod, its current or previous instance."""

    namespace: str
    pod: str
    container: str = ""
    previous: bool = False
    follow: bool = True
    since_seconds: int | None = None
    tail_lines: int | None = 1000
    cluster: str | None = None
    """The pod's cluster when kftui read it from another one than the hub ("" the hub's; None: not said)."""

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{self.namespace}/pods/{self.pod}/log"

    def query(self) -> dict[str, str | int]:
        query: dict[str, str | int] = {}
        if self.container:
            query["container"] = self.container
        if self.previous:
            query["previous"] = "true"
        # A previous instance has ended: there is nothing to follow, and the API server would wait anyway.
        if self.follow and not self.previous:
            query["follow"] = "true"
        if self.since_seconds is not None:
            query["sinceSeconds"] = self.since_seconds
        if self.tail_lines is not None:
            query["tailLines"] = self.tail_lines
        return query

    def with_(self, **changes: object) -> LogRequest:
        """The same request with some fields changed (the screen's toggles)."""
        return replace(self, **changes)  # type: ignore[arg-type]


class LogError(Exception):
    """The log cannot be streamed; the message is one line for the user."""


def stream_logs(http: KubeHttp, request: LogRequest, stop: threading.Event) -> Iterator[str]:
    """The log's lines, decoded, until the stream ends (not followed, or the pod went) or `stop` is set.

    Raises LogError with the API server's reason (no previous container, container not found, forbidden)."""
    try:
        with http.log_lines(request.path, request.query(), stop) as lines:
            for raw in lines:
                if stop.is_set():
                    return
                yield raw.decode("utf-8", errors="replace").removesuffix("\r")
    except KubeApiError as exc:
        raise LogError(f"logs of {request.namespace}/{request.pod}: {exc.message}") from None
    except CONNECTION_ERRORS as exc:
        if stop.is_set():  # the stream was cut on purpose (another container chosen, screen closed)
            return
        raise LogError(describe_connection_error(exc, http.server)) from None
