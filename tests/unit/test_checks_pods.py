"""pod-failing: the STATUS column's failures, and healthy or young pods that must not fire."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.checks.pods import EXPLANATIONS, latest_warnings, pod_failing
from kftui.model import ClusterSnapshot, Event, ObjectRef, Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import NOW, fresh, pod, snapshot

KUBEFLOW = builtin_profile("kubeflow")


def _with(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [*fresh(), p]


@pytest.mark.parametrize(
    ("reason", "title"),
    [
        ("CrashLoopBackOff", "is CrashLoopBackOff"),
        ("ImagePullBackOff", "is ImagePullBackOff"),
        ("CreateContainerConfigError", "is CreateContainerConfigError"),
    ],
)
def test_failing_container_states(reason: str, title: str) -> None:
    p = pod("kubeflow", "ml-pipeline-ui-5c8d7f9b6-zzzzz", "ml-pipeline-ui", ready=False, waiting=reason)
    (f,) = pod_failing(snapshot(_with(p)), KUBEFLOW)
    assert title in f.title and f.severity is Severity.ERROR
    assert "restart" in [x.id for x in f.fixes]


def test_unschedulable_pod() -> None:
    p = pod("kubeflow", "ml-pipeline-ui-5c8d7f9b6-zzzzz", "ml-pipeline-ui", ready=False)
    p["status"] = {
        "phase": "Pending",
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": "0/1 nodes are available: 1 Insufficient cpu.",
            }
        ],
    }
    (f,) = pod_failing(snapshot(_with(p)), KUBEFLOW)
    assert "Insufficient cpu" in f.evidence


@pytest.mark.parametrize(
    ("created", "fires"), [("2026-11-20T03:10:00Z", False), ("2026-11-20T02:00:00Z", True)]
)
def test_not_ready_only_after_grace(created: str, fires: bool) -> None:
    p = pod("kubeflow", "ml-pipeline-ui-5c8d7f9b6-zzzzz", "ml-pipeline-ui", ready=False)
    p["metadata"]["creationTimestamp"] = created
    assert len(list(pod_failing(snapshot(_with(p)), KUBEFLOW))) == int(fires)


def test_crash_loop_after_oom_kill_is_explained_as_oom() -> None:
    """A container back-off-waiting after an OOM kill (lastState.terminated.reason OOMKilled) needs more memory,
    not the generic crash-loop advice."""
    p = pod(
        "kubeflow",
        "ml-pipeline-ui-5c8d7f9b6-zzzzz",
        "ml-pipeline-ui",
        ready=False,
        waiting="CrashLoopBackOff",
    )
    p["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"reason": "OOMKilled", "exitCode": 137}
    }
    (f,) = pod_failing(snapshot(_with(p)), KUBEFLOW)
    assert (f.check, f.severity) == ("pod-failing", Severity.ERROR)
    assert "is CrashLoopBackOff" in f.title
    assert "CrashLoopBackOff, 4 restarts, last exit OOMKilled (code 137)" in f.evidence
    assert f.explanation == EXPLANATIONS["OOMKilled"]
    assert "logs" in [x.id for x in f.fixes]


@pytest.mark.parametrize(("age_past_grace", "fires"), [(-1, False), (0, True), (1, True)])
def test_not_ready_grace_boundary(age_past_grace: int, fires: bool) -> None:
    """The profile's grace is [created, created + grace): a pod not Ready exactly `grace` seconds after its
    creation has had its grace period and is reported; one second earlier it is still young."""
    grace = KUBEFLOW.progressing_grace_seconds
    created = NOW - timedelta(seconds=grace + age_past_grace)
    p = pod("kubeflow", "ml-pipeline-ui-5c8d7f9b6-zzzzz", "ml-pipeline-ui", ready=False)
    p["metadata"]["creationTimestamp"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    findings = list(pod_failing(snapshot(_with(p)), KUBEFLOW))
    assert len(findings) == int(fires)
    if fires:
        (f,) = findings
        assert (f.check, f.severity) == ("pod-failing", Severity.WARNING)
        assert f.title == "Pod kubeflow/ml-pipeline-ui-5c8d7f9b6-zzzzz is not Ready"


def test_not_ready_pod_reported_once_its_grace_ends_without_changing() -> None:
    """The same pod objects one second later, across the boundary: the pass that reuses the last one must
    re-diagnose the young pod and report it exactly when its grace period ends."""
    p = pod("kubeflow", "ml-pipeline-ui-5c8d7f9b6-zzzzz", "ml-pipeline-ui", ready=False)
    created = datetime.fromisoformat(p["metadata"]["creationTimestamp"])
    grace = timedelta(seconds=KUBEFLOW.progressing_grace_seconds)
    young = snapshot(_with(p), now=created + grace - timedelta(seconds=1))
    assert list(pod_failing(young, KUBEFLOW)) == []
    (f,) = pod_failing(replace(young, now=created + grace), KUBEFLOW)
    assert (f.check, f.severity) == ("pod-failing", Severity.WARNING)


@st.composite
def events_about_pods(draw: st.DrawFn) -> list[Event]:
    """Events of both types about a few pods (and one other kind), some at the same time, some with none."""
    times = [None, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)]
    return [
        Event(
            namespace="ns",
            name=f"e{i}",
            involved=ObjectRef(
                draw(st.sampled_from(["Pod", "Deployment"])), "ns", draw(st.sampled_from(["a", "b", "c"]))
            ),
            reason=f"R{i}",
            message=f"m{i}",
            type=draw(st.sampled_from(["Warning", "Normal"])),
            last_seen=draw(st.sampled_from(times)),
        )
        for i in range(draw(st.integers(0, 8)))
    ]


@settings(max_examples=300, deadline=None)
@given(events=events_about_pods())
def test_latest_warnings_in_one_pass_match_events_for_per_pod(events: list[Event]) -> None:
    snap = ClusterSnapshot.from_objects(list(events), now=datetime(2026, 1, 3, tzinfo=UTC))
    subjects = [ObjectRef("Pod", "ns", n) for n in ("a", "b")]
    one_by_one = {}
    for ref in subjects:
        warning = next((e for e in snap.events_for(ref) if e.type == "Warning"), None)
        if warning is not None:
            one_by_one[ref] = f"event {warning.reason}: {warning.message}"
    assert latest_warnings(snap, subjects) == one_by_one
