"""The HTTP seam (cluster/http.py) implemented over the official Kubernetes client, and that client built from kubeconfig.

The generated typed API is not used for reading: deserialising 20,000 pods into V1Pod objects costs more than the
network. The client handles kubeconfig, auth and TLS; we ask for raw JSON and convert only the fields we keep.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import urllib3
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.stream import portforward as k8s_portforward

from kftui import __version__
from kftui.cluster.http import Body, ForwardStream, KubeApiError, Query
from kftui.cluster.kubeconfig import choose_kubeconfig
from kftui.cluster.source import SourceError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0


class ClientHttp:
    """KubeHttp through a kubernetes.client.ApiClient (its configuration: server, credentials, TLS)."""

    def __init__(self, api: k8s_client.ApiClient) -> None:
        self.api = api
        # Named in the API server's audit log, so kftui's own requests can be told apart (the e2e tests do).
        api.user_agent = f"kftui/{__version__}"
        self.server = str(api.configuration.host)
        # Short questions (the probe, access reviews) go through a client that never retries: urllib3's
        # default three retries would turn a 1 s timeout into 4 s before a stopped server is noticed.
        quick_config = copy.copy(api.configuration)
        quick_config.retries = False
        self._quick = k8s_client.ApiClient(quick_config)
        self._quick.user_agent = api.user_agent
        # Port-forward streams get their own client, made when the first is opened: the stream helper swaps
        # call_api on the client while it connects, so handshakes take turns.
        self._forward: Any = None
        self._handshake = threading.Lock()
        self._watches: set[Any] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str | None, context: str | None) -> tuple[ClientHttp, str]:
        """The client for a kubeconfig context (or the in-cluster account), and the context's name."""
        api, name = load_api_client(kubeconfig, context)
        return cls(api), name

    def _request(
        self,
        method: str,
        path: str,
        query: Query | None = None,
        body: Any = None,
        timeout: float | tuple[float, float | None] | None = None,
        content_type: str = "application/json",
        api: k8s_client.ApiClient | None = None,
        compressed: bool = False,
        accept: str = "application/json",
    ) -> Any:
        api = api or self.api
        url_path = path + (f"?{urlencode(query)}" if query else "")
        headers = {"Accept": accept}
        if compressed:
            # What kubectl and client-go ask for: a page of pods is about a tenth of its size gzipped, which
            # matters on a remote cluster and costs little on a local one (TLS has less to encrypt).
            headers["Accept-Encoding"] = "gzip"
        if body is not None:
            headers["Content-Type"] = content_type
        params = api.param_serialize(
            method=method,
            resource_path=url_path,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        try:
            resp = api.call_api(*params, _request_timeout=timeout or (CONNECT_TIMEOUT, READ_TIMEOUT))
        except ApiException as exc:  # TLS failures surface here as status 0
            raise urllib3.exceptions.HTTPError(str(exc.reason)) from None
        raw = resp.response
        if not 200 <= raw.status <= 299:
            data = raw.read()
            raise KubeApiError(raw.status, status_message(data) or str(raw.reason))
        return raw

    def get_json(self, path: str, query: Query | None = None) -> Any:
        data = self._request("GET", path, query).read()
        return json.loads(data)

    def send_json(self, method: str, path: str, body: Any, content_type: str = "application/json") -> Any:
        raw = self._request(method, path, body=body, content_type=content_type)
        data = raw.read()
        return json.loads(data) if data else None

    def ask_json(self, path: str, body: Any, timeout: float) -> Any:
        raw = self._request("POST", path, body=body, timeout=(timeout, timeout), api=self._quick)
        data = raw.read()
        return json.loads(data) if data else None

    def get_body(self, path: str, query: Query | None = None, compressed: bool = False) -> Body:
        body: Body = self._request("GET", path, query, compressed=compressed)
        return body

    def ping(self, path: str, query: Query, timeout: float) -> None:
        self._request("GET", path, query, timeout=(timeout, timeout), api=self._quick).read()

    @contextmanager
    def watch_lines(
        self, path: str, query: Query, timeout: float, stop: threading.Event
    ) -> Iterator[Iterator[bytes]]:
        resp = self._request("GET", path, query, timeout=(CONNECT_TIMEOUT, timeout))
        with self._lock:
            self._watches.add(resp)
        try:
            yield _lines(resp, stop)
        finally:
            with self._lock:
                self._watches.discard(resp)
            resp.release_conn()

    @contextmanager
    def log_lines(self, path: str, query: Query, stop: threading.Event) -> Iterator[Iterator[bytes]]:
        # A followed log may stay quiet for hours: no read timeout; close_watches (or stop) ends it.
        resp = self._request("GET", path, query, timeout=(CONNECT_TIMEOUT, None), accept="*/*")
        with self._lock:
            self._watches.add(resp)
        done = threading.Event()
        # A reader blocked on a quiet log would not see `stop` until the next line: cut its socket instead.
        threading.Thread(target=_cut_on_stop, args=(resp, stop, done), name="log-cut", daemon=True).start()
        try:
            yield _lines(resp, stop, keep_blank=True)
        finally:
            done.set()
            with self._lock:
                self._watches.discard(resp)
            resp.release_conn()

    def close_watches(self) -> None:
        with self._lock:
            for resp in list(self._watches):
                _shutdown(resp)

    def port_forward(self, namespace: str, pod: str, port: int) -> ForwardStream:
        with self._handshake:
            if self._forward is None:
                forward_client = k8s_client.ApiClient(configuration=self.api.configuration)
                forward_client.user_agent = self.api.user_agent
                self._forward = k8s_client.CoreV1Api(forward_client)
            stream: ForwardStream = k8s_portforward(
                self._forward.connect_get_namespaced_pod_portforward, pod, namespace, ports=str(port)
            )
            return stream


def load_api_client(kubeconfig: str | None, context: str | None) -> tuple[k8s_client.ApiClient, str]:
    """An ApiClient from kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) or the in-cluster service
    account; every problem is a SourceError naming the file (see cluster/kubeconfig.py)."""
    choice = choose_kubeconfig(kubeconfig)
    where = f"kubeconfig {choice.config_file}" if choice.config_file else "in-cluster config"
    try:
        if choice.in_cluster:
            if context:
                raise SourceError(f"--context {context}: there is no kubeconfig to take it from")
            k8s_config.load_incluster_config()
            return k8s_client.ApiClient(), "in-cluster"
        api = k8s_config.new_client_from_config(config_file=choice.config_file, context=context)
        return api, _current_context(choice.config_file, context)
    except ConfigException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid configuration"
        raise SourceError(f"{where}: {first}") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as exc:
        raise SourceError(f"{where}: cannot load ({type(exc).__name__}: {exc})") from None


def _current_context(kubeconfig: str | None, context: str | None = None) -> str:
    if context:
        return context
    try:
        _, active = k8s_config.list_kube_config_contexts(config_file=kubeconfig)
    except (ConfigException, OSError, ValueError, TypeError, KeyError, yaml.YAMLError):
        return "?"
    return str(active.get("name", "?")) if isinstance(active, dict) else "?"


def _lines(resp: Any, stop: threading.Event, keep_blank: bool = False) -> Iterator[bytes]:
    buffer = b""
    for chunk in resp.stream(65536, decode_content=True):
        if stop.is_set():
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if keep_blank or line.strip():
                yield line
    if buffer and (keep_blank or buffer.strip()):
        yield buffer


def _cut_on_stop(resp: Any, stop: threading.Event, done: threading.Event) -> None:
    while not stop.wait(0.1):
        if done.is_set():
            return
    if not done.is_set():
        _shutdown(resp)


def _shutdown(resp: Any) -> None:
    try:
        if hasattr(resp, "shutdown"):
            resp.shutdown()
        resp.close()
    except Exception:  # closing a half-dead socket may raise anything; we are stopping anyway
        log.debug("closing a watch response failed", exc_info=True)


def status_message(data: bytes) -> str:
    """The message of a Status answer (the API server's explanation of an error), "" when there is none."""
    try:
        status = json.loads(data)
    except (ValueError, TypeError):
        return ""
    return str(status.get("message", "")) if isinstance(status, dict) else ""
