"""crd-missing, rule by rule: which kind and API version a finding names, what it says about the live CRD,
which app it sends the user to first, and when two messages are one finding."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.crds import crd_missing
from kftui.model import Finding
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import (
    crd,
    drop,
    failed_operation,
    find,
    fresh,
    resource,
    snapshot,
    sync_result,
)

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]

NO_MATCHES = (
    'resource mapping not found for name: "random-search" namespace: "kubeflow" from "": no matches for kind '
    '"Experiment" in version "kubeflow.org/v1beta1" ensure CRDs are installed first'
)
ARGO_NO_VERSION = (
    "The Kubernetes API could not find kubeflow.org/Experiment for requested resource kubeflow/random-search. "
    'Make sure the "Experiment" CRD is installed on the destination cluster.'
)
ARGO_VERSION = (
    'The Kubernetes API could not find version "v1beta1" of kubeflow.org/Experiment for requested resource '
    "kubeflow/random-search."
)


def _fail(objects: list[Raw], app: str, message: str, results: list[Raw]) -> list[Raw]:
    find(objects, "Application", app)["status"]["operationState"] = failed_operation(message, results)
    return objects


def _experiment(message: str, objects: list[Raw] | None = None, app: str = "kubeflow") -> list[Raw]:
    return _fail(
        fresh() if objects is None else objects,
        app,
        "one or more objects failed to apply",
        [sync_result("Experiment", "random-search", "kubeflow", message, group="kubeflow.org")],
    )


def _without_experiment_crd() -> list[Raw]:
    return drop(fresh(), "CustomResourceDefinition", "experiments.kubeflow.org")


def _findings(objects: list[Raw]) -> list[Finding]:
    return list(crd_missing(snapshot(objects), KUBEFLOW))


@pytest.mark.parametrize(
    ("message", "gv"),
    [
        (NO_MATCHES, "kubeflow.org/v1beta1"),
        (ARGO_NO_VERSION, "kubeflow.org"),
        (ARGO_VERSION, "kubeflow.org/v1beta1"),
        ("the server could not find the requested resource", "kubeflow.org/v1"),  # from the sync result
        ("ensure CRDs are installed first", "kubeflow.org/v1"),
        ("resource mapping not found for name: random-search", "kubeflow.org/v1"),
        ("Resource mapping not found for name: random-search", "kubeflow.org/v1"),
    ],
    ids=["no-matches", "argo", "argo-version", "generic", "ensure-crds", "mapping", "mapping-capitalised"],
)
def test_the_title_names_the_kind_and_the_api_version_the_message_gives(message: str, gv: str) -> None:
    """Each wording yields the kind and its group/version; the generic one takes them from the sync result."""
    (f,) = _findings(_experiment(message, _without_experiment_crd()))
    assert f.title == f"kubeflow: the API server does not know kind Experiment ({gv})"
    assert f"no CRD for Experiment ({gv}) exists in the cluster" in f.explanation


def test_a_core_kind_from_the_generic_message_names_only_its_version() -> None:
    """A kind without an API group (core) is shown as its bare version, never as `/v1`."""
    objects = _fail(
        fresh(),
        "kubeflow",
        "one or more objects failed to apply",
        [sync_result("Widget", "w", "kubeflow", "the server could not find the requested resource")],
    )
    (f,) = _findings(objects)
    assert f.title.endswith("kind Widget (v1)")
    assert (f.subject.kind, f.subject.name) == ("Widget", "w")


def test_a_message_without_a_resource_is_about_the_app() -> None:
    """An operation message that names a kind but no resource puts the Application itself as the subject."""
    (f,) = _findings(_fail(_without_experiment_crd(), "kubeflow", NO_MATCHES, []))
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow")
    assert f.evidence == f"status.operationState.message: {NO_MATCHES}"


@pytest.mark.parametrize(
    ("established", "state"),
    [
        (True, "CRD experiments.kubeflow.org exists now; the sync ran before it did"),
        (False, "CRD experiments.kubeflow.org exists but is not Established yet"),
    ],
)
def test_the_explanation_says_what_the_live_crd_looks_like(established: bool, state: str) -> None:
    objects = _without_experiment_crd()
    objects.append(crd("experiments.kubeflow.org", "kubeflow.org", "Experiment", established=established))
    (f,) = _findings(_experiment(ARGO_VERSION, objects))
    assert f"A Experiment was applied but {state}." in f.explanation


@pytest.mark.parametrize(
    ("message", "gv"),
    [
        (NO_MATCHES, "kubeflow.org/v1beta1"),
        (ARGO_NO_VERSION, "kubeflow.org"),
        (ARGO_VERSION, "kubeflow.org/v1beta1"),
    ],
    ids=["no-matches", "argo", "argo-version"],
)
def test_a_crd_of_the_same_kind_in_another_group_is_not_the_one_missing(message: str, gv: str) -> None:
    """Only a CRD of the group the message names counts as present; a same-named kind elsewhere does not.

    Found by mutation testing: Argo CD's wording without a version named the group, but the check dropped it and
    took any CRD of that kind for the missing one."""
    objects = _without_experiment_crd()
    objects.append(crd("experiments.example.com", "example.com", "Experiment"))
    (f,) = _findings(_experiment(message, objects))
    assert f"no CRD for Experiment ({gv}) exists in the cluster" in f.explanation


@pytest.mark.parametrize(
    "message",
    ['no matches for kind "Experiment" in version "v1"', "the server could not find the requested resource"],
)
def test_no_crd_serves_a_kind_in_the_core_group(message: str) -> None:
    """A manifest that gives a custom kind the core group (`apiVersion: v1`) is not fixed by the CRD of that kind
    in its real group, so the check does not say that CRD "exists now"."""
    objects = _fail(
        fresh(),
        "kubeflow",
        "one or more objects failed to apply",
        [sync_result("Experiment", "e", "kubeflow", message)],
    )
    (f,) = _findings(objects)
    assert "no CRD for Experiment (v1) exists in the cluster" in f.explanation


def test_an_unrelated_sync_failure_of_a_custom_resource_is_not_a_missing_crd() -> None:
    assert _findings(_experiment("admission webhook denied the request: invalid spec")) == []


def test_the_same_kind_twice_in_one_app_is_one_finding_and_each_app_gets_its_own() -> None:
    objects = _fail(
        _without_experiment_crd(),
        "kubeflow",
        NO_MATCHES,
        [sync_result("Experiment", "random-search", "kubeflow", ARGO_VERSION, group="kubeflow.org")],
    )
    objects = _experiment(ARGO_NO_VERSION, objects, app="kubeflow-pipelines")
    findings = _findings(objects)
    assert [(f.app, f.subject.name) for f in findings] == [
        ("kubeflow", "random-search"),
        ("kubeflow-pipelines", "random-search"),
    ]


def test_a_crd_in_the_same_app_means_sync_the_crds_first() -> None:
    objects = _experiment(NO_MATCHES)
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("CustomResourceDefinition", "experiments.kubeflow.org", group="apiextensions.k8s.io")
    )
    (f,) = _findings(objects)
    assert [x.id for x in f.fixes] == ["sync-crds-first", "sync"]
    assert "If the CRD is in this app, sync the CRDs first" in f.explanation
    assert "The CRD comes from" not in f.explanation


def test_a_crd_from_another_app_means_sync_that_app_first() -> None:
    objects = _experiment(NO_MATCHES)
    find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"].append(
        resource("CustomResourceDefinition", "experiments.kubeflow.org", group="apiextensions.k8s.io")
    )
    (f,) = _findings(objects)
    assert [x.id for x in f.fixes] == ["ordered-sync", "sync"]
    assert f.fixes[0].title == "Sync kubeflow-seaweedfs -> kubeflow in order, waiting for each"
    assert f.fixes[1].command == "argocd app sync kubeflow"
    assert "The CRD comes from kubeflow-seaweedfs: sync that first" in f.explanation


def _not_established(objects: list[Raw], kind_group: str = "kubeflow.org") -> list[Raw]:
    objects = drop(objects, "CustomResourceDefinition", "experiments.kubeflow.org")
    objects.append(crd("experiments.kubeflow.org", kind_group, "Experiment", established=False))
    return objects


def _manage_experiments(objects: list[Raw], app: str, *names: str, group: str = "kubeflow.org") -> list[Raw]:
    for name in names:
        find(objects, "Application", app)["status"]["resources"].append(
            resource("Experiment", name, "kubeflow", group=group, health=None, status="OutOfSync")
        )
    return objects


def test_a_crd_not_established_is_reported_for_each_app_that_manages_its_kind() -> None:
    objects = _manage_experiments(_not_established(fresh()), "kubeflow", "a", "b")
    objects = _manage_experiments(objects, "kubeflow-pipelines", "c")
    findings = _findings(objects)
    assert [(f.app, f.subject.name) for f in findings] == [("kubeflow", "a"), ("kubeflow-pipelines", "c")]
    first = findings[0]
    assert first.evidence == (
        "CustomResourceDefinition experiments.kubeflow.org: condition Established is not True\nkubeflow manages "
        "Experiment/kubeflow/a, Experiment/kubeflow/b"
    )
    assert first.title == "kubeflow: the API server does not know kind Experiment (kubeflow.org)"
    assert "but CRD experiments.kubeflow.org is not Established." in first.explanation
    assert [x.id for x in first.fixes] == ["sync-crds-first", "sync"]


def test_a_crd_not_established_names_the_app_that_owns_it() -> None:
    objects = _manage_experiments(_not_established(fresh()), "kubeflow", "a")
    find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"].append(
        resource("CustomResourceDefinition", "experiments.kubeflow.org", group="apiextensions.k8s.io")
    )
    (f,) = _findings(objects)
    assert f.fixes[0].id == "ordered-sync"
    assert "The CRD comes from kubeflow-seaweedfs" in f.explanation


def test_resources_of_another_group_do_not_use_a_crd_that_is_not_established() -> None:
    objects = _manage_experiments(_not_established(fresh()), "kubeflow", "a", group="example.com")
    assert _findings(objects) == []


def test_established_crds_are_quiet() -> None:
    assert _findings(_manage_experiments(fresh(), "kubeflow", "a")) == []


def test_a_sync_failure_and_a_crd_not_established_for_the_same_kind_are_one_finding() -> None:
    objects = _manage_experiments(_not_established(fresh()), "kubeflow", "a")
    (f,) = _findings(_experiment(NO_MATCHES, objects))
    assert f.subject.name == "random-search"
    assert "exists but is not Established yet" in f.explanation


def test_crds_not_established_are_reported_in_name_order() -> None:
    objects = _manage_experiments(_not_established(fresh()), "kubeflow", "a")
    objects.append(crd("suggestions.kubeflow.org", "kubeflow.org", "Suggestion", established=False))
    objects.append(crd("alphas.kubeflow.org", "kubeflow.org", "Alpha", established=False))
    for kind in ("Suggestion", "Alpha"):
        find(objects, "Application", "kubeflow")["status"]["resources"].append(
            resource(kind, "x", "kubeflow", group="kubeflow.org", health=None)
        )
    assert [f.subject.kind for f in _findings(objects)] == ["Alpha", "Experiment", "Suggestion"]


def test_a_crd_not_established_used_only_by_a_later_app_is_still_reported() -> None:
    """Apps that do not manage the kind are skipped, not the end of the search."""
    objects = _manage_experiments(_not_established(fresh()), "kubeflow-seaweedfs", "late")
    assert [(f.app, f.subject.name) for f in _findings(objects)] == [("kubeflow-seaweedfs", "late")]


def test_an_app_is_told_once_per_kind_even_when_two_groups_serve_it() -> None:
    objects = _manage_experiments(_not_established(fresh()), "kubeflow", "a")
    objects.append(crd("experiments.example.com", "example.com", "Experiment", established=False))
    objects = _manage_experiments(objects, "kubeflow", "b", group="example.com")
    (f,) = _findings(objects)
    assert f.subject.name == "b"  # experiments.example.com sorts first
    assert f.title.endswith("kind Experiment (example.com)")
