"""The guided port-forward: port mapping, ready pods, local port choice, probe verdict, and that stop frees the port."""

from __future__ import annotations

import socket

import pytest

from kftui.cluster.portforward import (
    BIND_ADDRESS,
    PortForwardError,
    bind_listener,
    probe_verdict,
    ready_pod_names,
    service_port,
    target_port,
)
from kftui.model import ContainerPort, EndpointAddress, Endpoints, Pod, Service, ServicePort

GW = Service(
    "istio-system",
    "istio-ingressgateway",
    ports=(ServicePort("status-port", 15021, 15021), ServicePort("http2", 80, "http2-port")),
)
GW_POD = Pod(
    "istio-system", "gw-1", ports=(ContainerPort("http2-port", 8080), ContainerPort("status", 15021))
)


def test_named_target_port_is_resolved_through_the_pods_container_ports() -> None:
    assert target_port(service_port(GW, 80), GW_POD) == 8080
    assert target_port(service_port(GW, "http2"), GW_POD) == 8080
    assert target_port(service_port(GW, 15021), GW_POD) == 15021


def test_numeric_and_empty_target_ports() -> None:
    assert target_port(ServicePort("http", 80, 8080), GW_POD) == 8080
    assert target_port(ServicePort("http", 80, 0), GW_POD) == 80


def test_missing_ports_are_clear_errors() -> None:
    with pytest.raises(PortForwardError, match="has no port 443"):
        service_port(GW, 443)
    with pytest.raises(PortForwardError, match="no container port named 'http2-port'"):
        target_port(service_port(GW, 80), Pod("istio-system", "bare"))


def test_only_ready_endpoints_count() -> None:
    eps = Endpoints(
        "istio-system",
        "istio-ingressgateway",
        ready=(
            EndpointAddress("10.0.0.1", "gw-1"),
            EndpointAddress("10.0.0.2", "gw-2"),
            EndpointAddress("10.0.0.9"),
        ),
        not_ready=(EndpointAddress("10.0.0.3", "gw-3"),),
    )
    assert ready_pod_names(eps) == ["gw-1", "gw-2"]


def test_bind_prefers_the_port_then_the_next_free_one_on_loopback_only() -> None:
    first = bind_listener(0)
    taken = first.getsockname()[1]
    try:
        second = bind_listener(taken)
        try:
            host, port = second.getsockname()
            assert host == BIND_ADDRESS
            assert taken < port <= taken + 50 or taken > 65535 - 50
        finally:
            second.close()
    finally:
        first.close()
    again = bind_listener(taken)
    assert again.getsockname()[1] == taken
    again.close()


def test_bound_port_refuses_non_loopback_clients() -> None:
    sock = bind_listener(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.family == socket.AF_INET
    finally:
        sock.close()


@pytest.mark.parametrize(
    ("status", "location", "ok"),
    [
        (200, "", True),
        (302, "/dex/auth?client_id=kubeflow-oidc-authservice&state=x", True),
        (302, "https://kf.example.com/oauth2/start?rd=%2F", True),
        (302, "/somewhere/else", False),
        (503, "", False),
        (404, "", False),
    ],
)
def test_probe_verdict(status: int, location: str, ok: bool) -> None:
    verdict, message = probe_verdict(status, location)
    assert verdict is ok
    assert str(status) in message
    assert "state=" not in message  # query strings (OIDC state) are not echoed


class _FakeKube:
    """The part of the HTTP seam (KubeHttp) that setting up a forward uses: get_json (no stream is opened)."""

    server = "https://fake:6443"

    def __init__(self) -> None:
        self.objects = {
            "/api/v1/namespaces/istio-system/services/istio-ingressgateway": {
                "metadata": {"namespace": "istio-system", "name": "istio-ingressgateway"},
                "spec": {"ports": [{"name": "http2", "port": 80, "targetPort": 8080}]},
            },
            "/api/v1/namespaces/istio-system/endpoints/istio-ingressgateway": {
                "metadata": {"namespace": "istio-system", "name": "istio-ingressgateway"},
                "subsets": [
                    {"addresses": [{"ip": "10.0.0.1", "targetRef": {"kind": "Pod", "name": "gw-1"}}]}
                ],
            },
            "/api/v1/namespaces/istio-system/pods/gw-1": {
                "metadata": {"namespace": "istio-system", "name": "gw-1"},
                "spec": {"containers": [{"name": "istio-proxy", "ports": [{"containerPort": 8080}]}]},
            },
        }

    def get_json(self, path: str) -> object:
        return self.objects[path]


def _refused(port: int) -> bool:
    try:
        socket.create_connection((BIND_ADDRESS, port), timeout=1).close()
    except OSError:
        return True
    return False


def test_stopping_a_forward_closes_its_port_at_once() -> None:
    """The accept thread is blocked in accept(): close() alone neither woke it nor freed the port, which kept
    accepting connections until the process ended."""
    import threading

    from kftui.cluster.portforward import ForwardManager

    manager = ForwardManager(_FakeKube())  # type: ignore[arg-type]
    fwd = manager.start("istio-system", "istio-ingressgateway", 80, local_port=0)
    port = fwd.state.local_port
    assert fwd.state.pod == "gw-1" and fwd.state.target_port == 8080
    assert not _refused(port)
    manager.stop_all()
    assert _refused(port)
    # stop_all joins the forward's threads for 2 s at most: had accept() not been woken, it would still be
    # running when stop_all returned (no clock needed to tell "at once" from "after the join timed out").
    prefix = f"port-forward-{fwd.state.id}-"
    assert [t.name for t in threading.enumerate() if t.name.startswith(prefix)] == []
    assert fwd.state.status == "stopped" and not manager.forwards
    manager.stop_all()  # a second stop (hangup, then unmount) is harmless
