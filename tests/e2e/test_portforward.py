"""The guided port-forward on the lab: the gateway's Dex redirect through kwok, many connections, pod replacement."""

from __future__ import annotations

import contextlib
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kftui.cluster.portforward import ForwardManager
from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef
from kftui.profile import builtin_profile
from tests.e2e.fix_helpers import audit_events, describe, make_runner, now, snapshot, writes

pytestmark = pytest.mark.e2e


def _ready_gateway_pods(lab: Any) -> list[str]:
    eps = lab.get_json("endpoints", "istio-ingressgateway", "-n", "istio-system")
    return [
        a["targetRef"]["name"]
        for s in eps.get("subsets") or []
        for a in s.get("addresses") or []
        if a.get("targetRef", {}).get("kind") == "Pod"
    ]


def _get(url: str) -> httpx.Response:
    return httpx.get(url, follow_redirects=False, timeout=15)


def test_gateway_forward_probe_concurrency_and_pod_replacement(lab: Any, tmp_path: Path) -> None:
    lab.wait_for(lambda: _ready_gateway_pods(lab), 90, "a ready istio-ingressgateway endpoint")
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    snap = snapshot(kube)
    plan = plan_action(
        "port-forward", ObjectRef("Application", "argocd", "kubeflow"), snap, builtin_profile()
    )
    assert plan.forward is not None and not plan.mutating
    target = plan.forward
    # Hold 8080 so the forward must take the next free port, as the guide promises.
    blocker = socket.socket()
    with contextlib.suppress(OSError):  # something else holds it already: the forward must still move on
        blocker.bind(("127.0.0.1", target.local_port))
    manager = ForwardManager(kube.http)
    since = now()
    try:
        fwd = manager.start(
            target.namespace, target.service, target.port, target.local_port, target.login_hint
        )
        state = fwd.state
        assert state.local_port != target.local_port
        assert state.url == f"http://127.0.0.1:{state.local_port}/"
        assert state.target_port == 8080  # service port 80 -> the pod's port
        first_pod = state.pod
        assert first_pod in _ready_gateway_pods(lab)

        probe = fwd.probe()
        assert probe.ok and probe.status == 302, probe
        assert probe.location.startswith("/dex/auth")
        assert "Dex" in fwd.state.login_hint

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(lambda _: _get(f"{state.url}p").status_code, range(24)))
        assert answers == [302] * 24
        assert fwd.state.total_connections >= 25

        # Replace the pod with kftui's own delete-pod fix; the forward must follow to the new pod.
        pod_ref = ObjectRef("Pod", "istio-system", first_pod)
        delete = plan_action("delete-pod", pod_ref, snapshot(kube))
        assert runner.run(delete).ok
        lab.wait_for(
            lambda: (ready := _ready_gateway_pods(lab)) and first_pod not in ready and ready,
            90,
            "a new ready gateway pod",
        )
        lab.wait_for(lambda: fwd.state.pod != first_pod, 30, "the forward switching pods")
        again = lab.wait_for(
            lambda: (r := _get(state.url)).status_code == 302 and r, 30, "302 through the new pod"
        )
        assert again.headers["location"].startswith("/dex/auth")
        assert fwd.state.pod in _ready_gateway_pods(lab)
    finally:
        manager.stop_all()
        blocker.close()
    with pytest.raises(httpx.HTTPError):
        _get(state.url)
    # The forward itself wrote nothing: kftui's only write in this test is the pod deletion it was asked for.
    kftui_writes = writes(audit_events(lab, since))
    assert [(e["verb"], e["objectRef"]["resource"]) for e in kftui_writes] == [("delete", "pods")], describe(
        kftui_writes
    )


def test_named_target_port_is_resolved_through_the_pods_container_ports(lab: Any) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kftui-named-gw", "namespace": "istio-system"},
        "spec": {
            "selector": {"app": "istio-ingressgateway"},
            "ports": [{"name": "web", "port": 18080, "targetPort": "http"}],
        },
    }
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(svc)).returncode == 0
    lab.wait_for(
        lambda: lab.get_json("endpoints", "kftui-named-gw", "-n", "istio-system").get("subsets"),
        60,
        "endpoints of the named-port service",
    )
    from tests.e2e.fix_helpers import kube_source

    manager = ForwardManager(kube_source(lab).http)
    try:
        fwd = manager.start("istio-system", "kftui-named-gw", 18080, 0)
        assert fwd.state.target_port == 8080  # "http" is the container's port 8080
        assert fwd.probe().ok
        by_name = manager.start("istio-system", "kftui-named-gw", "web", 0)  # the service port by its name
        assert (by_name.state.port, by_name.state.target_port) == (18080, 8080)
        assert by_name.probe().ok
    finally:
        manager.stop_all()
        lab.kubectl("delete", "service", "kftui-named-gw", "-n", "istio-system")
