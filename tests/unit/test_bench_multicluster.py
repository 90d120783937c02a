"""The multi-cluster bench row's pure parts: the apps it deploys, how it reads Argo CD's and the argocd CLI's
answers, how it decides the tree is complete, and the row it prints (tests/bench/mcapps.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from kftui.model import (
    ARGOCD_API,
    Application,
    ClusterSnapshot,
    ContainerStatus,
    ManagedResource,
    Origin,
    Pod,
)
from kftui.ui.tree_model import TreeModel
from tests.bench import mcapps as mc

SPOKE_SERVER = "https://127.0.0.1:40123"
NOW = datetime(2026, 12, 4, tzinfo=UTC)


@pytest.mark.parametrize(("apps", "hub", "spoke"), [(40, 20, 20), (5, 3, 2), (1, 1, 0)])
def test_the_apps_are_split_between_the_hub_and_the_spoke(apps: int, hub: int, spoke: int) -> None:
    spread = mc.Spread(apps=apps, pods_per_app=3)
    clusters = spread.clusters()
    assert len(clusters) == apps
    assert sum(c == mc.HUB for c in clusters.values()) == hub
    assert sum(c == mc.SPOKE for c in clusters.values()) == spoke
    assert spread.pods == 3 * apps
    assert spread.expected_pods() == dict.fromkeys(clusters, 3)


def test_each_app_deploys_its_own_deployment_to_its_cluster() -> None:
    spread = mc.Spread(apps=4, pods_per_app=2)
    apps = {a["metadata"]["name"]: a for a in mc.applications(spread, "file:///r/mcbench", SPOKE_SERVER)}
    assert apps["mcbench-hub-00"]["spec"]["destination"] == {
        "server": mc.IN_CLUSTER,
        "namespace": "mcbench-hub",
    }
    assert apps["mcbench-spoke-01"]["spec"]["destination"] == {
        "server": SPOKE_SERVER,
        "namespace": "mcbench-spoke",
    }
    assert {a["spec"]["project"] for a in apps.values()} == {"multicluster"}
    assert {a["spec"]["source"]["path"] for a in apps.values()} == set(apps)
    files = mc.repo_files(spread)
    deploy = yaml.safe_load(files["mcbench-spoke-01/deployment.yaml"])
    assert deploy["metadata"]["name"] == "mcbench-spoke-01"
    assert deploy["spec"]["replicas"] == 2
    assert yaml.safe_load(files["mcbench-spoke-01/kustomization.yaml"])["namespace"] == "mcbench-spoke"


def _app_item(name: str, sync: str, health: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "status": {"sync": {"status": sync}, "health": {"status": health}}}


def test_unsettled_names_each_app_not_synced_and_healthy() -> None:
    answer = {
        "items": [
            _app_item("a", "Synced", "Healthy"),
            _app_item("b", "Synced", "Progressing"),
            _app_item("other", "OutOfSync", "Missing"),
        ]
    }
    assert mc.unsettled(answer, ["a", "b", "c"]) == ["b: Synced/Progressing", "c: missing"]
    assert mc.unsettled(answer, ["a"]) == []


def _pod_item(phase: str, ready: str) -> dict[str, Any]:
    return {"status": {"phase": phase, "conditions": [{"type": "Ready", "status": ready}]}}


def test_running_pods_counts_running_and_ready_only() -> None:
    answer = {
        "items": [
            _pod_item("Running", "True"),
            _pod_item("Running", "False"),
            _pod_item("Pending", "False"),
            _pod_item("Running", "True"),
        ]
    }
    assert mc.running_pods(answer) == 2


RESOURCES = """GROUP  KIND        NAMESPACE     NAME            ORPHANED
apps   Deployment  mcbench-hub   mcbench-hub-00  No
       Service     mcbench-hub   web             No
"""


def test_resource_rows_read_the_columns_from_the_right() -> None:
    assert mc.resource_rows(RESOURCES) == {("Deployment", "mcbench-hub-00"), ("Service", "web")}


def test_the_anchor_must_list_every_app_and_name_its_deployment() -> None:
    listed = json.dumps([{"metadata": {"name": "mcbench-hub-00"}}, {"metadata": {"name": "mcbench-hub-01"}}])
    resources = {"mcbench-hub-00": RESOURCES, "mcbench-hub-01": RESOURCES}
    assert mc.anchor_missing(listed, resources, ["mcbench-hub-00"]) == []
    assert mc.anchor_missing(listed, resources, ["mcbench-hub-00", "mcbench-hub-01", "mcbench-hub-02"]) == [
        "mcbench-hub-01: `argocd app resources` has no Deployment mcbench-hub-01",
        "mcbench-hub-02: not in `argocd app list`",
    ]


def _pod(name: str, deployment: str, ready: bool = True, origin: Origin | None = None) -> Pod:
    return Pod(
        namespace="mcbench-spoke",
        name=name,
        phase="Running" if ready else "Pending",
        ready=ready,
        containers=(ContainerStatus(name="main", ready=ready, restart_count=0, state="running"),),
        owner_kind="ReplicaSet",
        owner_name=f"{deployment}-5d9",
        workload_kind="Deployment",
        workload_name=deployment,
        origin=origin,
    )


def _app(name: str) -> Application:
    return Application(
        name=name,
        namespace="argocd",
        resources=(ManagedResource("apps", "v1", "Deployment", "mcbench-spoke", name),),
        dest_name="spoke",  # (its pods are the spoke's: an app owns only the objects of its own cluster)
    )


def test_the_tree_is_complete_only_when_every_app_shows_its_running_pods() -> None:
    remote = Origin("spoke", ARGOCD_API)
    snap = ClusterSnapshot.from_objects(
        [
            _app("a"),
            _app("b"),
            _pod("a-1", "a", origin=remote),
            _pod("a-2", "a", origin=remote),
            _pod("b-1", "b", origin=remote),
            _pod("b-2", "b", ready=False, origin=remote),
            _pod("stray", "nobody", origin=remote),
        ],
        now=NOW,
    )
    seen = mc.tree_pods(TreeModel(snap, []))
    assert seen == {"a": 2, "b": 1}
    assert mc.shortfall({"a": 2, "b": 2}, seen) == {"b": (1, 2)}
    assert mc.shortfall({"a": 2, "c": 1}, seen) == {"c": (0, 1)}
    assert mc.shortfall({"a": 2, "b": 1}, seen) == {}


def test_the_row_shows_both_figures_and_the_ratio() -> None:
    figures = {
        "apps": 40,
        "hub_apps": 20,
        "spoke_apps": 20,
        "pods": 120,
        "argocd_version": "v3.2.11+unknown",
        "anchor_s": 8.0,
        "kftui_first_tree_s": 2.0,
        "kftui_snapshot_s": 1.5,
        "kftui/anchor": mc.ratio(2.0, 8.0),
    }
    anchor, kftui = mc.rows(figures)
    assert anchor[1:3] == ("8.00 s", "1.00x")
    assert "40 x app resources" in anchor[0] and "20 hub + 20 spoke" in anchor[3]
    assert kftui[1:3] == ("2.00 s", "0.25x")
    lines = mc.format_rows([anchor, kftui])
    assert lines[0].index("8.00 s") == lines[1].index("2.00 s")  # columns aligned


def test_a_zero_anchor_gives_no_ratio() -> None:
    assert mc.ratio(1.0, 0.0) != mc.ratio(1.0, 0.0)  # NaN, not a division error


def test_the_summary_line_carries_the_ratio_when_the_row_ran() -> None:
    from tests.bench.main import summary

    main = {
        "first_tree/floor": 0.8,
        "kubectl/kftui": 8.0,
        "watch_p95_ms": 150,
        "event_p95_ms": 170,
        "checks_ms": 25,
        "key_p95_ms": 30,
        "rss_mb": 200,
    }
    assert summary(main) == (
        "bench: first_tree/floor=0.80 kubectl/kftui=8.00 event_p95_ms=150 e2e_p95_ms=170 checks_ms=25 "
        "key_p95_ms=30 rss_mb=200"
    )
    assert summary({**main, "multicluster": {"kftui/anchor": 0.3}}).endswith(
        " multicluster_kftui/anchor=0.30"
    )
    assert summary({"multicluster": {"kftui/anchor": 0.25}}) == "bench: multicluster_kftui/anchor=0.25"
