"""The liveness probe: notices within about 1.5 s that the API server stopped answering, and when it answers again.

A stopped (SIGSTOP) or wedged API server keeps its sockets open: a watch just goes quiet. A cheap GET with a
short timeout, twice a second, notices within about 1.5 s instead of at the watch's read timeout. Retries
waiting out a backoff stop waiting as soon as the probe sees the server answer again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kftui.cluster.http import (
    CONNECTION_ERRORS,
    UNAUTHORIZED,
    KubeApiError,
    KubeHttp,
    Query,
    describe_connection_error,
)

PROBE_PATH = "/readyz"
PROBE_INTERVAL = 0.5
PROBE_TIMEOUT = 1.0


def probe_problem(exc: BaseException, server: str) -> str | None:
    """What a failed probe says about the server: rejected credentials, not ready, unreachable, or nothing
    (a 403 is an answer: the server is there, and the watches report what they may not read)."""
    if isinstance(exc, KubeApiError):
        if exc.status == 401:
            return UNAUTHORIZED
        if exc.status == 403:
            return None
        return f"API server not ready (HTTP {exc.status}: {exc.message[:80]})"
    return describe_connection_error(exc, server)


class Liveness:
    """The probe loop, and the backoff that ends early when the probe sees the server recover."""

    def __init__(self, http: KubeHttp, interval: float = PROBE_INTERVAL) -> None:
        self.http = http
        self.interval = interval
        self.recoveries = 0  # bumped when the server answers again: retries stop waiting

    def check(self, path: str, query: Query) -> str | None:
        """One probe request: the problem it shows, or None."""
        try:
            self.http.ping(path, query, PROBE_TIMEOUT)
        except (KubeApiError, *CONNECTION_ERRORS) as exc:
            return probe_problem(exc, self.http.server)
        return None

    def run(self, readable: str | None, report: Callable[[str | None], None], stop: threading.Event) -> None:
        """Report the API server as unreachable, not ready or refusing our credentials, and back again.

        `readable` is the path of a collection we may list: /readyz answers from the server's own state, which
        notices a dead etcd only seconds later; a one-item LIST is a quorum read, so it fails as soon as
        storage does.
        """
        healthy = True
        while not stop.is_set():
            problem = self.check(PROBE_PATH, {})
            if problem is None and readable is not None:
                problem = self.check(readable, {"limit": 1})
            if problem is not None or not healthy:
                report(problem)
            if problem is None and not healthy:
                self.recoveries += 1
            healthy = problem is None
            stop.wait(self.interval)

    def backoff(self, delay: float, stop: threading.Event) -> None:
        """Wait before a retry, but no longer than until the probe sees the server answer again."""
        seen = self.recoveries
        deadline = time.monotonic() + delay
        while not stop.is_set() and self.recoveries == seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            stop.wait(min(left, 0.05))
