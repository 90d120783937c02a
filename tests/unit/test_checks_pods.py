"""pod-failing: the STATUS column's failures, and healthy or young pods that must not fire."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.pods import pod_failing
from kftui.model import Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import fresh, pod, snapshot

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
