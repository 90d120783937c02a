"""resource_health reads "Missing" only from a list it saw (not when Pods or Namespaces were not listed), and
a workload's health from its own pods (matched by namespace as well as name)."""

from __future__ import annotations

from datetime import UTC, datetime

from kftui.checks.health import pod_index, resource_health, workload_health
from kftui.model import ClusterSnapshot, ManagedResource, Namespace, Pod, Workload

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BARE_POD = ManagedResource("", "v1", "Pod", "team-b", "job-runner")
NAMESPACE = ManagedResource("", "v1", "Namespace", "", "team-b")


def snapshot(forbidden: dict[str, str] | None = None) -> ClusterSnapshot:
    # Pods and a namespace are known, but not the pod or namespace the resources name.
    objects = [Pod(namespace="kubeflow", name="dex-1", phase="Running"), Namespace("kubeflow")]
    return ClusterSnapshot.from_objects(objects, now=NOW, forbidden=forbidden or {})


def test_an_absent_pod_is_missing_when_the_pods_were_listed() -> None:
    assert resource_health(snapshot(), BARE_POD).status == "Missing"
    assert resource_health(snapshot(), NAMESPACE).status == "Missing"


def test_an_absent_pod_is_not_missing_when_the_pods_were_not_listed() -> None:
    # Listed only in some namespaces (the namespaced fallback), or refused after an earlier list: the pods
    # in the snapshot are not all there are, so one not among them proves nothing.
    for reason in (
        "forbidden: cannot list Pod; listed only in namespaces kubeflow",
        "forbidden: cannot list Pod",
    ):
        for key in ("Pod", "pods"):  # by kind (live) or by collection (older dumps)
            health = resource_health(snapshot({key: reason}), BARE_POD)
            assert health.status == "", (key, reason, health)
    assert resource_health(snapshot({"Pod": "forbidden"}), NAMESPACE).status == "Missing", (
        "other kinds still read"
    )


def test_an_absent_namespace_is_not_missing_when_the_namespaces_were_not_listed() -> None:
    health = resource_health(snapshot({"Namespace": "forbidden: cannot list Namespace"}), NAMESPACE)
    assert health.status == ""
    assert resource_health(snapshot({"Namespace": "forbidden"}), BARE_POD).status == "Missing"


def test_a_workload_is_judged_by_the_pods_of_its_own_namespace() -> None:
    """`web` in team-a is healthy; the failing pod belongs to the `web` of team-b."""
    snap = ClusterSnapshot.from_objects(
        [
            Workload("Deployment", "team-a", "web", desired=1, ready=1, available=1),
            Workload("Deployment", "team-b", "web", desired=1, ready=0, available=0),
            Pod(
                namespace="team-a",
                name="web-1",
                phase="Running",
                workload_kind="Deployment",
                workload_name="web",
            ),
            Pod(
                namespace="team-b",
                name="web-1",
                phase="Failed",
                workload_kind="Deployment",
                workload_name="web",
            ),
        ],
        now=NOW,
    )
    for index in (None, pod_index(snap)):
        assert workload_health(snap, "Deployment", "team-a", "web", index).status == "Healthy"
        assert workload_health(snap, "Deployment", "team-b", "web", index).status == "Degraded"
