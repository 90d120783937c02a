"""Guided port-forward: a local listener on 127.0.0.1 <-> a ready pod behind a Service, via the API server.

Like `kubectl port-forward svc/NAME LOCAL:PORT`: the Service port is mapped to the pod's target port
(a named targetPort is looked up in the pod's container ports), and the pod is one that the Service's
Endpoints list as ready. Each accepted connection gets its own port-forward stream through the HTTP seam
(KubeHttp.port_forward, a websocket per connection), so many connections run at once.
When the pod goes away (no longer a ready endpoint, or a stream cannot be opened), the next connection
goes to another ready pod. Only 127.0.0.1 is ever bound. The probe asks over HTTP (httpx) whether the
forward answers like a Kubeflow gateway: 200, or a redirect to Dex (/dex/auth) or oauth2-proxy.

The API server sees a port-forward as a GET on pods/portforward (a websocket upgrade) plus GETs of the
Service, Endpoints and Pod: no object is created or changed.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from kftui.cluster import objects
from kftui.cluster.forward_rules import (
    PortForwardError,
    probe_verdict,
    ready_pod_names,
    service_port,
    target_port,
)
from kftui.cluster.http import CONNECTION_ERRORS, ForwardStream, KubeApiError, KubeHttp
from kftui.kinds import KINDS

log = logging.getLogger(__name__)

BIND_ADDRESS = "127.0.0.1"
PORT_SEARCH = 50
HEALTH_INTERVAL = 2.0
CONNECT_ATTEMPTS = 3
BUFFER = 65536


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    status: int
    location: str
    message: str


@dataclass(frozen=True)
class ForwardState:
    """What the port-forwards view shows for one forward."""

    id: int
    namespace: str
    service: str
    port: int
    local_port: int
    pod: str = ""
    target_port: int = 0
    connections: int = 0
    total_connections: int = 0
    status: str = "starting"
    detail: str = ""
    login_hint: str = ""
    probe: ProbeResult | None = None

    @property
    def url(self) -> str:
        return f"http://{BIND_ADDRESS}:{self.local_port}/"

    @property
    def label(self) -> str:
        return f"svc/{self.service} -n {self.namespace} {self.local_port}:{self.port}"


def bind_listener(preferred: int, search: int = PORT_SEARCH) -> socket.socket:
    """A listening socket on 127.0.0.1: the preferred port, else the next free one, else any."""
    candidates = [*range(preferred, min(preferred + search, 65536)), 0] if preferred else [0]
    last: OSError | None = None
    for port in candidates:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((BIND_ADDRESS, port))
            sock.listen(64)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    raise PortForwardError(f"no free local port from {preferred}: {last}")


def _pump(a: Any, b: Any, stop: threading.Event) -> None:
    """Copy bytes both ways until either side closes."""
    socks = [a, b]
    while not stop.is_set():
        try:
            readable, _, _ = select.select(socks, [], [], 0.5)
        except (OSError, ValueError):
            return
        for src in readable:
            try:
                data = src.recv(BUFFER)
            except OSError:
                return
            if not data:
                return
            dst = b if src is a else a
            try:
                dst.sendall(data)
            except OSError:
                return


class PortForward:
    """One forward: listener thread, a health thread that follows ready pods, a thread per connection."""

    _ids = itertools.count(1)

    def __init__(
        self,
        kube: KubeHttp,
        namespace: str,
        service: str,
        port: int | str,
        local_port: int = 8080,
        login_hint: str = "",
        on_change: Callable[[ForwardState], None] | None = None,
    ) -> None:
        self.kube = kube
        self.on_change = on_change
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._conns: set[Any] = set()
        self._listener: socket.socket | None = None
        self._requested_port = port
        self._service_port = port if isinstance(port, int) else 0
        self._state = ForwardState(
            next(self._ids), namespace, service, self._service_port, local_port, login_hint=login_hint
        )

    @property
    def state(self) -> ForwardState:
        return self._state

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)
            state = self._state
        if self.on_change is not None:
            self.on_change(state)

    # --- resolution -------------------------------------------------------------------------------

    def _get(self, path: str) -> Any:
        try:
            return self.kube.get_json(path)
        except KubeApiError as exc:
            raise PortForwardError(exc.message) from None
        except CONNECTION_ERRORS as exc:
            raise PortForwardError(f"cannot reach the API server: {type(exc).__name__}") from None

    def resolve(self, avoid: frozenset[str] = frozenset()) -> tuple[str, int]:
        """A ready pod behind the Service and the container port to forward to."""
        ns, name = self._state.namespace, self._state.service
        svc = objects.service(self._get(KINDS["Service"].object_path(ns, name)))
        sport = service_port(svc, self._requested_port)
        eps = objects.endpoints(self._get(KINDS["Endpoints"].object_path(ns, name)))
        self._service_port = sport.port
        names = [p for p in ready_pod_names(eps) if p not in avoid] or ready_pod_names(eps)
        if not names:
            raise PortForwardError(f"no ready pod behind svc/{name} in {ns}")
        pod = objects.pod(self._get(KINDS["Pod"].object_path(ns, names[0])))
        return pod.name, target_port(sport, pod)

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> ForwardState:
        pod, tport = self.resolve()
        self._listener = bind_listener(self._state.local_port)
        local = self._listener.getsockname()[1]
        self._set(pod=pod, target_port=tport, local_port=local, port=self._service_port, status="active")
        for target, label in ((self._accept_loop, "accept"), (self._health_loop, "health")):
            t = threading.Thread(target=target, name=f"port-forward-{self._state.id}-{label}", daemon=True)
            t.start()
            self._threads.append(t)
        return self._state

    def stop(self) -> None:
        self.halt()
        self.join()

    def halt(self) -> None:
        """Stop listening and cut every connection now, without waiting for the threads.

        shutdown() before close(): on Linux, closing a socket another thread is blocked on in accept() or
        recv() neither wakes that thread nor frees the socket, so the port went on accepting connections
        until the process ended. shutdown() makes the blocked call return at once.
        """
        self._stop.set()
        with self._lock:
            socks = [s for s in (self._listener, *self._conns) if s is not None]
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def join(self, timeout: float = 2.0) -> None:
        """Wait (at most `timeout` in all) for the listener and health threads, then mark the forward stopped."""
        deadline = time.monotonic() + timeout
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=max(0.0, deadline - time.monotonic()))
        self._set(status="stopped", connections=0)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _health_loop(self) -> None:
        """Follow the ready pods: when ours is no longer a ready endpoint, switch to another."""
        while not self._stop.wait(HEALTH_INTERVAL):
            current = self._state.pod
            try:
                eps = objects.endpoints(
                    self._get(KINDS["Endpoints"].object_path(self._state.namespace, self._state.service))
                )
            except PortForwardError as exc:
                self._set(detail=str(exc))
                continue
            ready = ready_pod_names(eps)
            if current in ready:
                if self._state.status != "active":
                    self._set(status="active", detail="")
                continue
            self._switch(frozenset({current}))

    def _switch(self, avoid: frozenset[str]) -> bool:
        try:
            pod, tport = self.resolve(avoid)
        except PortForwardError as exc:
            self._set(status="waiting", detail=str(exc))
            return False
        if pod != self._state.pod:
            self._set(pod=pod, target_port=tport, status="active", detail=f"switched from {self._state.pod}")
        return True

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)
        self._set(connections=len(self._conns), total_connections=self._state.total_connections + 1)
        stream: ForwardStream | None = None
        try:
            if self._stop.is_set():  # accepted just before halt() took its list of connections
                return
            failed: set[str] = set()
            for _ in range(CONNECT_ATTEMPTS):
                pod, port = self._state.pod, self._state.target_port
                try:
                    stream = self.kube.port_forward(self._state.namespace, pod, port)
                    break
                except Exception as exc:  # handshake failures come as ApiException, websocket or OS errors
                    log.debug("port-forward stream to %s failed: %s", pod, exc)
                    failed.add(pod)
                    if not self._switch(frozenset(failed)):
                        time.sleep(0.5)
            if stream is None:
                self._set(detail=f"could not open a stream to any ready pod of svc/{self._state.service}")
                return
            remote = stream.socket(self._state.target_port)
            _pump(conn, remote, self._stop)
            error = stream.error(self._state.target_port)
            if error:
                self._set(detail=f"pod {pod}: {error.strip()}")
            with contextlib.suppress(OSError):
                remote.close()
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
            with self._lock:
                self._conns.discard(conn)
            self._set(connections=len(self._conns))

    # --- probe ------------------------------------------------------------------------------------

    def probe(self, path: str = "/", timeout: float = 10.0) -> ProbeResult:
        try:
            resp = httpx.get(f"{self._state.url.rstrip('/')}{path}", follow_redirects=False, timeout=timeout)
        except httpx.HTTPError as exc:
            result = ProbeResult(False, 0, "", f"no HTTP answer: {type(exc).__name__}")
        else:
            location = resp.headers.get("location", "")
            ok, message = probe_verdict(resp.status_code, location)
            result = ProbeResult(ok, resp.status_code, location, message)
        self._set(probe=result)
        return result


@dataclass
class ForwardManager:
    """Every forward of the session; the app stops them all on exit."""

    kube: KubeHttp | None
    on_change: Callable[[ForwardState], None] | None = None
    forwards: dict[int, PortForward] = field(default_factory=dict)
    route: Callable[[str], KubeHttp | None] | None = None
    """Kube context -> its connection, for Services on a cluster read directly (cluster/remote.py)."""

    def start(
        self,
        namespace: str,
        service: str,
        port: int | str,
        local_port: int = 8080,
        login_hint: str = "",
        context: str = "",
    ) -> PortForward:
        kube = self.kube
        if context:
            kube = self.route(context) if self.route is not None else None
            if kube is None:
                raise PortForwardError(
                    f"no connection through kube context {context} (it is not read directly)"
                )
        if kube is None:
            raise PortForwardError("port-forward needs a live cluster (not a dump or the demo)")
        fwd = PortForward(kube, namespace, service, port, local_port, login_hint, self.on_change)
        fwd.start()
        self.forwards[fwd.state.id] = fwd
        return fwd

    def stop(self, forward_id: int) -> None:
        fwd = self.forwards.pop(forward_id, None)
        if fwd is not None:
            fwd.stop()

    def stop_all(self) -> None:
        """Close every listener first, then wait for the threads: no port stays open while another forward's
        threads are being joined. Safe to call from two threads at once (on hangup and on unmount)."""
        stopping = [f for f in (self.forwards.pop(i, None) for i in list(self.forwards)) if f is not None]
        for fwd in stopping:
            fwd.halt()
        for fwd in stopping:
            fwd.join()

    def states(self) -> list[ForwardState]:
        return [f.state for f in self.forwards.values()]
