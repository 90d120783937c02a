"""The lab's Kubernetes side is real: apiserver, scheduler, controllers, kwok pods."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import httpx
import pytest

from tests.lab import build

pytestmark = pytest.mark.e2e


def _pods(lab, namespace: str, selector: str) -> list[dict]:
    return lab.get_json("pods", "-n", namespace, "-l", selector)["items"]


def test_apiserver_reports_the_pinned_version(lab):
    out = lab.kubectl("version", "-o", "json", check=True)
    server = json.loads(out.stdout)["serverVersion"]
    assert server["gitVersion"] == build.load_versions()["kubernetes"]["version"]


def test_kwok_node_is_ready(lab):
    nodes = lab.get_json("nodes")["items"]
    assert [n["metadata"]["name"] for n in nodes] == ["kwok-node-0"]
    ready = {c["type"]: c["status"] for c in nodes[0]["status"]["conditions"]}
    assert ready["Ready"] == "True"


def test_deployment_pods_run_on_kwok(lab):
    def running():
        pods = _pods(lab, "istio-system", "app=istio-ingressgateway")
        return pods if pods and all(p["status"].get("phase") == "Running" for p in pods) else None

    pods = lab.wait_for(running, 60, "istio-ingressgateway pod Running")
    pod = pods[0]
    assert pod["spec"]["nodeName"] == "kwok-node-0"  # placed by the real scheduler
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"  # made by the real controllers
    assert all(c["ready"] for c in pod["status"]["containerStatuses"])


def test_crash_looping_pod_is_in_crashloopbackoff(lab):
    def crashing():
        for p in _pods(lab, "kubeflow", "app=crash-looper"):
            for c in p["status"].get("containerStatuses", []):
                if (c.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff":
                    return c
        return None

    c = lab.wait_for(crashing, 60, "crash-looper pod in CrashLoopBackOff")
    assert c["ready"] is False
    assert "running" not in c["state"]
    assert c["restartCount"] > 0
    assert c["lastState"]["terminated"]["exitCode"] == 1
    # kubectl's own summary agrees.
    out = lab.kubectl("get", "pods", "-n", "kubeflow", "-l", "app=crash-looper", "--no-headers", check=True)
    assert "CrashLoopBackOff" in out.stdout


def test_logs_of_a_simulated_pod(lab):
    pod = lab.wait_for(lambda: _pods(lab, "istio-system", "app=istio-ingressgateway"), 60, "gateway pod")[0]
    out = lab.kubectl("logs", "-n", "istio-system", pod["metadata"]["name"])
    assert out.returncode == 0, out.stderr
    assert "serving on :8080" in out.stdout


def test_port_forward_to_the_gateway_returns_the_dex_redirect(lab):
    lab.wait_for(
        lambda: [
            p
            for p in _pods(lab, "istio-system", "app=istio-ingressgateway")
            if p["status"].get("phase") == "Running"
        ],
        60,
        "gateway pod Running",
    )
    svc = lab.get_json("service", "istio-ingressgateway", "-n", "istio-system")
    assert svc["spec"]["ports"][0]["port"] == 80
    assert svc["spec"]["ports"][0]["targetPort"] == 8080
    proc = subprocess.Popen(
        [
            "kubectl",
            "--kubeconfig",
            str(lab.kubeconfig),
            "--context",
            lab.context,
            "port-forward",
            "-n",
            "istio-system",
            "svc/istio-ingressgateway",
            ":80",
            "--address",
            "127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"127\.0\.0\.1:(\d+) -> 8080", line)
        assert m, f"unexpected port-forward output: {line!r} {proc.stderr.read() if proc.poll() else ''}"
        r = httpx.get(f"http://127.0.0.1:{m.group(1)}/", follow_redirects=False, timeout=10)
        assert r.status_code == 302
        assert r.headers["location"].startswith("/dex/auth")
    finally:
        proc.terminate()
        proc.wait(10)


def test_audit_log_records_write_requests(lab):
    name = f"audit-probe-{uuid.uuid4().hex[:8]}"
    lab.kubectl("create", "configmap", name, "-n", "default", check=True)
    lab.kubectl("delete", "configmap", name, "-n", "default", check=True)

    def writes():
        events = [json.loads(line) for line in lab.audit_log.read_text().splitlines() if name in line]
        verbs = {e["verb"] for e in events if e.get("objectRef", {}).get("name") == name}
        return verbs if {"create", "delete"} <= verbs else None

    verbs = lab.wait_for(writes, 10, f"audit events for configmap {name}")
    assert verbs >= {"create", "delete"}


def test_python_client_port_forward_to_the_gateway_pod(lab):
    """The path kftui itself uses: the official client's websocket port-forward."""
    from kubernetes import client, config
    from kubernetes.stream import portforward

    pod = lab.wait_for(
        lambda: [
            p
            for p in _pods(lab, "istio-system", "app=istio-ingressgateway")
            if p["status"].get("phase") == "Running"
        ],
        60,
        "gateway pod Running",
    )[0]
    api = client.CoreV1Api(config.new_client_from_config(str(lab.kubeconfig), context=lab.context))
    pf = portforward(
        api.connect_get_namespaced_pod_portforward, pod["metadata"]["name"], "istio-system", ports="8080"
    )
    try:
        sock = pf.socket(8080)
        sock.setblocking(True)
        sock.settimeout(10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: kubeflow.local\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        head = data.split(b"\r\n\r\n")[0].decode()
        assert head.startswith("HTTP/1.1 302"), head
        assert "Location: /dex/auth" in head
    finally:
        pf.close()
