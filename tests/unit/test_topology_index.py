"""pod_owner_index reuses its last answer across batches: the incremental path must equal a fresh index."""

from __future__ import annotations

from datetime import UTC, datetime

from kftui import topology
from kftui.model import Application, ClusterSnapshot, ManagedResource, Pod, WatchEvent, apply_events

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def app(name: str, *deployments: str) -> Application:
    return Application(
        name=name,
        namespace="argocd",
        resources=tuple(ManagedResource("apps", "v1", "Deployment", "ns", d) for d in deployments),
    )


def pod(name: str, workload: str = "", instance: str = "") -> Pod:
    return Pod(
        namespace="ns",
        name=name,
        workload_kind="Deployment" if workload else "",
        workload_name=workload,
        labels={"app.kubernetes.io/instance": instance} if instance else {},
    )


def fresh(snapshot: ClusterSnapshot) -> dict[tuple[str, str], str]:
    topology._last_index = None
    return dict(topology.pod_owner_index(snapshot))


def test_incremental_index_equals_a_fresh_one() -> None:
    snap = ClusterSnapshot.from_objects(
        [app("a", "web"), app("b", "db"), pod("web-1", "web"), pod("db-1", "db"), pod("x", instance="b")],
        now=NOW,
    )
    assert fresh(snap) == {("ns", "web-1"): "a", ("ns", "db-1"): "b", ("ns", "x"): "b"}
    batches = [
        [WatchEvent("ADDED", pod("web-2", "web")), WatchEvent("DELETED", pod("db-1", "db"))],
        [WatchEvent("MODIFIED", pod("x", instance="a")), WatchEvent("MODIFIED", pod("web-1", "db"))],
        [WatchEvent("MODIFIED", pod("x")), WatchEvent("ADDED", pod("y", instance="nope"))],
        [WatchEvent("MODIFIED", app("b", "db", "web"))],
    ]
    topology.pod_owner_index(snap)
    for batch in batches:
        snap = apply_events(snap, list(batch))
        incremental = dict(topology.pod_owner_index(snap))
        assert incremental == fresh(snap)
        topology.pod_owner_index(snap)  # leave the cache warm for the next batch
