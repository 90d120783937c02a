"""The HTTP seam to the API server: the protocol listing, watching, app operations and port-forward depend on.

cluster/client.py implements it over the official client; tests substitute their own (kopf's rule: fake your
own seam, never the HTTP library). The errors every implementation raises are defined here too, so that code
behind the seam never imports a client library to catch them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

import urllib3

Query = Mapping[str, str | int]

UNAUTHORIZED = "the API server rejected the credentials (401 Unauthorized): token expired or revoked?"


class KubeApiError(Exception):
    """A non-2xx answer from the API server, with its Status message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


# What a lost, refused or untrusted connection raises (a TLS failure arrives as urllib3's HTTPError).
CONNECTION_ERRORS = (urllib3.exceptions.HTTPError, OSError, ConnectionError)


def describe_connection_error(exc: BaseException, server: str) -> str:
    """One line a person can act on, without the nested urllib3 noise (and never a token)."""
    text = str(exc)
    for needle, meaning in (
        ("certificate has expired", "its TLS certificate has expired"),
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
        ("certificate verify failed", "TLS certificate not trusted"),
        ("Connection refused", "connection refused"),
        ("timed out", "timed out"),
        ("Name or service not known", "host name not found"),
        ("No route to host", "no route to host"),
        ("Network is unreachable", "network unreachable"),
    ):
        if needle in text:
            return f"cannot reach the API server at {server}: {meaning}"
    return f"cannot reach the API server at {server}: {type(exc).__name__}"


class Body(Protocol):
    """An answer's body, not read yet: a LIST page is read head first (pages.list_continue_in_head)."""

    def read(self, amt: int | None = None) -> bytes: ...


class ForwardStream(Protocol):
    """One port-forward stream to a pod: a local socket per forwarded port."""

    def socket(self, port: int) -> socket.socket: ...

    def error(self, port: int) -> str | None: ...

    def close(self) -> None: ...


class KubeHttp(Protocol):
    """What cluster/ needs of an authenticated HTTP client to the API server.

    Every method raises KubeApiError for a non-2xx answer and one of CONNECTION_ERRORS when there is none.
    """

    server: str

    def get_json(self, path: str, query: Query | None = None) -> Any:
        """GET and parse JSON (app operations, port-forward's Service/Endpoints/Pod, one-off reads)."""
        ...

    def send_json(self, method: str, path: str, body: Any, content_type: str = "application/json") -> Any:
        """PUT, PATCH, POST or DELETE a JSON body; the parsed answer, None when it is empty."""
        ...

    def ask_json(self, path: str, body: Any, timeout: float) -> Any:
        """POST a question (an access review) with a short timeout and no retries."""
        ...

    def get_body(self, path: str, query: Query | None = None, compressed: bool = False) -> Body:
        """GET, the body left unread (LIST pages, gzipped when `compressed`; pod logs)."""
        ...

    def ping(self, path: str, query: Query, timeout: float) -> None:
        """GET and discard, with a short timeout and no retries: the liveness probe."""
        ...

    def watch_lines(
        self, path: str, query: Query, timeout: float, stop: threading.Event
    ) -> AbstractContextManager[Iterator[bytes]]:
        """GET a streaming answer (a WATCH): entering sends the request (and raises if it fails), the value
        yields the answer's lines until it ends or `stop` is set, leaving releases the connection."""
        ...

    def log_lines(
        self, path: str, query: Query, stop: threading.Event
    ) -> AbstractContextManager[Iterator[bytes]]:
        """GET a text stream (pod logs, maybe followed): like watch_lines, but every line is kept (blank ones
        too), the answer is not asked to be JSON, and no read timeout cuts a quiet followed log."""
        ...

    def close_watches(self) -> None:
        """Cut every open watch_lines or log_lines stream, so threads blocked reading one return now (when stopping)."""
        ...

    def port_forward(self, namespace: str, pod: str, port: int) -> ForwardStream:
        """Open a port-forward stream to one port of a pod (pods/portforward, a websocket)."""
        ...
