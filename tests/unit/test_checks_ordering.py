"""dependency-order: apps ahead of what they depend on, contradicting waves, missing Application health check."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from kftui.checks.ordering import dependency_order
from kftui.model import Finding, Severity
from kftui.profile import GENERIC, AppSpec, Profile, builtin_profile
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


def test_blocked_dependent_finding_reads_end_to_end() -> None:
    """The evidence shows both apps' state as Argo CD reports it and the profile's rule; the explanation
    gives the profile's whole order."""
    objects = fresh()
    _set(objects, "kubeflow", health="Degraded", message="katib-controller crashing")
    (f,) = _run(objects)
    assert (f.check, f.severity, f.app) == ("dependency-order", Severity.WARNING, "kubeflow-seaweedfs")
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow-seaweedfs")
    assert f.title == "kubeflow-seaweedfs is Synced while kubeflow is Degraded (blocked by kubeflow)"
    assert f.evidence == (
        "kubeflow-seaweedfs: sync=Synced, health=Healthy, operation=Succeeded\n"
        "kubeflow: health=Degraded (katib-controller crashing), sync=Synced\n"
        "profile kubeflow: kubeflow-seaweedfs depends on kubeflow"
    )
    assert f.explanation.startswith(
        "kubeflow-seaweedfs needs kubeflow to be Healthy first (the profile's order is "
        "kubeflow -> kubeflow-seaweedfs -> kubeflow-pipelines). Until kubeflow is Healthy, what "
        "kubeflow-seaweedfs deploys"
    )
    assert "Fix kubeflow first" in f.explanation and "(fix: ordered-sync)" in f.explanation


def test_dependency_without_a_health_message_and_an_app_with_no_operation() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Missing")
    find(objects, "Application", "kubeflow-seaweedfs")["status"].pop("operationState")
    (f,) = _run(objects)
    assert f.evidence.startswith(
        "kubeflow-seaweedfs: sync=Synced, health=Healthy, operation=none\nkubeflow: health=Missing, sync=Synced\n"
    )


def test_missing_dependency_evidence_says_it_was_not_found() -> None:
    objects = drop(fresh(), "Application", "kubeflow-seaweedfs")
    (f,) = _run(objects)
    assert f.title == (
        "kubeflow-pipelines is Synced while kubeflow-seaweedfs does not exist (blocked by kubeflow-seaweedfs)"
    )
    assert f.evidence == (
        "kubeflow-pipelines: is Synced\nApplication kubeflow-seaweedfs not found in the cluster\n"
        "profile kubeflow: kubeflow-pipelines depends on kubeflow-seaweedfs"
    )
    assert f.fixes[0].title == "Sync kubeflow -> kubeflow-pipelines in order, waiting for each"


@pytest.mark.parametrize("phase", ["Running", "Terminating"])
def test_syncing_counts_as_moving_whatever_the_sync_status(phase: str) -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Degraded")
    _set(objects, "kubeflow-seaweedfs", sync="OutOfSync", health="Missing", phase=phase)
    (f,) = [f for f in _run(objects) if f.app == "kubeflow-seaweedfs"]
    assert f.title.startswith("kubeflow-seaweedfs is syncing while kubeflow is Degraded")


@pytest.mark.parametrize("phase", ["Running", "Terminating"])
def test_a_dependent_syncing_during_a_short_rollout_is_still_blocked(phase: str) -> None:
    """A dependent that is itself syncing is not settled, so a brief rollout of its dependency matters."""
    objects = fresh()
    _set(objects, "kubeflow", health="Progressing")
    _set(objects, "kubeflow-seaweedfs", phase=phase)
    find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"] = (
        "2026-11-20T03:08:00Z"
    )
    assert [f.app for f in _run(objects)] == ["kubeflow-seaweedfs"]


def test_a_dependent_that_is_not_healthy_during_a_short_rollout_is_still_blocked() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Progressing")
    _set(objects, "kubeflow-seaweedfs", health="Degraded")
    find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"] = (
        "2026-11-20T03:08:00Z"
    )
    assert "kubeflow-seaweedfs" in [f.app for f in _run(objects)]


@pytest.mark.parametrize(
    ("finished", "fires"),
    [("2026-11-20T03:02:01Z", False), ("2026-11-20T03:02:00Z", True)],
    ids=["just-inside-grace", "exactly-at-grace"],
)
def test_short_rollout_grace_boundary(finished: str, fires: bool) -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Progressing")
    find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"] = finished
    assert [f.app for f in _run(objects)] == (["kubeflow-seaweedfs"] if fires else [])


def test_a_degraded_dependency_is_never_a_routine_rollout() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Degraded")
    find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"] = (
        "2026-11-20T03:11:00Z"
    )
    assert [f.app for f in _run(objects)] == ["kubeflow-seaweedfs"]


def test_a_rollout_with_no_known_start_is_not_routine() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Progressing")
    app = find(objects, "Application", "kubeflow")
    app["status"].pop("operationState")
    app["metadata"].pop("creationTimestamp")
    assert [f.app for f in _run(objects)] == ["kubeflow-seaweedfs"]


def _waves(objects, **waves: str | None) -> None:
    for name, wave in waves.items():
        meta = find(objects, "Application", name.replace("_", "-"))["metadata"]
        if wave is None:
            meta.pop("annotations", None)
        else:
            meta["annotations"] = {"argocd.argoproj.io/sync-wave": wave}


def test_same_wave_starts_together_lower_wave_starts_before() -> None:
    """The explanation says how the two apps would actually start under an App of Apps."""
    objects = fresh()
    _waves(objects, kubeflow="1", kubeflow_seaweedfs="1", kubeflow_pipelines="0")
    before, together = _run(objects)
    assert together.title == "Sync wave of kubeflow-seaweedfs (1) does not come after kubeflow (1)"
    assert "kubeflow-seaweedfs starts together with kubeflow." in together.explanation
    assert before.title == "Sync wave of kubeflow-pipelines (0) does not come after kubeflow-seaweedfs (1)"
    assert "kubeflow-pipelines starts before kubeflow-seaweedfs." in before.explanation
    assert before.evidence == (
        "kubeflow-pipelines argocd.argoproj.io/sync-wave=0\nkubeflow-seaweedfs argocd.argoproj.io/sync-wave=1\n"
        "profile kubeflow: kubeflow-pipelines depends on kubeflow-seaweedfs"
    )
    assert (before.check, before.severity, before.app) == (
        "dependency-order",
        Severity.WARNING,
        "kubeflow-pipelines",
    )
    assert [x.id for x in before.fixes] == ["ordered-sync"]


def test_an_app_without_a_wave_counts_as_wave_zero() -> None:
    """Only one of the pair annotated: the other is in wave 0, and the evidence says so."""
    objects = fresh()
    _waves(objects, kubeflow="3", kubeflow_seaweedfs=None, kubeflow_pipelines=None)
    (f,) = _run(objects)
    assert f.title == "Sync wave of kubeflow-seaweedfs (0) does not come after kubeflow (3)"
    assert f.evidence.startswith(
        "kubeflow-seaweedfs argocd.argoproj.io/sync-wave=(none, so 0)\nkubeflow argocd.argoproj.io/sync-wave=3\n"
    )
    objects = fresh()
    _waves(objects, kubeflow=None, kubeflow_seaweedfs="-2", kubeflow_pipelines=None)
    (g,) = _run(objects)
    assert g.title == "Sync wave of kubeflow-seaweedfs (-2) does not come after kubeflow (0)"


def test_an_app_with_a_wave_after_an_unannotated_dependency_is_fine() -> None:
    objects = fresh()
    _waves(objects, kubeflow=None, kubeflow_seaweedfs="1", kubeflow_pipelines="2")
    assert _run(objects) == []


def test_waves_against_a_missing_dependency_are_not_compared() -> None:
    objects = drop(fresh(), "Application", "kubeflow")
    _waves(objects, kubeflow_seaweedfs="0", kubeflow_pipelines="5")
    assert [f.title for f in _run(objects) if "wave" in f.title] == []


def test_apps_outside_the_profile_are_not_ordered() -> None:
    objects = fresh()
    extra = find(objects, "Application", "kubeflow-pipelines")
    other = {**extra, "metadata": {**extra["metadata"], "name": "zz-other"}}
    objects.append(other)
    _set(objects, "kubeflow", health="Degraded")
    assert "zz-other" not in [f.app for f in _run(objects)]


def test_missing_health_check_lists_every_waved_app() -> None:
    """The finding names each annotated app with its wave and is only a warning when argocd-cm was read."""
    objects = fresh()
    _waves(objects, kubeflow=None)
    (f,) = _run(objects, config={"url": "https://argocd.example.com"})
    assert (f.subject.namespace, f.app, f.check) == ("argocd", None, "dependency-order")
    assert (
        f.title
        == "Sync waves between Applications have no effect: argocd-cm lacks the Application health check"
    )
    assert f.evidence == (
        "sync waves on Applications: kubeflow-pipelines=2, kubeflow-seaweedfs=1\n"
        "argocd-cm has no resource.customizations.health.argoproj.io_Application"
    )
    assert "`resource.customizations.health.argoproj.io_Application` Lua health check" in f.explanation
    assert f.fixes[0].command.startswith("argocd app sync kubeflow && ")


def test_one_wave_for_all_needs_no_health_check() -> None:
    """Waves only order anything when there are at least two of them."""
    objects = fresh()
    _waves(objects, kubeflow="0", kubeflow_seaweedfs=None, kubeflow_pipelines=None)
    assert [f.subject.name for f in _run(objects, config={})] == ["kubeflow-seaweedfs"]  # wave 0 = wave 0


@pytest.mark.parametrize(
    "config",
    [
        {"resource.customizations.health.argoproj.io_Application": "  \n"},
        {"resource.customizations": "argoproj.io/Application:\n  ignoreDifferences: |\n    x\n"},
        {"resource.customizations": "apps/Deployment:\n  health.lua: |\n    return hs\n"},
    ],
    ids=["blank-key", "app-without-health", "health-for-another-kind"],
)
def test_an_application_health_check_must_be_there_in_full(config: dict[str, str]) -> None:
    findings = _run(fresh(), config=config)
    assert [f.subject.name for f in findings] == ["argocd-cm"]
    assert findings[0].severity is Severity.WARNING
    assert "could not be read" not in findings[0].evidence


def _two_deps(first: str = "kubeflow") -> Profile:
    """Pipelines depending on two apps, the first of which is given."""
    return replace(
        KUBEFLOW,
        applications=(
            AppSpec("kubeflow"),
            AppSpec("kubeflow-seaweedfs", ("kubeflow",)),
            AppSpec("kubeflow-pipelines", (first, "kubeflow-seaweedfs")),
        )
        + (() if first == "kubeflow" else (AppSpec(first),)),
    )


def test_apps_outside_the_profile_before_it_do_not_stop_the_check() -> None:
    """An app the profile does not know, first by name, is skipped; the profile's apps are still checked."""
    objects = fresh()
    extra = copy.deepcopy(find(objects, "Application", "kubeflow-pipelines"))
    extra["metadata"]["name"] = "aaa-other"
    extra["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": "9"}
    objects.append(extra)
    _set(objects, "kubeflow", health="Degraded")
    _waves(objects, kubeflow="3")
    titles = [f.title for f in _run(objects)]
    assert "kubeflow-seaweedfs is Synced while kubeflow is Degraded (blocked by kubeflow)" in titles
    assert "Sync wave of kubeflow-seaweedfs (1) does not come after kubeflow (3)" in titles


def test_an_idle_app_first_does_not_stop_the_check() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Degraded", sync="OutOfSync")
    assert [f.app for f in _run(objects)] == ["kubeflow-seaweedfs"]


def test_every_dependency_of_an_app_is_checked() -> None:
    """A healthy, well-ordered or missing first dependency does not hide a problem with the second."""
    objects = fresh()
    _set(objects, "kubeflow-seaweedfs", health="Degraded")
    blocked = [f.title for f in _run(objects, profile=_two_deps()) if f.app == "kubeflow-pipelines"]
    assert blocked == [
        "kubeflow-pipelines is Synced while kubeflow-seaweedfs is Degraded (blocked by kubeflow-seaweedfs)"
    ]
    objects = fresh()
    _waves(objects, kubeflow="0", kubeflow_seaweedfs="5", kubeflow_pipelines="3")
    waves = [f.title for f in _run(objects, profile=_two_deps()) if f.app == "kubeflow-pipelines"]
    assert waves == ["Sync wave of kubeflow-pipelines (3) does not come after kubeflow-seaweedfs (5)"]
    objects = fresh()
    _waves(objects, kubeflow_seaweedfs="5", kubeflow_pipelines="3")
    gone = [
        f.title
        for f in _run(objects, profile=_two_deps("not-installed"))
        if f.subject.name == "kubeflow-pipelines"
    ]
    assert "Sync wave of kubeflow-pipelines (3) does not come after kubeflow-seaweedfs (5)" in gone


def test_wave_findings_tell_the_user_what_to_do() -> None:
    objects = fresh()
    _waves(objects, kubeflow=None, kubeflow_seaweedfs="-1", kubeflow_pipelines=None)
    (f,) = _run(objects)
    assert f.evidence.startswith(
        "kubeflow-seaweedfs argocd.argoproj.io/sync-wave=-1\nkubeflow argocd.argoproj.io/sync-wave=(none, so 0)\n"
    )
    assert f.explanation.endswith(
        "Give kubeflow-seaweedfs a higher wave than kubeflow in git, or sync them in order by hand (fix: ordered-sync)."
    )


def test_missing_health_check_explains_why_waves_do_not_wait() -> None:
    (f,) = _run(fresh(), config={})
    assert f.evidence.endswith(
        "argocd-cm has no resource.customizations.health.argoproj.io_Application "
        "(argocd-cm is empty or could not be read)"
    )
    assert f.explanation.startswith(
        "Since Argo CD 1.8 an Application has no built-in health check, so the parent app does not wait for one "
        "wave's apps to become Healthy before starting the next: every wave starts at once. Add the "
        "`resource.customizations.health.argoproj.io_Application` Lua health check"
    )
    assert f.explanation.endswith("or sync the chain in order yourself (fix: ordered-sync).")


def test_a_routine_rollout_of_the_first_dependency_does_not_hide_the_second() -> None:
    objects = fresh()
    _set(objects, "kubeflow", health="Progressing")
    find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"] = (
        "2026-11-20T03:08:00Z"
    )
    _set(objects, "kubeflow-seaweedfs", health="Degraded")
    blocked = [f.title for f in _run(objects, profile=_two_deps()) if f.app == "kubeflow-pipelines"]
    assert blocked == [
        "kubeflow-pipelines is Synced while kubeflow-seaweedfs is Degraded (blocked by kubeflow-seaweedfs)"
    ]
