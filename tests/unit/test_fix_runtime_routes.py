"""What `build_fix_runtime` wires from a multi-cluster source and an Argo CD server, seen from its effects: which
connection a fix's request goes out on, which forward reads which cluster, and who is asked whether a fix may run.

The connections are fakes of our own HTTP seam (cluster/http.KubeHttp) that record each request; the Argo CD
server is a local HTTP endpoint, as in test_fix_runtime.py. Nothing reaches a real cluster.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.http import KubeApiError
from kftui.cluster.kube import KubeSource
from kftui.cluster.portforward import PortForwardError
from kftui.cluster.remote import FederatedSource
from kftui.cluster.source import StaticSource
from kftui.fixes.gate import READ_ONLY_REASON
from kftui.fixes.plan import plan_action
from kftui.fixes.plans import DeletePodPlan, RestartPlan
from kftui.fixes.run import no_context
from kftui.fixes.runtime import FixOptions, build_fix_runtime
from kftui.model import ObjectRef

SPOKE_POD = ObjectRef("Pod", "kubeflow", "ml-pipeline-5c8d7f9b6-abcde", "spoke")
HUB_POD = ObjectRef("Pod", "auth", "dex-0")


class RecordingHttp:
    """A KubeHttp that records each request; it allows every access review and finds no object."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.requests: list[tuple[str, str]] = []

    def get_json(self, path: str, query: Any = None) -> Any:
        self.requests.append(("GET", path))
        raise KubeApiError(404, f"{path} not found")

    def send_json(self, method: str, path: str, body: Any, content_type: str = "application/json") -> Any:
        self.requests.append((method, path))
        return {}

    def ask_json(self, path: str, body: Any, timeout: float) -> Any:
        return {"status": {"allowed": True, "userInfo": {"username": "alice"}}}


class DirectSource(StaticSource):
    """A cluster kftui reads directly, through its own kube context."""

    def __init__(self, context: str, http: RecordingHttp) -> None:
        super().__init__(load_demo)
        self.context = context
        self.http = http


def delete_pod(target: ObjectRef, context: str = "") -> DeletePodPlan:
    return DeletePodPlan(
        fix_id="delete-pod", title=f"Delete pod {target.name}", target=target, command="", context=context
    )


@pytest.fixture
def federated() -> tuple[FederatedSource, RecordingHttp, RecordingHttp]:
    """A hub read through kube context "lab" and a spoke read directly through "spoke-admin"."""
    hub, spoke = RecordingHttp("https://hub.example"), RecordingHttp("https://spoke.example")
    source = FederatedSource(
        KubeSource(hub, "lab"),  # type: ignore[arg-type]
        None,
        direct={"https://spoke.example": DirectSource("spoke-admin", spoke)},
    )
    return source, hub, spoke


def test_a_federated_source_acts_on_the_hub_through_the_hubs_connection(
    federated: tuple[FederatedSource, RecordingHttp, RecordingHttp], tmp_path: Path
) -> None:
    source, hub, spoke = federated
    runtime = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={})
    result = runtime.runner.run(delete_pod(HUB_POD))
    assert result.ok, result.message
    assert hub.requests == [("DELETE", "/api/v1/namespaces/auth/pods/dex-0")] and spoke.requests == []
    assert [e["context"] for e in runtime.audit.entries()] == ["lab"]
    runtime.close()


def test_a_fix_through_a_second_context_goes_out_on_that_clusters_connection(
    federated: tuple[FederatedSource, RecordingHttp, RecordingHttp], tmp_path: Path
) -> None:
    source, hub, spoke = federated
    runtime = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={})
    assert runtime.runner.run(delete_pod(SPOKE_POD, "spoke-admin")).ok
    restart = RestartPlan(
        fix_id="restart",
        title="Restart deployment/ml-pipeline",
        target=ObjectRef("Deployment", "kubeflow", "ml-pipeline", "spoke"),
        command="",
        context="spoke-admin",
    )
    assert runtime.runner.run(restart).ok
    assert spoke.requests == [
        ("DELETE", "/api/v1/namespaces/kubeflow/pods/ml-pipeline-5c8d7f9b6-abcde"),
        ("PATCH", "/apis/apps/v1/namespaces/kubeflow/deployments/ml-pipeline"),
    ]
    assert hub.requests == []
    assert [e["context"] for e in runtime.audit.entries()] == ["lab (context spoke-admin)"] * 2
    # A context no directly read cluster has: refused before anything is sent, saying which context.
    gone = delete_pod(SPOKE_POD, "spoke-old")
    assert runtime.runner.refusal(gone) == no_context("spoke-old")
    assert runtime.runner.run(gone).refused and hub.requests == [] and len(spoke.requests) == 2
    runtime.close()


def test_a_forward_through_a_second_context_reads_the_service_on_that_cluster(
    federated: tuple[FederatedSource, RecordingHttp, RecordingHttp], tmp_path: Path
) -> None:
    source, hub, spoke = federated
    runtime = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={})
    with pytest.raises(PortForwardError, match="not found"):  # the fake finds no Service
        runtime.forwards.start("kubeflow", "ml-pipeline-ui", 80, local_port=0, context="spoke-admin")
    assert spoke.requests == [("GET", "/api/v1/namespaces/kubeflow/services/ml-pipeline-ui")]
    assert hub.requests == []
    with pytest.raises(PortForwardError, match="kube context spoke-old"):
        runtime.forwards.start("kubeflow", "ml-pipeline-ui", 80, local_port=0, context="spoke-old")
    runtime.close()


def test_an_offline_source_refuses_a_fix_through_a_second_context(tmp_path: Path) -> None:
    """A dump of a federated source holds objects read through a second context, but no connection to it."""
    runtime = build_fix_runtime(
        StaticSource(load_demo), FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={}
    )
    plan = delete_pod(SPOKE_POD, "spoke-admin")
    assert runtime.runner.refusal(plan) == no_context("spoke-admin")
    result = runtime.runner.run(plan)
    assert result.refused and result.message == no_context("spoke-admin")
    runtime.close()


# ---- Argo CD's RBAC, asked before an Argo CD action through its REST API ---------------------------------------


class ArgoRbacServer:
    """A local Argo CD API: every Application is in project "team", and can-i answers "no" to everything."""

    def __init__(self) -> None:
        self.gets: list[tuple[str, dict[str, list[str]]]] = []
        seen = self.gets

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                seen.append((url.path, parse_qs(url.query)))
                if url.path.startswith("/api/v1/account/can-i/"):
                    reply: dict[str, Any] = {"value": "no"}
                else:
                    reply = {"metadata": {"name": url.path.rsplit("/", 1)[-1]}, "spec": {"project": "team"}}
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def argocd() -> Iterator[ArgoRbacServer]:
    server = ArgoRbacServer()
    yield server
    server.close()


def _refresh_plan() -> Any:
    snapshot = load_demo()
    app = sorted(snapshot.applications.values(), key=lambda a: a.name)[0]
    return plan_action("refresh", ObjectRef("Application", app.namespace, app.name), snapshot), app.name


def test_with_an_argocd_server_argo_cds_rbac_decides_whether_an_app_may_be_refreshed(
    argocd: ArgoRbacServer, tmp_path: Path
) -> None:
    options = FixOptions(
        argocd_server=argocd.address,
        plaintext=True,
        argocd_namespace="ops",
        audit_log=str(tmp_path / "a.jsonl"),
    )
    runtime = build_fix_runtime(StaticSource(load_demo), options, env={"ARGOCD_AUTH_TOKEN": "t"})
    plan, name = _refresh_plan()
    assert runtime.runner.refusal(plan) is None  # nothing known yet, nothing asked
    assert argocd.gets == []
    assert runtime.runner.review(plan) == (
        f"Argo CD RBAC: this token may not get applications team/{name} "
        f"(argocd account can-i get applications team/{name}: no)"
    )
    # The app's project is read in the Argo CD namespace given, then can-i is asked about it.
    assert argocd.gets == [
        (f"/api/v1/applications/{name}", {"appNamespace": ["ops"]}),
        (f"/api/v1/account/can-i/applications/get/team/{name}", {}),
    ]
    runtime.close()


def test_in_read_only_mode_argo_cd_is_not_asked(argocd: ArgoRbacServer, tmp_path: Path) -> None:
    options = FixOptions(
        argocd_server=argocd.address, plaintext=True, read_only=True, audit_log=str(tmp_path / "a.jsonl")
    )
    runtime = build_fix_runtime(StaticSource(load_demo), options, env={"ARGOCD_AUTH_TOKEN": "t"})
    plan, _ = _refresh_plan()
    assert runtime.runner.review(plan) == READ_ONLY_REASON
    assert argocd.gets == []
    runtime.close()
