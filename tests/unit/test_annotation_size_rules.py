"""annotation-too-long, rule by rule: the limit it quotes, the object it names (from the sync result, the message
or else the app), one finding per object, and what it says about an app that already uses server-side apply."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.annotation_size import annotation_too_long
from kftui.model import Finding, Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import failed_operation, find, fresh, snapshot, sync_result

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]
TOO_LONG = "metadata.annotations: Too long: must have at most 262144 bytes"


def _fail(message: str, results: list[Raw] | None = None, sync_options: list[str] | None = None) -> list[Raw]:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["operationState"] = failed_operation(message, results or [])
    if sync_options is not None:
        app["spec"]["syncPolicy"]["syncOptions"] = sync_options
    return objects


def _crd_result(name: str, message: str) -> Raw:
    return sync_result("CustomResourceDefinition", name, "", message, group="apiextensions.k8s.io")


def _findings(objects: list[Raw]) -> list[Finding]:
    return list(annotation_too_long(snapshot(objects), KUBEFLOW))


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("metadata.annotations: Too long: must have at most 131072 bytes", "131072"),
        ("metadata.annotations: Too long: may not be more than 262144 bytes", "262144"),
        ("metadata.annotations: Too long: must have at most 262144 characters", "262144"),
        ("metadata.annotations: too long: must have at most 262144 bytes", "262144"),
    ],
    ids=["newer", "older", "characters", "lower-case"],
)
def test_the_explanation_quotes_the_limit_from_the_message(text: str, limit: str) -> None:
    (f,) = _findings(
        _fail("one or more objects failed to apply", [_crd_result("workflows.argoproj.io", text)])
    )
    assert f"all annotations together may hold at most {limit} bytes" in f.explanation
    assert (f.check, f.severity, f.app) == ("annotation-too-long", Severity.ERROR, "kubeflow-pipelines")
    assert (
        f.title
        == "kubeflow-pipelines: CustomResourceDefinition workflows.argoproj.io is too large for client-side apply"
    )
    assert f.evidence == (
        "status.operationState.syncResult.resources[] (CustomResourceDefinition/workflows.argoproj.io): "
        + text
    )


def test_a_too_long_field_that_is_not_the_annotations_is_ignored() -> None:
    assert _findings(_fail("spec.template: Too long: must have at most 262144 bytes")) == []


def test_the_annotations_may_be_written_in_any_case() -> None:
    (f,) = _findings(_fail("metadata.Annotations: Too long: must have at most 262144 bytes"))
    assert f.subject.kind == "Application"


def test_without_a_sync_result_the_object_comes_from_the_message() -> None:
    message = f'CustomResourceDefinition.apiextensions.k8s.io "notebooks.kubeflow.org" is invalid: {TOO_LONG}'
    (f,) = _findings(_fail(message))
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == (
        "CustomResourceDefinition",
        None,
        "notebooks.kubeflow.org",
    )


def test_without_any_object_named_the_finding_is_about_the_app() -> None:
    (f,) = _findings(_fail(f"one or more objects failed to apply: {TOO_LONG}"))
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow-pipelines")
    assert f.title == "kubeflow-pipelines: Application kubeflow-pipelines is too large for client-side apply"


def test_each_object_is_one_finding_and_the_summary_message_adds_none() -> None:
    """Two CRDs in the sync results are two findings; the operation message repeating the error is not a third."""
    objects = _fail(
        f"one or more objects failed to apply, reason: {TOO_LONG}",
        [
            _crd_result("workflows.argoproj.io", TOO_LONG),
            _crd_result("workflows.argoproj.io", TOO_LONG + " (retried)"),
            _crd_result("notebooks.kubeflow.org", TOO_LONG),
        ],
    )
    assert [f.subject.name for f in _findings(objects)] == ["workflows.argoproj.io", "notebooks.kubeflow.org"]


def test_a_summary_message_alone_is_one_finding() -> None:
    objects = _fail(f"one or more objects failed to apply, reason: {TOO_LONG}")
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "SyncError", "message": f"retrying: {TOO_LONG}"}
    ]
    (f,) = _findings(objects)
    assert f.evidence.startswith("status.conditions[SyncError]: ")


@pytest.mark.parametrize(
    ("options", "already"),
    [
        (["ServerSideApply=true"], True),
        (["ServerSideApply = true"], True),
        (["ServerSideApply=false"], False),
        ([], False),
    ],
)
def test_the_explanation_says_whether_the_app_already_applies_server_side(
    options: list[str], already: bool
) -> None:
    (f,) = _findings(_fail(TOO_LONG, [_crd_result("workflows.argoproj.io", TOO_LONG)], sync_options=options))
    # an app that already applies server side is told which per-resource options override it, in Argo CD's spelling
    overridden = (
        "in the app's syncOptions (the app already sets it, so check for a per-resource `ServerSideApply=false` or "
        "`Replace=true` sync-options annotation overriding it). Replace (fix: replace)"
    )
    assert (overridden in f.explanation) is already
    assert ("in the app's syncOptions. Replace (fix: replace)" in f.explanation) is not already
    assert f.explanation.endswith("Replace (fix: replace) also works but deletes and recreates the object.")
    assert [(x.id, x.command) for x in f.fixes] == [
        ("server-side-apply", "argocd app sync kubeflow-pipelines --server-side"),
        ("replace", "argocd app sync kubeflow-pipelines --replace"),
    ]
