"""Pod.plainly_healthy, decided once when a pod is built, lets pod-failing skip a pod without diagnosing it.

The skip must never change a finding: a pod the flag calls healthy is one the full diagnosis finds nothing
wrong with, now or later; every kind of failure keeps the flag off; and a pod changed by a watch event (a new
object) has the flag of its new state.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.checks.pods import pod_failing, pod_failing_since
from kftui.cluster.convert import to_model
from kftui.model import ClusterSnapshot, ContainerStatus, Pod, WatchEvent, apply_events
from kftui.profile import builtin_profile
from tests.bench import checkpass
from tests.unit.fixtures import builders

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
PROFILE = builtin_profile("kubeflow")
OLD = NOW - timedelta(hours=2)


def running(ready: bool = True) -> ContainerStatus:
    return ContainerStatus("main", ready=ready, state="running")


def terminated(reason: str) -> ContainerStatus:
    return ContainerStatus("main", state="terminated", reason=reason)


def waiting(reason: str) -> ContainerStatus:
    return ContainerStatus("main", state="waiting", reason=reason)


def make_pod(*containers: ContainerStatus, **fields: Any) -> Pod:
    values: dict[str, Any] = {"phase": "Running", "ready": True, "node": "node-1", "created_at": OLD}
    values.update(fields)
    return Pod("ns", str(values.pop("name", "web-1")), containers=containers, **values)


@pytest.mark.parametrize(
    ("containers", "fields", "healthy"),
    [
        ((running(),), {}, True),
        ((), {}, True),  # no container statuses at all, yet Running and Ready
        ((running(), terminated("Completed")), {}, True),  # a finished init container
        ((running(),), {"phase": "Succeeded", "ready": False}, True),
        ((terminated("Completed"),), {"phase": "Succeeded", "ready": False}, True),
        ((running(),), {"ready": False}, False),
        ((running(),), {"unschedulable_message": "0/3 nodes are available"}, False),
        ((running(),), {"phase": "Pending"}, False),
        ((running(),), {"phase": "Failed"}, False),
        ((running(),), {"phase": "Unknown"}, False),
        ((running(), waiting("CrashLoopBackOff")), {}, False),
        ((waiting("ContainerCreating"),), {}, False),
        ((running(), terminated("OOMKilled")), {}, False),
        ((running(), terminated("Error")), {}, False),
        ((terminated("OOMKilled"),), {"phase": "Succeeded", "ready": False}, False),
        ((ContainerStatus("main", state="unknown"),), {}, False),
    ],
)
def test_only_a_running_and_ready_or_succeeded_pod_whose_containers_run_or_completed_is_plainly_healthy(
    containers: tuple[ContainerStatus, ...], fields: dict[str, Any], healthy: bool
) -> None:
    # (Built here, not in the parameters: mutation testing runs a test only when its body reaches the code.)
    assert make_pod(*containers, **fields).plainly_healthy is healthy


def _slow(pod: Pod) -> Pod:
    """The same pod with the flag off, so pod-failing diagnoses it the long way."""
    slow = copy.copy(pod)
    object.__setattr__(slow, "plainly_healthy", False)
    return slow


def _outcome(pods: list[Pod], now: datetime) -> tuple[object, ...]:
    snapshot = ClusterSnapshot.from_objects(list(pods), now=now)
    findings, passed = pod_failing_since(snapshot, PROFILE, None)
    return tuple(findings), sorted(passed.failing), sorted(passed.unsettled)


containers = st.builds(
    ContainerStatus,
    name=st.sampled_from(["main", "sidecar"]),
    ready=st.booleans(),
    state=st.sampled_from(["waiting", "running", "terminated", "unknown"]),
    reason=st.sampled_from(["", "Completed", "Error", "OOMKilled", "CrashLoopBackOff", "ImagePullBackOff"]),
    init=st.booleans(),
)
pods = st.builds(
    make_pod,
    phase=st.sampled_from(["Running", "Succeeded", "Pending", "Failed"]),
    ready=st.booleans(),
    unschedulable_message=st.sampled_from(["", "0/3 nodes are available"]),
    deleting=st.booleans(),
    created_at=st.sampled_from([OLD, NOW - timedelta(seconds=30), None]),
)


@settings(max_examples=300, deadline=None)
@given(shapes=st.lists(st.tuples(pods, st.lists(containers, max_size=3)), max_size=6))
def test_skipping_the_plainly_healthy_pods_changes_no_finding_and_no_pending_pod(
    shapes: list[tuple[Pod, list[ContainerStatus]]],
) -> None:
    built = [replace(pod, name=f"p{i}", containers=tuple(cs)) for i, (pod, cs) in enumerate(shapes)]
    assert _outcome(built, NOW) == _outcome([_slow(p) for p in built], NOW)
    # Nor later, when only time has passed: what the fast path skips never turns failing by itself.
    later = NOW + timedelta(hours=1)
    assert _outcome(built, later) == _outcome([_slow(p) for p in built], later)


@pytest.mark.parametrize("index", range(len(checkpass.FAILURES)))
def test_every_kind_of_failure_the_bench_makes_is_not_plainly_healthy_and_still_found(index: int) -> None:
    raw = builders.pod("ns", "web-5c8d7f9b6-x2k8q", "web")
    checkpass.FAILURES[index](raw)
    pod = to_model(raw)
    assert isinstance(pod, Pod) and not pod.plainly_healthy
    found = list(pod_failing(builders.snapshot([raw]), PROFILE))
    assert [f.subject.name for f in found] == [pod.name]


def test_the_bench_builder_pod_is_plainly_healthy_and_found_healthy() -> None:
    raw = builders.pod("ns", "web-5c8d7f9b6-x2k8q", "web")
    pod = to_model(raw)
    assert isinstance(pod, Pod) and pod.plainly_healthy
    assert list(pod_failing(builders.snapshot([raw]), PROFILE)) == []


def test_a_pod_changed_by_a_watch_event_has_the_flag_of_its_new_state() -> None:
    healthy = builders.pod("ns", "web-5c8d7f9b6-x2k8q", "web")
    crashing = copy.deepcopy(healthy)
    checkpass.FAILURES[0](crashing)
    first = builders.snapshot([healthy])
    findings, passed = pod_failing_since(first, PROFILE, None)
    assert findings == []

    broken = apply_events(first, [WatchEvent("MODIFIED", to_model(crashing))])  # type: ignore[arg-type]
    pod = broken.pods[("ns", "web-5c8d7f9b6-x2k8q")]
    assert not pod.plainly_healthy
    findings, passed = pod_failing_since(broken, PROFILE, passed)
    assert [f.title for f in findings] == ["Pod ns/web-5c8d7f9b6-x2k8q is CrashLoopBackOff"]

    healed = apply_events(broken, [WatchEvent("MODIFIED", to_model(healthy))])  # type: ignore[arg-type]
    assert healed.pods[("ns", "web-5c8d7f9b6-x2k8q")].plainly_healthy
    findings, _ = pod_failing_since(healed, PROFILE, passed)
    assert findings == []


def test_a_pod_copied_with_other_fields_gets_the_flag_of_its_new_fields() -> None:
    pod = make_pod(running())
    assert pod.plainly_healthy
    assert not replace(pod, ready=False).plainly_healthy
    assert not replace(pod, containers=(waiting("CrashLoopBackOff"),)).plainly_healthy
    assert replace(replace(pod, ready=False), ready=True).plainly_healthy


def test_the_flag_is_not_part_of_a_pods_identity_or_its_repr() -> None:
    pod = make_pod(running())
    assert pod == _slow(pod)
    assert "plainly_healthy" not in repr(pod)
