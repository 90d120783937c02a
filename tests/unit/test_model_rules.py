"""What the model derives from the objects it holds, as the tree, the findings and the fixes show it: an
Application's operation phase and target namespaces, a pod's STATUS and ready count, the events about an
object, how objects are named, and the order findings are shown in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kftui.model import (
    Application,
    ClusterSnapshot,
    ContainerStatus,
    Event,
    Finding,
    FixRef,
    ManagedResource,
    Namespace,
    ObjectRef,
    OperationState,
    Pod,
    ResourceResult,
    Severity,
    SyncOperation,
    WebhookConfiguration,
    Workload,
    kind_of,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("operation", "state", "phase"),
    [
        (None, None, ""),
        (None, "Succeeded", "Succeeded"),
        (None, "Running", "Running"),
        (SyncOperation(), None, "Running"),
        (SyncOperation(), "", "Running"),
        (SyncOperation(), "Running", "Running"),
        (SyncOperation(), "Terminating", "Terminating"),
        (SyncOperation(), "Failed", "Failed"),
        (SyncOperation(), "Succeeded", "Succeeded"),
    ],
)
def test_an_apps_operation_phase(operation: SyncOperation | None, state: str | None, phase: str) -> None:
    """A requested operation is Running until Argo CD records a phase; otherwise the last operation's phase."""
    op_state = OperationState(state) if state is not None else None
    app = Application("a", "argocd", operation=operation, operation_state=op_state)
    assert app.operation_phase == phase


def test_an_apps_target_namespaces_are_its_destination_then_those_its_resources_name_once_each() -> None:
    app = Application(
        "a",
        "argocd",
        dest_namespace="kubeflow",
        resources=(
            ManagedResource("", "v1", "Service", "auth", "dex"),
            ManagedResource("", "v1", "Namespace", "", "istio-system"),
            ManagedResource("rbac.authorization.k8s.io", "v1", "ClusterRole", "", "admin"),
            ManagedResource("", "v1", "ConfigMap", "kubeflow", "cm"),
            ManagedResource("", "v1", "Namespace", "", "auth"),
        ),
    )
    assert app.target_namespaces == ("kubeflow", "auth", "istio-system")
    assert Application("b", "argocd").target_namespaces == ()


def test_a_resource_without_a_namespace_is_cluster_scoped() -> None:
    assert ManagedResource("", "v1", "Namespace", "", "team").ref == ObjectRef("Namespace", None, "team")
    assert ResourceResult("", "v1", "Service", "ns", "s").ref == ObjectRef("Service", "ns", "s")
    assert ResourceResult("", "v1", "ClusterRole", "", "r").ref == ObjectRef("ClusterRole", None, "r")
    assert str(ManagedResource("", "v1", "Service", "ns", "s").ref) == "Service/ns/s"


def test_objects_are_named_kind_namespace_name_or_kind_name() -> None:
    assert str(ObjectRef("Pod", "kubeflow", "web-1")) == "Pod/kubeflow/web-1"
    assert str(ObjectRef("ClusterRole", None, "admin")) == "ClusterRole/admin"
    assert str(ObjectRef("ClusterRole", "", "admin")) == "ClusterRole/admin"
    assert Application("a", "argocd").ref == ObjectRef("Application", "argocd", "a")
    assert Namespace("team").ref == ObjectRef("Namespace", None, "team")
    assert WebhookConfiguration("MutatingWebhookConfiguration", "h").ref == ObjectRef(
        "MutatingWebhookConfiguration", None, "h"
    )
    assert Workload("StatefulSet", "ns", "db").ref == ObjectRef("StatefulSet", "ns", "db")


def init(reason: str, state: str = "waiting") -> ContainerStatus:
    return ContainerStatus("init", state=state, reason=reason, init=True)  # type: ignore[arg-type]


def main(reason: str = "", state: str = "running", ready: bool = False) -> ContainerStatus:
    return ContainerStatus("main", state=state, reason=reason, ready=ready)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pod", "status"),
    [
        (Pod("ns", "p", phase="Pending", containers=(init("CrashLoopBackOff"), main("ContainerCreating", "waiting"))), "Init:CrashLoopBackOff"),
        (Pod("ns", "p", phase="Pending", containers=(init("Error", "terminated"),)), "Init:Error"),
        (Pod("ns", "p", phase="Running", containers=(init("Completed", "terminated"), main("OOMKilled", "terminated"))), "OOMKilled"),
        (Pod("ns", "p", phase="Running", containers=(init("", "waiting"), main())), "Running"),
        (Pod("ns", "p", phase="Running", containers=(init("Stale", "running"), main("Stale", "running"))), "Running"),
        (Pod("ns", "p", phase="Pending", containers=(init("", "unknown"), main("ErrImagePull", "waiting"))), "ErrImagePull"),
        (Pod("ns", "p", phase="Failed", reason="Evicted"), "Evicted"),
        (Pod("ns", "p", phase="Running", reason="Evicted", deleting=True), "Terminating"),
    ],
)  # fmt: skip
def test_a_pods_status_is_what_kubectl_get_pods_shows(pod: Pod, status: str) -> None:
    """Terminating first, then an init container's reason (Init:...), a container's reason, the pod's reason,
    else its phase; a completed init container or a running container's stale reason says nothing."""
    assert pod.display_status == status


def test_a_pods_ready_count_and_restarts() -> None:
    pod = Pod(
        "ns",
        "p",
        containers=(
            ContainerStatus("init", ready=True, restart_count=1, init=True),
            ContainerStatus("a", ready=True, restart_count=2),
            ContainerStatus("b", ready=False, restart_count=3),
        ),
    )
    assert pod.ready_count == (1, 2)
    assert pod.restarts == 6
    assert Pod("ns", "q").ready_count == (0, 0)


def event(name: str, about: ObjectRef, seen: datetime | None) -> Event:
    return Event("ns", name, about, last_seen=seen)


def test_the_events_about_an_object_newest_first_undated_last() -> None:
    pod = ObjectRef("Pod", "ns", "web")
    events = [
        event("old", pod, NOW - timedelta(hours=1)),
        event("undated", pod, None),
        event("new", pod, NOW),
        event("other-kind", ObjectRef("Service", "ns", "web"), NOW),
        event("other-ns", ObjectRef("Pod", "team", "web"), NOW),
        event("other-name", ObjectRef("Pod", "ns", "api"), NOW),
    ]
    snapshot = ClusterSnapshot.from_objects(list(events), now=NOW)
    assert [e.name for e in snapshot.events_for(pod)] == ["new", "old", "undated"]
    assert snapshot.events_for(ObjectRef("Pod", "ns", "none")) == []


def test_every_object_knows_its_kind() -> None:
    assert kind_of(Workload("DaemonSet", "ns", "d")) == "DaemonSet"
    assert (
        kind_of(WebhookConfiguration("ValidatingWebhookConfiguration", "v"))
        == "ValidatingWebhookConfiguration"
    )
    assert kind_of(Pod("ns", "p")) == "Pod"
    assert kind_of(Application("a", "argocd")) == "Application"


def finding(severity: Severity, app: str | None, check: str = "c", name: str = "p") -> Finding:
    return Finding(check, severity, app, ObjectRef("Pod", "ns", name), "t", "e", "x")


def test_findings_sort_by_severity_then_app_with_app_less_last_then_check_then_subject() -> None:
    found = [
        finding(Severity.INFO, "a"),
        finding(Severity.WARNING, None),
        finding(Severity.WARNING, "zz"),
        finding(Severity.ERROR, "b", "z"),
        finding(Severity.ERROR, "b", "a", "q"),
        finding(Severity.ERROR, "b", "a", "p"),
    ]
    ordered = sorted(found, key=lambda f: f.sort_key)
    assert [(f.severity.value, f.app, f.check, f.subject.name) for f in ordered] == [
        ("error", "b", "a", "p"),
        ("error", "b", "a", "q"),
        ("error", "b", "z", "p"),
        ("warning", "zz", "c", "p"),
        ("warning", None, "c", "p"),
        ("info", "a", "c", "p"),
    ]
    assert [s.rank for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)] == [0, 1, 2]


def test_a_fix_command_is_its_steps_each_quoted_for_a_shell() -> None:
    fix = FixRef(
        "restart", "t", (("kubectl", "rollout", "restart", "deployment/web; rm -rf /"), ("echo", "ok"))
    )
    assert fix.command == "kubectl rollout restart 'deployment/web; rm -rf /' && echo ok"


def test_a_batch_applies_every_change_after_a_refusal_or_a_relist() -> None:
    """A batch mixing refusals, relists and events applies all of them, in order."""
    from kftui.model import Forbidden, Relisted, WatchEvent, apply_events

    start = ClusterSnapshot.from_objects([Pod("ns", "old")], now=NOW)
    after = apply_events(
        start,
        [
            Forbidden("services", "forbidden", kind="Service"),
            WatchEvent("ADDED", Pod("ns", "a")),
            Relisted("workloads", (Workload("Deployment", "ns", "web"),), kind="Deployment"),
            WatchEvent("ADDED", Pod("ns", "b")),
            Relisted("workloads", (Workload("StatefulSet", "ns", "db"),), kind="StatefulSet"),
            WatchEvent("ADDED", Workload("DaemonSet", "ns", "agent")),
        ],
    )
    assert sorted(name for _, name in after.pods) == ["a", "b", "old"]
    assert sorted(after.workloads) == [
        ("DaemonSet", "ns/agent"),
        ("Deployment", "ns/web"),
        ("StatefulSet", "ns/db"),
    ]
    assert dict(after.forbidden) == {"Service": "forbidden"}


def test_changed_keys_reach_back_past_steps_that_left_the_collection_alone() -> None:
    """The pods changed two batches ago are found through a later batch that touched only the Applications."""
    from kftui.model import WatchEvent, apply_events, changed_keys

    start = ClusterSnapshot.from_objects([Pod("ns", "a"), Application("app", "argocd")], now=NOW)
    pods_changed = apply_events(start, [WatchEvent("ADDED", Pod("ns", "b"))])
    apps_changed = apply_events(
        pods_changed, [WatchEvent("MODIFIED", Application("app", "argocd", project="x"))]
    )
    assert changed_keys(apps_changed, "pods", start.pods) == {("ns", "b")}
    assert changed_keys(apps_changed, "pods", pods_changed.pods) == frozenset()
    assert changed_keys(apps_changed, "applications", start.applications) == {("argocd", "app")}
