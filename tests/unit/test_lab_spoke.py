"""The spoke's wiring, without starting anything: kubeconfigs, Argo CD objects, kwok config, stop order."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml

from tests.lab import lab as lab_mod
from tests.lab import spoke, spoke_scenario


@pytest.fixture
def lab(tmp_path: Path) -> lab_mod.Lab:
    ports = {"apiserver": 11001, "argocd-server": 11002, "redis": 11003, "repo-server": 11004}
    ports |= {name: 12000 + i for i, name in enumerate(spoke.PORTS)}
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\nlab ca\n")
    (tmp_path / "logs").mkdir()
    return lab_mod.Lab(dir=tmp_path, ports=ports, bin=tmp_path / "bin")


def test_kubeconfigs_one_for_the_spoke_and_one_with_both_contexts(lab: lab_mod.Lab) -> None:
    spoke.write_kubeconfigs(lab)
    only = yaml.safe_load(lab.spoke_kubeconfig.read_text())
    both = yaml.safe_load(lab.kubeconfig_all.read_text())
    assert only["current-context"] == "kftui-spoke"
    assert [c["cluster"]["server"] for c in only["clusters"]] == ["https://127.0.0.1:12002"]
    assert both["current-context"] == "kftui-lab"
    assert {c["name"]: c["context"]["cluster"] for c in both["contexts"]} == {
        "kftui-lab": "kftui-lab",
        "kftui-spoke": "kftui-spoke",
    }
    assert {c["name"]: c["cluster"]["server"] for c in both["clusters"]} == {
        "kftui-lab": "https://127.0.0.1:11001",
        "kftui-spoke": "https://127.0.0.1:12002",
    }


def test_the_cluster_secret_names_the_spoke_by_the_url_its_kubeconfig_uses(lab: lab_mod.Lab) -> None:
    secret = spoke.cluster_secret(lab, "sa-token")
    assert secret["metadata"]["labels"] == {"argocd.argoproj.io/secret-type": "cluster"}
    data = secret["stringData"]
    assert data["name"] == "spoke"
    # Same URL as kubeconfig-spoke: kftui maps the Argo CD cluster to that context without configuration.
    assert data["server"] == lab.spoke_server == "https://127.0.0.1:12002"
    config = json.loads(data["config"])
    assert config["bearerToken"] == "sa-token"
    assert base64.b64decode(config["tlsClientConfig"]["caData"]) == lab.pki.ca_cert.read_bytes()
    assert config["tlsClientConfig"]["insecure"] is False


def test_the_project_role_may_get_its_apps_and_nothing_else() -> None:
    project = spoke_scenario.project("https://127.0.0.1:12002")
    [role] = project["spec"]["roles"]
    assert role["name"] == "viewer"
    assert role["policies"] == ["p, proj:multicluster:viewer, applications, get, multicluster/*, allow"]
    dests = project["spec"]["destinations"]
    assert {"server": "https://127.0.0.1:12002", "namespace": "*"} in dests
    assert {"name": "spoke", "namespace": "*"} in dests


def test_spoke_apps_point_at_the_spoke_by_url_or_by_name() -> None:
    url = "https://127.0.0.1:12002"
    files = spoke_scenario.repo_files("file:///repos/spoke", url)
    children = [yaml.safe_load(files[f"apps/{n}.yaml"]) for n in spoke_scenario.HEALTHY_APPS]
    parent, degraded = spoke_scenario.applications("file:///repos/spoke")
    assert [c["spec"]["destination"] for c in children] == [{"server": url, "namespace": "kubeflow"}] * 2
    assert [c["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] for c in children] == ["-1", "0"]
    assert parent["spec"]["destination"]["server"] == "https://kubernetes.default.svc"
    assert degraded["spec"]["destination"] == {"name": "spoke", "namespace": "kubeflow"}
    assert {a["spec"]["project"] for a in [*children, parent, degraded]} == {"multicluster"}
    crashing, service, webhook = yaml.safe_load_all(files["katib/katib-controller.yaml"])
    # Never Available, so the rollout misses its deadline (Argo CD: Degraded) instead of Progressing forever.
    assert crashing["spec"]["minReadySeconds"] < crashing["spec"]["progressDeadlineSeconds"]
    assert crashing["spec"]["template"]["metadata"]["labels"]["kftui.lab/crash-loop"] == "true"
    # Katib's webhook calls the Service in front of those crash-looping pods: nothing can serve it.
    labels = crashing["spec"]["template"]["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in service["spec"]["selector"].items())
    (hook,) = webhook["webhooks"]
    assert hook["clientConfig"]["service"]["name"] == service["metadata"]["name"]
    assert hook["rules"][0]["apiGroups"] == [
        "kubeflow.org"
    ]  # no such API on the spoke: it intercepts nothing


def test_the_spokes_kwok_logs_and_backoff_event_leave_the_hubs_config_alone(lab: lab_mod.Lab) -> None:
    hub = (lab_mod.CONFIG / "kwok-lab.yaml").read_text()
    hub = hub.replace("@GATEWAY_PORT@", "11005").replace("@LOGS_DIR@", str(lab.logs_dir))
    (lab.dir / "kwok.yaml").write_text(hub)
    docs = list(yaml.safe_load_all(Path(spoke._kwok_config(lab)).read_text()))
    stages = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Stage"}
    assert stages["pod-crash-loop"]["spec"]["next"]["event"] == spoke_scenario.BACKOFF_EVENT
    assert "event" not in stages["pod-fail"]["spec"]["next"]  # only the crash loop gains the kubelet's event
    [logs] = [d for d in docs if d["kind"] == "ClusterLogs"]
    katib = logs["spec"]["logs"][0]
    assert katib["containers"] == ["katib-controller"]
    assert Path(katib["logsFile"]).read_text() == spoke_scenario.KATIB_CRASH_LOG
    hub_stages = [d for d in yaml.safe_load_all(hub) if d and d["kind"] == "Stage"]
    assert hub_stages and all("event" not in d["spec"]["next"] for d in hub_stages)


def test_down_stops_both_apiservers_after_their_clients_and_both_etcds_last(
    lab: lab_mod.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab.pids = {
        "spoke-etcd": 1001,
        "spoke-kube-apiserver": 1002,
        "etcd": 1003,
        "kube-apiserver": 1004,
        "spoke-kwok": 1005,
        "argocd-server-auth": 1006,
    }
    lab.save()
    tiers: list[list[int]] = []

    def stop_groups(pgids: list[int]) -> list[int]:
        tiers.append(sorted(pgids))
        return []

    monkeypatch.setattr(lab_mod.procs, "alive", lambda pid: True)
    monkeypatch.setattr(lab_mod.procs, "stop_groups", stop_groups)
    lab_mod.down(lab.dir, log=lambda line: None)
    assert tiers == [[1005, 1006], [1002, 1004], [1001, 1003]]
