"""The lab's Argo CD is real: sync, drift, ComparisonError and app-of-apps chains."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.lab import scenarios

pytestmark = pytest.mark.e2e


def _status(app: dict) -> tuple[str | None, str | None]:
    st = app.get("status", {})
    return st.get("sync", {}).get("status"), st.get("health", {}).get("status")


def test_good_app_is_synced_and_healthy(lab):
    app = lab.wait_for(
        lambda: (a := lab.app("good")) and _status(a) == ("Synced", "Healthy") and a,
        180,
        "Application good Synced/Healthy",
    )
    kinds = {r["kind"] for r in app["status"]["resources"]}
    assert kinds == {"ConfigMap", "Deployment", "Service"}
    # The objects really exist in the cluster Argo CD manages.
    deploy = lab.get_json("deployment", "guestbook-ui", "-n", "demo-good")
    assert deploy["status"].get("availableReplicas") == 1


def test_good_app_via_the_rest_api(lab):
    lab.wait_for(lambda: _status(lab.app("good")) == ("Synced", "Healthy"), 180, "good Synced/Healthy")
    r = httpx.get(f"http://{lab.argocd_server}/api/v1/applications/good", timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"]["sync"]["status"] == "Synced"
    assert body["status"]["health"]["status"] == "Healthy"


def test_drift_app_goes_out_of_sync_after_a_commit_and_refresh(lab):
    lab.wait_for(
        lambda: (
            _status(lab.app("drift"))[0] in ("Synced", "OutOfSync")
            and lab.app("drift")["status"].get("operationState", {}).get("phase") == "Succeeded"
        ),
        180,
        "the drift app's initial sync",
    )
    sha = lab.commit(
        "drift",
        "configmap.yaml",
        scenarios.drift_configmap(f"changed-{time.time_ns()}"),
        "drift: change the setting",
    )
    lab.refresh("drift")

    def drifted():
        a = lab.app("drift")
        return a if a["status"]["sync"].get("revision") == sha and _status(a)[0] == "OutOfSync" else None

    app = lab.wait_for(drifted, 120, f"drift OutOfSync at revision {sha[:8]}")
    out_of_sync = [r for r in app["status"]["resources"] if r.get("status") == "OutOfSync"]
    assert [(r["kind"], r["name"]) for r in out_of_sync] == [("ConfigMap", "drift-settings")]


def test_duplicate_app_reports_the_kustomize_comparison_error(lab):
    def errored():
        conds = lab.app("duplicate").get("status", {}).get("conditions", [])
        return [c for c in conds if c["type"] == "ComparisonError"]

    conds = lab.wait_for(errored, 180, "ComparisonError on Application duplicate")
    message = conds[0]["message"]
    assert scenarios.DUPLICATE_ERROR in message
    assert "kubeflow-pipelines-view" in message


def test_kubeflow_app_chain(lab):
    def chain():
        apps = {n: lab.app(n) for n in ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")}
        ok = all(_status(a) == ("Synced", "Healthy") for a in apps.values())
        return apps if ok else None

    apps = lab.wait_for(chain, 240, "kubeflow -> kubeflow-seaweedfs -> kubeflow-pipelines Synced/Healthy")
    parent_of = {
        "kubeflow-seaweedfs": "kubeflow",
        "kubeflow-pipelines": "kubeflow-seaweedfs",
    }
    for child, parent in parent_of.items():
        managed = {(r["kind"], r["name"]) for r in apps[parent]["status"]["resources"]}
        assert ("Application", child) in managed
    assert lab.get_json("deployment", "ml-pipeline", "-n", "kubeflow")["status"].get("availableReplicas") == 1
