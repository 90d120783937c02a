"""apply_event / apply_events: watch changes applied to a snapshot, purely."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.model import (
    ClusterSnapshot,
    Forbidden,
    Namespace,
    Pod,
    Relisted,
    WatchEvent,
    Workload,
    apply_event,
    apply_events,
)

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 20, 3, 1, tzinfo=UTC)


def pod(name: str, phase: str = "Running", ns: str = "kubeflow") -> Pod:
    return Pod(namespace=ns, name=name, phase=phase)


def base() -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([pod("a"), pod("b"), Namespace("kubeflow")], now=T0)


@pytest.mark.parametrize(
    ("change", "expected_pods"),
    [
        (WatchEvent("ADDED", pod("c")), {"a": "Running", "b": "Running", "c": "Running"}),
        (WatchEvent("MODIFIED", pod("a", "Failed")), {"a": "Failed", "b": "Running"}),
        (WatchEvent("DELETED", pod("b")), {"a": "Running"}),
        (WatchEvent("DELETED", pod("never-seen")), {"a": "Running", "b": "Running"}),
        (Relisted("pods", (pod("z"),), kind="Pod"), {"z": "Running"}),
    ],
)
def test_apply_event(change: WatchEvent | Relisted, expected_pods: dict[str, str]) -> None:
    before = base()
    after = apply_event(before, change, now=T1)
    assert {k[1]: p.phase for k, p in after.pods.items()} == expected_pods
    assert after.now == T1
    # the input snapshot is untouched and unrelated collections are shared, not copied
    assert {k[1] for k in before.pods} == {"a", "b"}
    assert after.namespaces is before.namespaces


def test_modified_replaces_rather_than_duplicates() -> None:
    snap = base()
    for phase in ("Pending", "Running", "Failed"):
        snap = apply_event(snap, WatchEvent("MODIFIED", pod("a", phase)))
    assert len(snap.pods) == 2
    assert snap.pods[("kubeflow", "a")].phase == "Failed"


def test_relist_of_one_kind_keeps_the_other_kinds_of_its_collection() -> None:
    deploy = Workload("Deployment", "kubeflow", "dex")
    sts = Workload("StatefulSet", "kubeflow", "seaweedfs")
    snap = ClusterSnapshot.from_objects([deploy, sts], now=T0)
    fresh = Workload("Deployment", "kubeflow", "centraldashboard")
    after = apply_event(snap, Relisted("workloads", (fresh,), kind="Deployment"))
    assert sorted(w.name for w in after.workloads.values()) == ["centraldashboard", "seaweedfs"]


def test_forbidden_is_noted_and_cleared_by_a_later_successful_list() -> None:
    snap = apply_event(base(), Forbidden("pods", "forbidden: cannot list Pod", kind="Pod"))
    assert snap.forbidden == {"Pod": "forbidden: cannot list Pod"}
    assert len(snap.pods) == 2, "a refusal does not throw away what we knew"
    snap = apply_event(snap, Relisted("pods", (pod("x"),), kind="Pod"))
    assert snap.forbidden == {}


def test_batch_equals_one_by_one() -> None:
    changes = [
        WatchEvent("ADDED", pod("c")),
        WatchEvent("MODIFIED", pod("c", "Failed")),
        WatchEvent("DELETED", pod("a")),
        WatchEvent("ADDED", Namespace("auth")),
    ]
    one_by_one = base()
    for change in changes:
        one_by_one = apply_event(one_by_one, change)
    batched = apply_events(base(), list(changes))
    assert dict(batched.pods) == dict(one_by_one.pods)
    assert dict(batched.namespaces) == dict(one_by_one.namespaces)


def test_empty_batch_returns_the_same_snapshot() -> None:
    snap = base()
    assert apply_events(snap, []) is snap


def test_pod_display_status_prefers_the_container_reason() -> None:
    from kftui.model import ContainerStatus

    crashing = Pod(
        "kubeflow",
        "x",
        phase="Running",
        containers=(ContainerStatus("main", state="waiting", reason="CrashLoopBackOff", restart_count=4),),
    )
    assert crashing.display_status == "CrashLoopBackOff"
    assert crashing.restarts == 4
    assert Pod("kubeflow", "y", phase="Pending").display_status == "Pending"
    assert Pod("kubeflow", "z", phase="Running", deleting=True).display_status == "Terminating"


def test_a_watch_event_clears_the_forbidden_note_of_its_kind_only() -> None:
    noted = apply_events(
        base(),
        [
            Forbidden("pods", "forbidden: cannot list Pod", kind="Pod"),
            Forbidden("workloads", "forbidden: cannot list Deployment", kind="Deployment"),
            Forbidden("workloads", "forbidden: cannot list StatefulSet", kind="StatefulSet"),
        ],
    )
    snap = apply_event(noted, WatchEvent("ADDED", pod("c")))
    assert snap.forbidden == {
        "Deployment": "forbidden: cannot list Deployment",
        "StatefulSet": "forbidden: cannot list StatefulSet",
    }
    # A workload's note is cleared by its own kind, not by its collection.
    snap = apply_event(snap, WatchEvent("MODIFIED", Workload("StatefulSet", "kubeflow", "seaweedfs")))
    assert snap.forbidden == {"Deployment": "forbidden: cannot list Deployment"}
    # A deletion is a watch event too: the kind is being watched again.
    snap = apply_event(snap, WatchEvent("DELETED", Workload("Deployment", "kubeflow", "dex")))
    assert snap.forbidden == {}
    assert noted.forbidden == {
        "Pod": "forbidden: cannot list Pod",
        "Deployment": "forbidden: cannot list Deployment",
        "StatefulSet": "forbidden: cannot list StatefulSet",
    }, "the input snapshot is untouched"


def test_a_relist_clears_the_forbidden_note_of_its_kind_only() -> None:
    noted = apply_events(
        base(),
        [
            Forbidden("workloads", "forbidden: cannot list Deployment", kind="Deployment"),
            Forbidden("workloads", "forbidden: cannot list StatefulSet", kind="StatefulSet"),
        ],
    )
    snap = apply_event(noted, Relisted("workloads", (), kind="Deployment"))
    assert snap.forbidden == {"StatefulSet": "forbidden: cannot list StatefulSet"}


def test_every_model_type_lands_in_a_snapshot_collection_named_by_the_kind_registry() -> None:
    """COLLECTION_OF is derived from kftui.kinds: a wrong entry there would send objects to a field that does
    not exist (from_objects fails) or to another kind's collection."""
    from dataclasses import fields

    from kftui import kinds
    from kftui.model import COLLECTION_OF, KIND_OF_TYPE, WebhookConfiguration

    snapshot_fields = {f.name for f in fields(ClusterSnapshot)}
    assert set(COLLECTION_OF.values()) <= snapshot_fields
    assert len(set(COLLECTION_OF.values())) == len(COLLECTION_OF), "one collection per model type"
    for typ, kind in KIND_OF_TYPE.items():
        assert COLLECTION_OF[typ] == kinds.KINDS[kind].collection
    assert COLLECTION_OF[Workload] == "workloads" and COLLECTION_OF[WebhookConfiguration] == "webhooks"
    snap = ClusterSnapshot.from_objects(
        [Workload("StatefulSet", "ns", "db"), WebhookConfiguration("MutatingWebhookConfiguration", "hook")],
        now=T0,
    )
    assert list(snap.workloads) == [("StatefulSet", "ns/db")]
    assert list(snap.webhooks) == [("MutatingWebhookConfiguration", "hook")]
