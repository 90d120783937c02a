"""dependency-order: apps ahead of what they depend on, contradicting waves, missing Application health check."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.ordering import dependency_order
from kftui.model import Finding, Severity
from kftui.profile import GENERIC, builtin_profile
from tests.unit.fixtures.builders import HEALTHY_ARGOCD_CM, drop, find, fresh, snapshot

KUBEFLOW = builtin_profile("kubeflow")


def _run(
    objects: list[dict[str, Any]], config: dict[str, str] | None = None, profile=KUBEFLOW
) -> list[Finding]:
    return list(dependency_order(snapshot(objects, argocd_config=config), profile))


def _set(objects, name: str, **status: str) -> None:
    app = find(objects, "Application", name)
    if "health" in status:
        app["status"]["health"] = {"status": status["health"], "message": status.get("message", "")}
    if "sync" in status:
        app["status"]["sync"]["status"] = status["sync"]
    if "phase" in status:
        app["status"]["operationState"]["phase"] = status["phase"]
        app["operation"] = {"sync": {"revision": "HEAD"}, "initiatedBy": {"username": "admin"}}


@pytest.mark.parametrize(
    ("dep_state", "dependent_state", "expected_title"),
    [
        (
            {"health": "Degraded"},
            {},
            "kubeflow-seaweedfs is Synced while kubeflow is Degraded (blocked by kubeflow)",
        ),
        (
            {"health": "Progressing"},
            {"sync": "OutOfSync", "phase": "Running"},
            "kubeflow-seaweedfs is syncing",
        ),
        (
            {"health": "Missing"},
            {"sync": "OutOfSync", "health": "Progressing"},
            "is Progressing while kubeflow is Missing",
        ),
    ],
)
def test_dependent_moving_while_dependency_unhealthy(dep_state, dependent_state, expected_title) -> None:
    objects = fresh()
    _set(objects, "kubeflow", **dep_state)
    _set(objects, "kubeflow-seaweedfs", **dependent_state)
    findings = _run(objects)
    seaweed_unhealthy = dependent_state.get("health", "Healthy") != "Healthy"
    # pipelines is Synced, so it is blocked in turn when seaweedfs is not Healthy
    assert [f.app for f in findings] == ["kubeflow-pipelines"] * seaweed_unhealthy + ["kubeflow-seaweedfs"]
    f = findings[-1]
    assert expected_title in f.title
    assert "blocked by kubeflow" in f.title
    assert [x.id for x in f.fixes] == ["ordered-sync"]
    assert "argocd app sync kubeflow && argocd app wait kubeflow --health" in f.fixes[0].command
    assert f.fixes[0].command.index("kubeflow-seaweedfs") < f.fixes[0].command.index("kubeflow-pipelines")


def test_dependent_that_is_not_moving_is_not_blocked() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Degraded")
    _set(objects, "kubeflow-seaweedfs", sync="OutOfSync", health="Missing")
    _set(objects, "kubeflow-pipelines", sync="OutOfSync", health="Missing")
    assert _run(objects) == []


def test_missing_dependency_app_blocks_too() -> None:
    objects = drop(fresh(), "Application", "kubeflow-seaweedfs")
    findings = _run(objects)
    assert len(findings) == 1
    assert findings[0].app == "kubeflow-pipelines"
    assert "kubeflow-seaweedfs does not exist" in findings[0].title


def test_generic_profile_has_no_order() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Degraded")
    assert _run(objects, profile=GENERIC) == []


@pytest.mark.parametrize(
    ("waves", "flagged"),
    [
        ({"kubeflow": "0", "kubeflow-seaweedfs": "0", "kubeflow-pipelines": "2"}, ["kubeflow-seaweedfs"]),
        ({"kubeflow": "0", "kubeflow-seaweedfs": "2", "kubeflow-pipelines": "1"}, ["kubeflow-pipelines"]),
        ({"kubeflow": "5", "kubeflow-seaweedfs": "1", "kubeflow-pipelines": "2"}, ["kubeflow-seaweedfs"]),
        ({"kubeflow": "-1", "kubeflow-seaweedfs": "0", "kubeflow-pipelines": "10"}, []),
    ],
)
def test_sync_waves_contradicting_the_profile(waves: dict[str, str], flagged: list[str]) -> None:
    objects = fresh()
    for name, wave in waves.items():
        find(objects, "Application", name)["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": wave}
    findings = _run(objects)
    assert [f.app for f in findings] == flagged
    for f in findings:
        assert "does not come after" in f.title
        assert "argocd.argoproj.io/sync-wave=" in f.evidence


def test_waves_without_application_health_check_in_argocd_cm() -> None:
    findings = _run(fresh(), config={"url": "https://argocd.example.com"})
    assert len(findings) == 1
    f = findings[0]
    assert f.app is None
    assert (f.subject.kind, f.subject.name) == ("ConfigMap", "argocd-cm")
    assert "resource.customizations.health.argoproj.io_Application" in f.evidence
    assert "ordered-sync" in [x.id for x in f.fixes]
    assert f.severity is Severity.WARNING


def test_unreadable_or_empty_argocd_cm_is_only_info() -> None:
    (f,) = _run(fresh(), config={})
    assert f.severity is Severity.INFO
    assert "could not be read" in f.evidence


@pytest.mark.parametrize(
    "config",
    [
        HEALTHY_ARGOCD_CM,
        {
            "resource.customizations": "argoproj.io/Application:\n  health.lua: |\n    hs = {}\n    return hs\n"
        },
    ],
    ids=["per-key", "single-blob"],
)
def test_application_health_check_in_either_form_is_enough(config: dict[str, str]) -> None:
    assert _run(fresh(), config=config) == []


def test_no_waves_no_health_check_needed() -> None:
    objects = fresh()
    for name in ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines"):
        find(objects, "Application", name)["metadata"].pop("annotations")
    assert _run(objects, config={}) == []


@pytest.mark.parametrize(
    ("finished", "fires"), [("2026-11-20T03:08:00Z", False), ("2026-11-20T02:30:00Z", True)]
)
def test_settled_dependent_during_a_short_rollout_of_its_dependency(finished: str, fires: bool) -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Progressing")
    find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"] = finished
    assert [f.app for f in _run(objects)] == (["kubeflow-seaweedfs"] if fires else [])
