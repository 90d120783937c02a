"""namespace-missing, rule by rule: resources without a namespace, `namespaces "x" not found` on apply, and the
profile's namespaces that are absent or stuck Terminating (with the grace period at its boundary)."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.namespaces import namespace_missing
from kftui.model import Finding, Severity
from kftui.profile import AppSpec, Profile, builtin_profile
from tests.unit.fixtures.builders import (
    PIPELINES_PATH,
    drop,
    failed_operation,
    find,
    fresh,
    namespace,
    resource,
    snapshot,
    sync_result,
)

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]


def _findings(objects: list[Raw], profile: Profile = KUBEFLOW) -> list[Finding]:
    return list(namespace_missing(snapshot(objects), profile))


def _invalid_spec(objects: list[Raw], app: str, *messages: str) -> list[Raw]:
    find(objects, "Application", app)["status"]["conditions"] = [
        {"type": "InvalidSpecError", "message": m, "lastTransitionTime": "2026-11-20T02:45:12Z"}
        for m in messages
    ]
    return objects


def _not_found(objects: list[Raw], app: str, message: str, results: list[Raw] | None = None) -> list[Raw]:
    find(objects, "Application", app)["status"]["operationState"] = failed_operation(message, results or [])
    return objects


# --- resources without a namespace -------------------------------------------------------------------------


def test_one_resource_without_a_namespace_is_named_with_its_app_and_fixes() -> None:
    message = "Namespace for ml-pipeline apps/v1, Kind=Deployment is missing."
    objects = _invalid_spec(fresh(), "kubeflow-pipelines", message)
    find(objects, "Application", "kubeflow-pipelines")["metadata"]["namespace"] = (
        "ops"  # apps in any namespace
    )
    (f,) = _findings(objects)
    assert (f.check, f.severity) == ("namespace-missing", Severity.ERROR)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Deployment", None, "ml-pipeline")
    assert f.title == "kubeflow-pipelines: 1 namespaced resources have no namespace"
    assert f.evidence == f"status.conditions[InvalidSpecError]: {message}"
    assert f.explanation.startswith("Deployment ml-pipeline is namespaced but neither its manifest nor")
    assert "names a namespace, so Argo CD does not know where to put it." in f.explanation
    # the remedy, in order, each step naming the fix that does it
    assert f.explanation.endswith(
        "Set spec.destination.namespace on the Application (fix: fix-source), or add `namespace:` to the "
        "kustomization (fix: edit-manifests), then hard refresh (fix: hard-refresh)."
    )
    assert [x.command for x in f.fixes] == [
        "kubectl edit application kubeflow-pipelines -n ops",
        f"kustomize build {PIPELINES_PATH}",
        "argocd app get kubeflow-pipelines --hard-refresh",
    ]
    assert "kubeflow-pipelines" in f.fixes[1].title


@pytest.mark.parametrize("count", [2, 3])
def test_several_resources_without_a_namespace_are_one_finding_that_counts_them(count: int) -> None:
    """The first one is named and shown; the others are counted."""
    messages = [
        "Namespace for ml-pipeline-config /v1, Kind=ConfigMap is missing.",
        "Namespace for ml-pipeline apps/v1, Kind=Deployment is missing.",
        "Namespace for other apps/v1, Kind=Deployment is missing.",
    ]
    (f,) = _findings(_invalid_spec(fresh(), "kubeflow-pipelines", *messages[:count]))
    assert f.title == f"kubeflow-pipelines: {count} namespaced resources have no namespace"
    assert (f.subject.kind, f.subject.name) == ("ConfigMap", "ml-pipeline-config")
    assert f.evidence == f"status.conditions[InvalidSpecError]: {messages[0]} (and {count - 1} more like it)"


def test_a_kind_the_message_does_not_spell_as_kind_is_shown_as_written() -> None:
    (f,) = _findings(_invalid_spec(fresh(), "kubeflow", "Namespace for x some-gvk is missing."))
    assert (f.subject.kind, f.subject.name) == ("some-gvk", "x")


def test_other_conditions_are_not_a_missing_namespace() -> None:
    objects = _invalid_spec(fresh(), "kubeflow", "Namespace kubeflow is missing a label")
    assert _findings(objects) == []


# --- namespaces "x" not found --------------------------------------------------------------------


def test_a_namespace_not_found_on_apply_says_whether_the_app_creates_namespaces() -> None:
    message = 'namespaces "kubeflow-user-example-com" not found'
    objects = _not_found(fresh(), "kubeflow", message)
    find(objects, "Application", "kubeflow")["spec"]["syncPolicy"]["syncOptions"] = ["CreateNamespace = true"]
    (f,) = _findings(objects)
    assert (f.check, f.severity) == ("namespace-missing", Severity.ERROR)
    assert f.title == "kubeflow: namespace kubeflow-user-example-com does not exist"
    assert f.evidence == f"status.operationState.message: {message}"
    assert f.explanation == (
        "The sync tried to create objects in namespace kubeflow-user-example-com, which did not exist. "
        "CreateNamespace=true only creates the destination namespace, not the others a manifest names. "
        "Create it (fix: create-namespaces) or sync with CreateNamespace=true (fix: sync-create-namespace); "
        "if another app owns that namespace, sync that one first."
    )
    assert f.fixes[0].command == "kubectl create namespace kubeflow-user-example-com"
    assert f.fixes[1].command.endswith("&& argocd app sync kubeflow")


def test_without_create_namespace_the_explanation_says_so() -> None:
    (f,) = _findings(_not_found(fresh(), "kubeflow", 'namespace "team-a" not found'))
    assert f.explanation == (
        "The sync tried to create objects in namespace team-a, which did not exist. "
        "The Application does not set CreateNamespace=true. "
        "Create it (fix: create-namespaces) or sync with CreateNamespace=true (fix: sync-create-namespace); "
        "if another app owns that namespace, sync that one first."
    )


def test_a_namespace_that_exists_by_now_is_said_to_exist() -> None:
    """Also: the other apps' messages, read before this one, do not stop the scan."""
    (f,) = _findings(_not_found(fresh(), "kubeflow-pipelines", 'namespaces "auth" not found'))
    assert f.title == "kubeflow-pipelines: namespace auth does not exist (it does now)"


def test_each_namespace_is_reported_once_per_app() -> None:
    message = 'namespaces "team-a" not found'
    objects = _not_found(
        fresh(),
        "kubeflow",
        message,
        [
            sync_result("ConfigMap", "c", "team-a", message),
            sync_result("Role", "r", "team-b", 'namespaces "team-b" not found'),
        ],
    )
    objects = _not_found(objects, "kubeflow-pipelines", message)
    assert [(f.app, f.subject.name) for f in _findings(objects)] == [
        ("kubeflow", "team-a"),
        ("kubeflow", "team-b"),
        ("kubeflow-pipelines", "team-a"),
    ]


# --- the profile's namespaces ------------------------------------------------------------------------


def _profile(
    *namespaces: str, apps: tuple[str, ...] = ("kubeflow", "kubeflow-pipelines"), grace: int = 600
) -> Profile:
    return Profile(
        name="lab",
        applications=tuple(AppSpec(a) for a in apps),
        expected_namespaces=namespaces,
        progressing_grace_seconds=grace,
    )


def test_an_absent_namespace_is_put_on_the_app_that_deploys_into_it() -> None:
    objects = drop(fresh(), "Namespace", "cert-manager")
    find(objects, "Application", "kubeflow-pipelines")["status"]["resources"].append(
        resource("Deployment", "cert-manager", "cert-manager", group="apps")
    )
    (f,) = _findings(objects, _profile("cert-manager"))
    assert f.check == "namespace-missing"
    assert (f.app, f.severity, f.title) == (
        "kubeflow-pipelines",
        Severity.WARNING,
        "Namespace cert-manager does not exist",
    )
    assert f.evidence == "profile lab expects namespace cert-manager; it is not in the cluster"
    assert "Sync the app that creates it (kubeflow-pipelines)" in f.explanation
    assert f.fixes[0].command.endswith("&& argocd app sync kubeflow-pipelines")
    assert f.fixes[1].command == "kubectl create namespace cert-manager"


def test_an_absent_namespace_no_app_deploys_into_goes_to_the_first_installed_app() -> None:
    objects = drop(fresh(), "Namespace", "cert-manager")
    (f,) = _findings(
        objects, _profile("cert-manager", apps=("not-installed", "kubeflow-pipelines", "kubeflow"))
    )
    assert f.app == "kubeflow-pipelines"


def test_nothing_is_expected_when_no_app_of_the_profile_is_installed() -> None:
    objects = drop(fresh(), "Namespace", "cert-manager")
    assert _findings(objects, _profile("cert-manager", apps=("not-installed",))) == []
    assert _findings(objects, _profile()) == []


def test_nothing_is_expected_when_namespaces_are_unknown() -> None:
    """A snapshot without Namespaces, or one that could not list them, proves no namespace absent."""
    no_namespaces = [o for o in fresh() if o["kind"] != "Namespace"]
    assert _findings(no_namespaces, _profile("cert-manager")) == []
    snap = snapshot(drop(fresh(), "Namespace", "cert-manager"))
    forbidden = type(snap).from_objects(
        [*snap.namespaces.values(), *snap.applications.values()],
        now=snap.now,
        forbidden={"Namespace": "namespaces is forbidden"},
    )
    assert list(namespace_missing(forbidden, _profile("cert-manager"))) == []


@pytest.mark.parametrize(
    ("deleted_at", "fires"),
    [
        ("2026-11-20T03:02:00Z", True),  # exactly the 600 s grace before now (03:12)
        ("2026-11-20T03:02:01Z", False),  # one second inside it
    ],
)
def test_a_terminating_namespace_is_stuck_once_the_grace_period_is_over(deleted_at: str, fires: bool) -> None:
    objects = drop(fresh(), "Namespace", "auth")
    objects.append(namespace("auth", phase="Terminating", deleting=deleted_at))
    findings = _findings(objects, _profile("auth"))
    assert [f.title for f in findings] == (["Namespace auth is stuck Terminating"] if fires else [])


def test_a_namespace_still_in_its_grace_period_does_not_hide_the_next_one() -> None:
    objects = drop(drop(fresh(), "Namespace", "auth"), "Namespace", "cert-manager")
    objects.append(namespace("auth", phase="Terminating", deleting="2026-11-20T03:11:00Z"))
    assert [f.title for f in _findings(objects, _profile("auth", "cert-manager"))] == [
        "Namespace cert-manager does not exist"
    ]


def test_a_stuck_namespace_shows_its_phase_and_deletion_time_and_how_to_unblock_it() -> None:
    objects = drop(fresh(), "Namespace", "auth")
    objects.append(namespace("auth", phase="Terminating", deleting="2026-11-20T01:00:00Z"))
    (f,) = _findings(objects, _profile("auth"))
    assert (f.check, f.severity, f.app) == ("namespace-missing", Severity.ERROR, "kubeflow")
    assert (f.subject.kind, f.subject.name) == ("Namespace", "auth")
    assert (
        f.evidence == "Namespace auth: status.phase=Terminating, deletionTimestamp=2026-11-20T01:00:00+00:00"
    )
    assert [x.command for x in f.fixes] == [
        "kubectl describe namespace auth",
        "kubectl create namespace auth",
        "argocd app set kubeflow --sync-option CreateNamespace=true && argocd app sync kubeflow",
    ]
    # why it is stuck, what that blocks, and the remedy in order, each step naming its fix
    assert f.explanation == (
        "auth was deleted but cannot finish: usually custom resources inside it keep finalizers whose controller "
        "is gone, or an APIService is unavailable. Nothing can be created in it until it is gone. `kubectl describe` "
        "shows the blocking condition (fix: describe); once it is gone, recreate it (fix: create-namespaces) or sync "
        "with CreateNamespace=true (fix: sync-create-namespace)."
    )


def test_a_namespace_with_a_deletion_time_is_terminating_whatever_its_phase() -> None:
    objects = drop(fresh(), "Namespace", "auth")
    objects.append(namespace("auth", phase="Active", deleting="2026-11-20T01:00:00Z"))
    (f,) = _findings(objects, _profile("auth"))
    assert f.evidence.startswith("Namespace auth: status.phase=Active, deletionTimestamp=")


def test_a_terminating_namespace_without_a_deletion_time_is_stuck_at_once() -> None:
    objects = drop(fresh(), "Namespace", "auth")
    objects.append(namespace("auth", phase="Terminating"))
    (f,) = _findings(objects, _profile("auth"))
    assert f.evidence == "Namespace auth: status.phase=Terminating"


def test_active_namespaces_are_quiet() -> None:
    assert _findings(fresh(), _profile("auth", "kubeflow")) == []
