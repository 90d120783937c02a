"""The lab's spoke is real: a second control plane the hub's Argo CD deploys to, an argocd CLI, a get-only role."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
import yaml

from tests.lab import spoke_scenario as sc

pytestmark = pytest.mark.e2e

APPS = (sc.PARENT, *sc.HEALTHY_APPS, sc.DEGRADED_APP)


def _status(app: dict[str, Any]) -> tuple[str | None, str | None]:
    st = app.get("status", {})
    return st.get("sync", {}).get("status"), st.get("health", {}).get("status")


def _names(items: list[dict[str, Any]]) -> set[str]:
    return {i["metadata"]["name"] for i in items}


def _wait_apps(lab: Any) -> dict[str, dict[str, Any]]:
    wanted = {n: ("Synced", "Healthy") for n in (sc.PARENT, *sc.HEALTHY_APPS)} | {
        sc.DEGRADED_APP: ("Synced", "Degraded")
    }

    def settled() -> dict[str, dict[str, Any]] | None:
        apps = {n: lab.app(n) for n in wanted}
        return apps if all(_status(apps[n]) == s for n, s in wanted.items()) else None

    return lab.wait_for(settled, 240, f"spoke apps settled as {wanted}")  # type: ignore[no-any-return]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_spoke_apiserver_serves_its_own_cluster(lab_spoke):
    lab = lab_spoke
    assert lab.spoke_server != lab.server
    version = lab.spoke_kubectl("version", "-o", "json", check=True)
    assert yaml.safe_load(version.stdout)["serverVersion"]["gitVersion"].startswith("v1.")
    assert _names(lab.spoke_get_json("nodes")["items"]) == {"kwok-spoke-0"}
    assert _names(lab.get_json("nodes")["items"]) == {"kwok-node-0"}
    # The merged kubeconfig: both contexts, the hub current, each reaching its own cluster.
    contexts = subprocess.run(
        [lab.kubectl_path, "--kubeconfig", str(lab.kubeconfig_all), "config", "get-contexts", "-o", "name"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert set(contexts) == {lab.context, lab.spoke_context}
    merged = yaml.safe_load(lab.kubeconfig_all.read_text())
    assert merged["current-context"] == lab.context
    servers = {c["name"]: c["cluster"]["server"] for c in merged["clusters"]}
    assert servers == {lab.context: lab.server, lab.spoke_context: lab.spoke_server}
    nodes = subprocess.run(
        [
            lab.kubectl_path,
            "--kubeconfig",
            str(lab.kubeconfig_all),
            "--context",
            lab.spoke_context,
            "get",
            "nodes",
            "-o",
            "name",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert nodes == ["node/kwok-spoke-0"]


def test_argocd_shows_the_spoke_cluster_connected(lab_spoke):
    lab = lab_spoke
    _wait_apps(lab)  # the controller reports a cluster's connection once it caches it for an app

    def spoke_cluster() -> dict[str, Any] | None:
        r = httpx.get(f"http://{lab.argocd_server}/api/v1/clusters", timeout=10)
        found = [c for c in r.json()["items"] if c["server"] == lab.spoke_server]
        # The controller refreshes a cluster's info every 10 s: the app count catches up with the apps.
        ok = (
            found
            and found[0].get("connectionState", {}).get("status") == "Successful"
            and found[0].get("info", {}).get("applicationsCount", 0) >= 3
        )
        return found[0] if ok else None

    cluster = lab.wait_for(spoke_cluster, 120, "the spoke Successful with its 3 apps in /api/v1/clusters")
    assert cluster["name"] == lab.spoke_cluster_name
    secret = lab.get_json(
        "secret", "-n", lab.argocd_namespace, "-l", "argocd.argoproj.io/secret-type=cluster"
    )
    assert _names(secret["items"]) == {f"cluster-{lab.spoke_cluster_name}"}


def test_remote_apps_sync_to_the_spoke_healthy_and_degraded(lab_spoke):
    lab = lab_spoke
    apps = _wait_apps(lab)
    held = {(r["kind"], r["name"]) for r in apps[sc.PARENT]["status"]["resources"]}
    assert held == {("Application", n) for n in sc.HEALTHY_APPS}
    for name in sc.HEALTHY_APPS:
        assert apps[name]["spec"]["destination"]["server"] == lab.spoke_server
    assert apps[sc.DEGRADED_APP]["spec"]["destination"] == {"name": "spoke", "namespace": sc.NAMESPACE}
    tree = httpx.get(
        f"http://{lab.argocd_server}/api/v1/applications/{sc.DEGRADED_APP}/resource-tree", timeout=10
    ).json()
    health = {(n["kind"], n["name"]): n.get("health", {}) for n in tree["nodes"]}
    assert health[("Deployment", sc.CRASHING_DEPLOYMENT)]["status"] == "Degraded"
    assert "progress deadline" in health[("Deployment", sc.CRASHING_DEPLOYMENT)]["message"]
    # The workloads exist on the spoke and not on the hub.
    spoke_deploys = _names(lab.spoke_get_json("deployments", "-n", sc.NAMESPACE)["items"])
    assert spoke_deploys == {"seaweedfs", "ml-pipeline", sc.CRASHING_DEPLOYMENT}
    assert sc.CRASHING_DEPLOYMENT not in _names(lab.get_json("deployments", "-n", sc.NAMESPACE)["items"])


def test_the_crash_looping_pod_is_on_the_spoke_with_its_event_and_logs(lab_spoke):
    lab = lab_spoke
    selector = f"app={sc.CRASHING_DEPLOYMENT}"

    def crashing() -> dict[str, Any] | None:
        pods = lab.spoke_get_json("pods", "-n", sc.NAMESPACE, "-l", selector)["items"]
        waiting = [
            p
            for p in pods
            for c in p["status"].get("containerStatuses", [])
            if c["state"].get("waiting", {}).get("reason") == "CrashLoopBackOff"
        ]
        return waiting[0] if waiting else None

    pod = lab.wait_for(crashing, 120, "katib-controller pod in CrashLoopBackOff on the spoke")
    name = pod["metadata"]["name"]
    assert pod["spec"]["nodeName"] == "kwok-spoke-0"
    assert lab.get_json("pods", "-n", sc.NAMESPACE, "-l", selector)["items"] == []

    def backoff() -> list[dict[str, Any]]:
        events = lab.spoke_get_json(
            "events", "-n", sc.NAMESPACE, "--field-selector", f"involvedObject.name={name}"
        )
        return [e for e in events["items"] if e["reason"] == "BackOff"]

    [event] = lab.wait_for(backoff, 60, f"the BackOff event of {name} on the spoke")
    assert event["type"] == "Warning"
    logs = lab.spoke_kubectl("logs", "--previous", "-n", sc.NAMESPACE, name, check=True).stdout
    assert "failed to connect to katib-mysql" in logs
    # The same log through Argo CD's API (what kftui reads when it has no context for the spoke).
    r = httpx.get(
        f"http://{lab.argocd_auth_server}/api/v1/applications/{sc.DEGRADED_APP}/logs",
        params={"podName": name, "namespace": sc.NAMESPACE, "container": sc.CRASHING_DEPLOYMENT},
        headers=_auth(lab.argocd_admin_token()),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert "failed to connect to katib-mysql" in r.text


def test_the_argocd_cli_logs_in_lists_the_apps_and_their_resources(lab_spoke, tmp_path):
    lab = lab_spoke
    _wait_apps(lab)
    listed = lab.argocd_as("app", "list", "-o", "name")
    assert listed.returncode == 0, listed.stderr
    assert {f"argocd/{n}" for n in APPS} <= set(listed.stdout.split())
    resources = lab.argocd_as("app", "resources", sc.HEALTHY_APPS[0])
    assert resources.returncode == 0, resources.stderr
    # GROUP is blank for core kinds, so read the row from the right: KIND NAMESPACE NAME ORPHANED.
    rows = {tuple(line.split()[-4:-1]) for line in resources.stdout.splitlines()[1:]}
    assert rows == {("Deployment", sc.NAMESPACE, "seaweedfs"), ("Service", sc.NAMESPACE, "seaweedfs")}
    # A real login with admin's password, the way a person does it (config in a fresh HOME).
    env = {**os.environ, "HOME": str(tmp_path), "ARGOCD_BINARY_NAME": "argocd"}
    cli = str(lab.argocd_cli)
    login = subprocess.run(
        [
            cli,
            "login",
            lab.argocd_auth_server,
            "--plaintext",
            "--username",
            "admin",
            "--password",
            lab.admin_password(),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert login.returncode == 0, login.stderr
    who = subprocess.run(
        [cli, "account", "get-user-info", "-o", "yaml"], capture_output=True, text=True, env=env, timeout=60
    )
    assert who.returncode == 0, who.stderr
    assert yaml.safe_load(who.stdout) == {"loggedIn": True, "username": "admin", "iss": "argocd"}


def test_the_get_only_role_may_get_but_not_sync(lab_spoke):
    lab = lab_spoke
    base = f"http://{lab.argocd_auth_server}"
    viewer = lab.argocd_token_for_role()
    admin = lab.argocd_admin_token()
    app = sc.DEGRADED_APP
    got = httpx.get(f"{base}/api/v1/applications/{app}", headers=_auth(viewer), timeout=10)
    assert got.status_code == 200, got.text
    assert got.json()["metadata"]["name"] == app

    def visible() -> set[str] | None:
        items = httpx.get(f"{base}/api/v1/applications", headers=_auth(viewer), timeout=10).json()["items"]
        return _names(items) if set(APPS) <= _names(items) else None  # the parent creates two of them

    assert lab.wait_for(visible, 120, f"{APPS} listed for the role") == set(APPS), "its project's apps only"
    synced = httpx.post(f"{base}/api/v1/applications/{app}/sync", json={}, headers=_auth(viewer), timeout=10)
    assert synced.status_code == 403, synced.text
    assert "permission denied: applications, sync, multicluster/spoke-katib" in synced.json()["message"]
    cli = lab.argocd_as("app", "sync", app, token=viewer)
    assert cli.returncode != 0
    assert "PermissionDenied" in cli.stderr
    # The denial is the role's: admin may sync the same app, and the server refuses no token at all.
    can_i = f"{base}/api/v1/account/can-i/applications/sync/{sc.SPOKE_PROJECT}/{app}"
    assert httpx.get(can_i, headers=_auth(admin), timeout=10).json() == {"value": "yes"}
    assert httpx.get(can_i, headers=_auth(viewer), timeout=10).json() == {"value": "no"}
    assert httpx.get(f"{base}/api/v1/applications/{app}", timeout=10).status_code == 401


def test_env_prints_both_kubeconfigs_the_argocd_server_and_a_working_token(lab_spoke):
    lab = lab_spoke
    out = subprocess.run(
        [sys.executable, "-m", "tests.lab", "env"],
        capture_output=True,
        text=True,
        env={**os.environ, "KFTUI_LAB_DIR": str(lab.dir)},
        timeout=60,
        check=True,
    ).stdout
    exported = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())
    assert exported["KUBECONFIG"] == str(lab.kubeconfig)
    assert exported["KFTUI_LAB_SPOKE_KUBECONFIG"] == str(lab.spoke_kubeconfig)
    assert exported["KFTUI_LAB_KUBECONFIG_ALL"] == str(lab.kubeconfig_all)
    assert exported["ARGOCD_SERVER"] == lab.argocd_auth_server
    info = httpx.get(
        f"http://{exported['ARGOCD_SERVER']}/api/v1/session/userinfo",
        headers=_auth(exported["ARGOCD_AUTH_TOKEN"]),
        timeout=10,
    ).json()
    assert (info["loggedIn"], info["username"]) == (True, "admin")
