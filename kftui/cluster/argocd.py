"""Argo CD actions through Argo CD's own REST API (httpx), when --argocd-server / ARGOCD_SERVER is set.

The same endpoints the argocd CLI's gRPC calls map to (server/application/application.proto):
  GET    /api/v1/applications/{name}[?refresh=normal|hard]   read, or refresh
  POST   /api/v1/applications/{name}/sync                     ApplicationSyncRequest
  DELETE /api/v1/applications/{name}/operation                terminate the running operation
  POST   /api/v1/applications/{name}/resource/actions/v2      ResourceActionRunRequestV2: run a resource action
                                                              (RBAC `action/<group>/<Kind>/<action>`)
  DELETE /api/v1/applications/{name}/resource?namespace&resourceName&version&group&kind&appNamespace
                                                              delete one resource of the app's tree (RBAC
                                                              `delete/<group>/<Kind>/<namespace>/<name>`)
  POST   /api/v1/session                                      {username, password} -> {token}
Authentication: ARGOCD_AUTH_TOKEN (a bearer token), or a session login, or none (a server started with
--disable-auth, like the lab's). TLS is verified unless `insecure`; an http:// server (or `plaintext`)
talks plain HTTP, like `argocd --plaintext`. Tokens never appear in messages.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx

from kftui.cluster.applications import application
from kftui.cluster.ops import ActionError, ArgoResource, NoOperation, OperationInProgress, SyncRequest
from kftui.drift import merged_patch
from kftui.model import Application

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
REFRESH_TIMEOUT = 90.0
# A live stream quiet this long ends quietly, to be reopened: Argo CD sends each app's tree after every
# reconcile (at least every timeout.reconciliation, 120 s + jitter by default), so a longer silence is more
# likely a dead connection than a quiet app.
STREAM_IDLE = 300.0


def server_url(server: str, plaintext: bool = False) -> str:
    """`host:port` as the argocd CLI takes it, or a full URL; plain HTTP when asked or http:// given."""
    server = server.strip().rstrip("/")
    if server.startswith(("http://", "https://")):
        return server
    return f"{'http' if plaintext else 'https'}://{server}"


def sync_body(name: str, namespace: str, request: SyncRequest) -> dict[str, Any]:
    """An ApplicationSyncRequest as the argocd CLI fills it (hook strategy, options only when asked)."""
    body: dict[str, Any] = {
        "name": name,
        "appNamespace": namespace,
        "prune": request.prune,
        "dryRun": request.dry_run,
        "strategy": request.strategy_json(),
    }
    if request.sync_options:
        body["syncOptions"] = {"items": list(request.sync_options)}
    if request.resources:
        body["resources"] = [r.as_json() for r in request.resources]
    return body


def resource_fields(resource: ArgoResource) -> dict[str, str]:
    """An ApplicationResourceRequest's fields for `resource` (the body of an action, the query of a delete)."""
    return {
        "namespace": resource.namespace,
        "resourceName": resource.name,
        "version": resource.version,
        "group": resource.group,
        "kind": resource.kind,
    }


def _one_app(name: str, tail: str) -> str:
    """The path of one app's endpoint, the name one path segment whatever it holds."""
    return f"/api/v1/applications/{quote(name, safe='')}{tail}"


def _error_message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text.strip()[:200] or resp.reason_phrase
    if isinstance(data, Mapping):
        error = data.get("error")
        if isinstance(error, Mapping):  # a stream's error: {"error": {"grpc_code", "message", ...}}
            return str(error.get("message") or resp.reason_phrase)
        return str(data.get("message") or error or resp.reason_phrase)
    return resp.reason_phrase


class _Cutter:
    """Shuts the socket of each open stream whose stop is set, so a read blocked on a quiet stream returns
    now (closing a socket does not wake a thread reading it; shutting it does). One thread for every stream,
    running while any is open."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[int, tuple[threading.Event, list[socket.socket]]] = {}
        self._next = 0
        self._running = False

    def watch(self, stop: threading.Event, sockets: list[socket.socket]) -> int:
        with self._lock:
            self._next += 1
            self._open[self._next] = (stop, sockets)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="argo-stream-cutter", daemon=True).start()
            return self._next

    def forget(self, token: int) -> None:
        with self._lock:
            self._open.pop(token, None)

    def cut_all(self) -> None:
        with self._lock:
            opened = list(self._open.values())
        for _, sockets in opened:
            _shut(sockets)

    def _run(self) -> None:
        tick = threading.Event()
        while True:
            with self._lock:
                if not self._open:
                    self._running = False
                    return
                cut = [self._open.pop(t)[1] for t, (stop, _) in list(self._open.items()) if stop.is_set()]
            for sockets in cut:
                _shut(sockets)
            tick.wait(0.1)


def _shut(sockets: list[socket.socket]) -> None:
    for sock in list(sockets):
        with contextlib.suppress(OSError):  # already closed: nothing is blocked on it
            sock.shutdown(socket.SHUT_RDWR)


class ArgoRestOps:
    """ArgoOps over Argo CD's REST API."""

    name = "argocd-rest"

    def __init__(
        self,
        server: str,
        token: str = "",
        *,
        insecure: bool = False,
        plaintext: bool = False,
        argocd_namespace: str = "argocd",
        username: str = "",
        password: str = "",
    ) -> None:
        self.base = server_url(server, plaintext)
        self.argocd_namespace = argocd_namespace
        # Made once: every live stream's own client uses it too.
        self._verify = httpx.create_ssl_context(verify=not insecure)
        self._client = httpx.Client(base_url=self.base, verify=self._verify, timeout=TIMEOUT)
        self._cutter = _Cutter()
        self._token = token
        if not token and username:
            self._token = self._login(username, password)
        if self._token:
            self._client.headers["Authorization"] = f"Bearer {self._token}"

    @property
    def endpoint(self) -> str:
        return self.base

    def close(self) -> None:
        self._cutter.cut_all()
        self._client.close()

    def _login(self, username: str, password: str) -> str:
        resp = self._call("POST", "/api/v1/session", json={"username": username, "password": password})
        token = resp.json().get("token") if resp.content else None
        if not token:
            raise ActionError(f"Argo CD at {self.base}: the session login returned no token")
        return str(token)

    def _unreachable(self, exc: httpx.HTTPError) -> ActionError:
        if isinstance(exc, httpx.ConnectError):
            return ActionError(f"cannot reach Argo CD at {self.base}: connection refused")
        if isinstance(exc, httpx.TimeoutException):
            return ActionError(f"cannot reach Argo CD at {self.base}: timed out")
        return ActionError(f"cannot reach Argo CD at {self.base}: {type(exc).__name__}")

    def _refused(self, resp: httpx.Response) -> ActionError:
        if resp.status_code in (401, 403):
            return ActionError(
                f"Argo CD at {self.base} refused the request ({resp.status_code}): {_error_message(resp)}"
            )
        return ActionError(f"Argo CD: {_error_message(resp)} (HTTP {resp.status_code})")

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        try:
            resp = self._client.request(
                method, path, params=params, json=json, timeout=timeout if timeout else TIMEOUT
            )
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if resp.is_error and resp.status_code not in (401, 403):
            message = _error_message(resp)
            if "another operation is already in progress" in message:
                raise OperationInProgress(message)
            if "No operation is in progress" in message:
                raise NoOperation(message)
        if resp.is_error:
            raise self._refused(resp)
        return resp

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        """The read seam (argoread.ArgoHttp): GET and parse JSON."""
        resp = self._call("GET", path, params={k: str(v) for k, v in (params or {}).items()})
        return resp.json() if resp.content else None

    def get_text(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        """The read seam (argoread.ArgoHttp): GET a text answer whole."""
        return self._call("GET", path, params={k: str(v) for k, v in (params or {}).items()}).text

    @contextmanager
    def stream(
        self, path: str, params: Mapping[str, str | int], stop: threading.Event
    ) -> Iterator[Iterator[bytes]]:
        """The read seam (argoread.ArgoHttp): a streaming GET on its own connection (a client of its own, so
        its socket is known, from httpcore's trace, and `stop` can shut it however the read is blocked: Argo
        CD sends even the headers only with the first tree)."""
        sockets: list[socket.socket] = []

        def trace(event: str, info: Mapping[str, Any]) -> None:
            if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
                sock = info["return_value"].get_extra_info("socket")
                if isinstance(sock, socket.socket):
                    sockets.append(sock)

        client = httpx.Client(
            base_url=self.base,
            verify=self._verify,
            headers=self._client.headers,
            timeout=httpx.Timeout(STREAM_IDLE, connect=5.0),
        )
        request = client.build_request(
            "GET",
            path,
            params={k: str(v) for k, v in params.items()},
            # Not compressed: a gzipped chunk could inflate to any size before the line bound sees it.
            headers={"Accept": "application/json", "Accept-Encoding": "identity"},
            extensions={"trace": trace},
        )
        token = self._cutter.watch(stop, sockets)
        try:
            resp = self._open_stream(client, request, stop)
            try:
                if resp is not None and resp.is_error:
                    resp.read()  # an error answer is one short JSON object
                    raise self._refused(resp)
                yield self._chunks(resp, stop) if resp is not None else iter(())
            finally:
                if resp is not None:
                    resp.close()
        finally:
            self._cutter.forget(token)
            client.close()

    def _open_stream(
        self, client: httpx.Client, request: httpx.Request, stop: threading.Event
    ) -> httpx.Response | None:
        """The stream's answer, None when it is idle (no tree within STREAM_IDLE) or stopped while waiting."""
        try:
            return client.send(request, stream=True)
        except httpx.ReadTimeout:
            return None
        except httpx.HTTPError as exc:
            if stop.is_set():
                return None
            raise self._unreachable(exc) from None

    def _chunks(self, resp: httpx.Response, stop: threading.Event) -> Iterator[bytes]:
        try:
            for chunk in resp.iter_bytes():
                if stop.is_set():
                    return
                yield chunk
        except httpx.ReadTimeout:
            return  # idle: the caller reopens
        except httpx.HTTPError as exc:
            if not stop.is_set():
                raise self._unreachable(exc) from None

    def _app_path(self, name: str) -> str:
        return f"/api/v1/applications/{name}"

    def _params(self, **extra: str) -> dict[str, str]:
        return {"appNamespace": self.argocd_namespace, **extra}

    def get_app(self, name: str) -> Application:
        resp = self._call("GET", self._app_path(name), params=self._params())
        return application(resp.json())

    def managed_resources(self, name: str) -> list[dict[str, Any]]:
        """Argo CD's desired and live state of each resource of the app (GET .../managed-resources).

        Each item carries group, kind, namespace, name, hook, modified and the states as JSON text:
        targetState, liveState, normalizedLiveState, predictedLiveState.
        """
        resp = self._call("GET", f"{self._app_path(name)}/managed-resources", params=self._params())
        items = (resp.json() or {}).get("items") if resp.content else None
        return [item for item in items or () if isinstance(item, dict)]

    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        # The server records its own session user as initiatedBy; `initiated_by` is for the audit log.
        self._call(
            "POST", f"{self._app_path(name)}/sync", json=sync_body(name, self.argocd_namespace, request)
        )
        return f"sync of {name} requested through {self.base}"

    def refresh(self, name: str, hard: bool) -> str:
        kind = "hard" if hard else "normal"
        # The server answers once the controller has consumed the refresh: allow it time.
        self._call("GET", self._app_path(name), params=self._params(refresh=kind), timeout=REFRESH_TIMEOUT)
        return f"{kind} refresh of {name} requested through {self.base}"

    def terminate(self, name: str) -> str:
        # The gateway wants a JSON content type even on this DELETE (415 otherwise).
        self._call("DELETE", f"{self._app_path(name)}/operation", params=self._params(), json={})
        return f"termination of the running operation of {name} requested through {self.base}"

    def _patch(self, name: str, patch: dict[str, Any]) -> None:
        """PATCH /api/v1/applications/{name}: an ApplicationPatchRequest with a JSON merge patch."""
        body = {
            "name": name,
            "appNamespace": self.argocd_namespace,
            "patch": jsonlib.dumps(patch),
            "patchType": "merge",
        }
        self._call("PATCH", self._app_path(name), json=body)

    def add_sync_option(self, name: str, option: str) -> str:
        resp = self._call("GET", self._app_path(name), params=self._params())
        policy = (resp.json().get("spec") or {}).get("syncPolicy") or {}
        options = list(policy.get("syncOptions") or ())
        if option in options:
            return f"{name} already has sync option {option}"
        self._patch(name, {"spec": {"syncPolicy": {"syncOptions": [*options, option]}}})
        return f"sync option {option} added to {name} through {self.base}"

    def disable_auto_prune(self, name: str) -> str:
        self._patch(name, {"spec": {"syncPolicy": {"automated": {"prune": False}}}})
        return f"automated prune turned off for {name} through {self.base}"

    def add_ignore_differences(self, name: str, entries: Sequence[Mapping[str, Any]]) -> str:
        resp = self._call("GET", self._app_path(name), params=self._params())
        spec = resp.json().get("spec") or {}
        policy = spec.get("syncPolicy") or {}
        self._patch(
            name, merged_patch(entries, spec.get("ignoreDifferences") or (), policy.get("syncOptions") or ())
        )
        count = len(entries)
        return f"{count} ignoreDifferences entr{'y' if count == 1 else 'ies'} added to {name} through {self.base}"

    def run_resource_action(self, resource: ArgoResource, action: str) -> str:
        """RunResourceActionV2 (the v1 endpoint is deprecated since Argo CD 3.1)."""
        body = {
            "name": resource.app,
            "appNamespace": self.argocd_namespace,
            "action": action,
            **resource_fields(resource),
        }
        self._call("POST", _one_app(resource.app, "/resource/actions/v2"), json=body)
        return f"{action} of {resource} run by Argo CD at {self.base}"

    def delete_resource(self, resource: ArgoResource) -> str:
        params = self._params(**resource_fields(resource))
        # (Like terminate: the gateway wants a JSON content type on a DELETE.)
        self._call("DELETE", _one_app(resource.app, "/resource"), params=params, json={})
        return f"{resource} deleted by Argo CD at {self.base}"
