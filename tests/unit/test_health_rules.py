"""The health kftui computes when Argo CD did not record one (Argo CD 3.x): each rule of resource_health,
workload_health and pod_failure, at its boundaries, with the message the tree and the findings show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks.health import (
    Health,
    _group_by_workload,
    pod_failure,
    pod_index,
    resource_health,
    workload_health,
)
from kftui.model import (
    ClusterSnapshot,
    ContainerStatus,
    CustomResourceDefinition,
    KubeObject,
    ManagedResource,
    Namespace,
    Pod,
    Workload,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def snap(*objects: KubeObject, forbidden: dict[str, str] | None = None) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(objects), now=NOW, forbidden=forbidden or {})


def managed(kind: str, namespace: str, name: str, health: str = "", message: str = "") -> ManagedResource:
    return ManagedResource("", "v1", kind, namespace, name, health_status=health, health_message=message)


def container(reason: str, state: str = "waiting", **extra: object) -> ContainerStatus:
    return ContainerStatus("main", state=state, reason=reason, **extra)  # type: ignore[arg-type]


def workload_pod(name: str, *containers: ContainerStatus, phase: str = "Running", **extra: object) -> Pod:
    return Pod(
        namespace="kubeflow",
        name=name,
        phase=phase,
        containers=containers,
        workload_kind="Deployment",
        workload_name="web",
        **extra,  # type: ignore[arg-type]
    )


FAILING = [
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "OOMKilled",
]


@pytest.mark.parametrize("reason", FAILING)
@pytest.mark.parametrize("state", ["waiting", "terminated"])
def test_each_failing_container_reason_names_the_pod_failure(reason: str, state: str) -> None:
    """Every reason `kubectl get pods` shows for a broken container, waiting or terminated, is the failure."""
    pod = Pod("kubeflow", "p", phase="Running", containers=(container("Completed"), container(reason, state)))
    assert pod_failure(pod) == reason


@pytest.mark.parametrize(
    ("containers", "phase", "expected"),
    [
        ((container("CrashLoopBackOff", "running"),), "Running", ""),
        ((container("CrashLoopBackOff", "unknown"),), "Running", ""),
        ((container("ContainerCreating"),), "Pending", ""),
        ((container("Completed", "terminated"),), "Succeeded", ""),
        ((), "Failed", "Failed"),
        ((container("Error", "terminated"),), "Failed", "Failed"),
        ((container("OOMKilled", "terminated"),), "Failed", "OOMKilled"),
    ],
)
def test_pod_failure_needs_a_failing_state_or_phase(
    containers: tuple[ContainerStatus, ...], phase: str, expected: str
) -> None:
    """A failing reason counts only while the container waits or has terminated; a Failed phase says Failed."""
    assert pod_failure(Pod("kubeflow", "p", phase=phase, containers=containers)) == expected


def test_the_first_failing_pod_by_name_is_the_one_a_degraded_workload_names() -> None:
    snapshot = snap(
        Workload("Deployment", "kubeflow", "web", desired=2, ready=0, available=0),
        workload_pod("web-b", container("ErrImagePull")),
        workload_pod("web-a", container("CrashLoopBackOff")),
        workload_pod("web-0", container("", "running")),
    )
    health = workload_health(snapshot, "Deployment", "kubeflow", "web")
    assert health == Health("Degraded", "pod web-a: CrashLoopBackOff", computed=True)
    assert resource_health(snapshot, managed("Deployment", "kubeflow", "web")) == health
    index = pod_index(snapshot)
    assert [p.name for p in index.get(("Deployment", "kubeflow", "web"))] == ["web-0", "web-a", "web-b"]


def test_pods_without_a_workload_are_not_indexed() -> None:
    snapshot = snap(Pod("kubeflow", "bare", workload_name="web"), workload_pod("web-1"))
    assert list(_group_by_workload(snapshot)) == [("Deployment", "kubeflow", "web")]


@pytest.mark.parametrize(
    ("desired", "ready", "available", "status"),
    [
        (2, 2, 2, "Healthy"),
        (2, 3, 3, "Healthy"),
        (0, 0, 0, "Healthy"),
        (2, 1, 2, "Progressing"),
        (2, 2, 1, "Progressing"),
        (2, 1, 1, "Progressing"),
    ],
)
def test_a_workload_is_healthy_only_with_every_desired_replica_ready_and_available(
    desired: int, ready: int, available: int, status: str
) -> None:
    snapshot = snap(
        Workload("StatefulSet", "kubeflow", "db", desired=desired, ready=ready, available=available)
    )
    health = workload_health(snapshot, "StatefulSet", "kubeflow", "db")
    assert (health.status, health.computed) == (status, True)
    if status == "Healthy":
        assert health.message == ""


def test_a_progressing_workload_says_how_many_replicas_are_ready_and_available() -> None:
    snapshot = snap(Workload("Deployment", "kubeflow", "web", desired=3, ready=1, available=2))
    health = resource_health(snapshot, managed("Deployment", "kubeflow", "web"))
    assert health == Health("Progressing", "1/3 replicas ready, 2 available", computed=True)


def test_an_absent_workload_is_missing_only_when_the_workloads_were_listed() -> None:
    """Missing names the workload; with no workloads at all, or its kind not listed, the health is unknown."""
    other = Workload("Deployment", "kubeflow", "other", desired=1, ready=1, available=1)
    res = managed("Deployment", "kubeflow", "web")
    assert resource_health(snap(other), res) == Health(
        "Missing", "Deployment kubeflow/web does not exist", computed=True
    )
    assert resource_health(snap(), res) == Health("")
    assert resource_health(snap(other, forbidden={"Deployment": "forbidden"}), res) == Health("")
    assert resource_health(snap(other, forbidden={"StatefulSet": "forbidden"}), res).status == "Missing"


def test_argo_cds_recorded_health_wins_over_the_live_objects() -> None:
    snapshot = snap(Workload("Deployment", "kubeflow", "web", desired=1, ready=1, available=1))
    health = resource_health(snapshot, managed("Deployment", "kubeflow", "web", "Degraded", "rollout stuck"))
    assert health == Health("Degraded", "rollout stuck")
    assert not health.computed


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        (Pod("ns", "p", phase="Running", ready=True), Health("Healthy", computed=True)),
        (Pod("ns", "p", phase="Succeeded"), Health("Healthy", computed=True)),
        (Pod("ns", "p", phase="Running", ready=False), Health("Progressing", "Running", computed=True)),
        (Pod("ns", "p", phase="Pending", ready=True), Health("Progressing", "Pending", computed=True)),
        (
            Pod("ns", "p", phase="Running", containers=(container("ErrImagePull"),)),
            Health("Degraded", "ErrImagePull", computed=True),
        ),
        (Pod("ns", "p", phase="Failed"), Health("Degraded", "Failed", computed=True)),
    ],
)
def test_a_bare_pods_health(pod: Pod, expected: Health) -> None:
    """A pod is Healthy once it succeeded or runs Ready, Degraded with its failure, else Progressing with the
    STATUS kubectl shows."""
    assert resource_health(snap(pod), managed("Pod", "ns", "p")) == expected


def test_an_absent_pod_or_namespace_needs_a_non_empty_list_to_be_missing() -> None:
    assert resource_health(snap(Pod("ns", "other")), managed("Pod", "ns", "p")) == Health(
        "Missing", computed=True
    )
    assert resource_health(snap(Namespace("other")), managed("Pod", "ns", "p")) == Health("")
    ns = managed("Namespace", "", "team")
    assert resource_health(snap(Namespace("other")), ns) == Health("Missing", computed=True)
    assert resource_health(snap(Pod("ns", "other")), ns) == Health("")


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        (Namespace("team"), Health("Healthy", computed=True)),
        (
            Namespace("team", phase="Terminating"),
            Health("Progressing", "namespace is Terminating", computed=True),
        ),
        (
            Namespace("team", deleting_since=NOW),
            Health("Progressing", "namespace is Terminating", computed=True),
        ),
    ],
)
def test_a_namespace_is_progressing_while_it_terminates(namespace: Namespace, expected: Health) -> None:
    assert resource_health(snap(namespace), managed("Namespace", "", "team")) == expected


@pytest.mark.parametrize(("established", "status"), [(True, "Healthy"), (False, "Progressing")])
def test_a_crd_is_healthy_once_established(established: bool, status: str) -> None:
    crd = CustomResourceDefinition(
        "notebooks.kubeflow.org", "kubeflow.org", "Notebook", established=established
    )
    health = resource_health(snap(crd), managed("CustomResourceDefinition", "", "notebooks.kubeflow.org"))
    assert health == Health(status, computed=True)


def test_health_is_unknown_for_an_absent_crd_and_for_kinds_without_a_rule() -> None:
    crd = CustomResourceDefinition("notebooks.kubeflow.org", "kubeflow.org", "Notebook", established=True)
    assert resource_health(
        snap(crd), managed("CustomResourceDefinition", "", "other.kubeflow.org")
    ) == Health("")
    assert resource_health(snap(crd), managed("ConfigMap", "kubeflow", "cm")) == Health("")


def test_health_reads_the_pods_from_the_index_the_caller_built_once() -> None:
    """A caller asking for many resources passes pod_index(snapshot) once; the health comes from that index,
    which is not rebuilt per resource (here an index of an earlier snapshot, when the pod still crashed)."""
    workload = Workload("Deployment", "kubeflow", "web", desired=1, ready=1, available=1)
    earlier = snap(workload, workload_pod("web-1", container("CrashLoopBackOff")))
    now = snap(workload, workload_pod("web-1", container("", "running")))
    res = managed("Deployment", "kubeflow", "web")
    assert resource_health(now, res).status == "Healthy"
    assert resource_health(now, res, pod_index(earlier)).status == "Degraded"
    assert workload_health(now, "Deployment", "kubeflow", "web", pod_index(earlier)).status == "Degraded"


def test_a_pod_index_groups_the_pods_only_when_first_asked() -> None:
    """app-degraded shares one index over every degraded app's resources: when Argo CD recorded every
    resource's health it is never read, and grouping 100,000 pods would be wasted."""
    snapshot = snap(workload_pod("web-a", container("", "running")))
    index = pod_index(snapshot)
    assert index._groups is None
    assert resource_health(
        snapshot, managed("Deployment", "kubeflow", "web", "Degraded", "stuck"), index
    ) == Health("Degraded", "stuck")
    assert index._groups is None
    assert [p.name for p in index.get(("Deployment", "kubeflow", "web"))] == ["web-a"]
    assert index._groups is not None
    assert index.get(("Deployment", "kubeflow", "other")) == []
