"""crd-missing, annotation-too-long, webhook-unavailable, namespace-missing: messages from several versions,
live-object evidence, and the cases that must stay quiet."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.annotation_size import annotation_too_long
from kftui.checks.crds import crd_missing
from kftui.checks.namespaces import namespace_missing
from kftui.checks.webhooks import webhook_unavailable
from kftui.model import Severity
from kftui.profile import GENERIC, builtin_profile
from tests.unit.fixtures.builders import (
    crd,
    drop,
    endpoints,
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


def _fail(objects: list[Raw], app: str, message: str, results: list[Raw]) -> list[Raw]:
    find(objects, "Application", app)["status"]["operationState"] = failed_operation(message, results)
    return objects


def _experiment_failure(message: str) -> list[Raw]:
    return _fail(
        fresh(),
        "kubeflow",
        "one or more objects failed to apply, reason: " + message,
        [sync_result("Experiment", "random-search", "kubeflow", message, group="kubeflow.org")],
    )


# --- crd-missing -----------------------------------------------------------------------------------

CRD_MESSAGES = [
    # kubectl / older Argo CD, straight from the API discovery failure
    'resource mapping not found for name: "random-search" namespace: "kubeflow" from "": no matches for kind '
    '"Experiment" in version "kubeflow.org/v1beta1" ensure CRDs are installed first',
    # Argo CD 2.x / 3.x
    "The Kubernetes API could not find kubeflow.org/Experiment for requested resource kubeflow/random-search. "
    'Make sure the "Experiment" CRD is installed on the destination cluster.',
    # Argo CD 2.x / 3.x, CRD present in another version
    'The Kubernetes API could not find version "v1beta1" of kubeflow.org/Experiment for requested resource '
    'kubeflow/random-search. Version "v1" of kubeflow.org/Experiment is installed on the destination cluster.',
    # Argo CD 1.x: only the generic discovery error, the kind comes from the sync result
    "the server could not find the requested resource",
]


@pytest.mark.parametrize("message", CRD_MESSAGES)
def test_crd_missing_from_sync_messages(message: str) -> None:
    findings = list(crd_missing(snapshot(_experiment_failure(message)), KUBEFLOW))
    assert len(findings) == 1
    f = findings[0]
    assert (f.check, f.app, f.severity) == ("crd-missing", "kubeflow", Severity.ERROR)
    assert (f.subject.kind, f.subject.name) == ("Experiment", "random-search")
    assert "kind Experiment" in f.title
    assert message[:40] in f.evidence
    assert [x.id for x in f.fixes] == ["sync-crds-first", "sync"]


def test_crd_missing_names_the_app_that_owns_the_crd() -> None:
    objects = _experiment_failure(CRD_MESSAGES[1])
    find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"].append(
        resource("CustomResourceDefinition", "experiments.kubeflow.org", group="apiextensions.k8s.io")
    )
    (f,) = crd_missing(snapshot(objects), KUBEFLOW)
    assert f.fixes[0].id == "ordered-sync"
    assert f.fixes[0].command.startswith("argocd app sync kubeflow-seaweedfs")


def test_crd_not_established_while_app_manages_its_kind() -> None:
    objects = drop(fresh(), "CustomResourceDefinition", "experiments.kubeflow.org")
    objects.append(crd("experiments.kubeflow.org", "kubeflow.org", "Experiment", established=False))
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource(
            "Experiment", "random-search", "kubeflow", group="kubeflow.org", health=None, status="OutOfSync"
        )
    )
    (f,) = crd_missing(snapshot(objects), KUBEFLOW)
    assert "Established is not True" in f.evidence
    assert f.subject.name == "random-search"


@pytest.mark.parametrize(
    "message",
    [
        "deployment.apps/katib-controller serverside-applied",
        "the server could not find the requested resource",  # no resource to name: not enough evidence
    ],
)
def test_crd_missing_stays_quiet(message: str) -> None:
    objects = _fail(fresh(), "kubeflow", message, [])
    assert list(crd_missing(snapshot(objects), KUBEFLOW)) == []


# --- annotation-too-long ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        'CustomResourceDefinition.apiextensions.k8s.io "workflows.argoproj.io" is invalid: metadata.annotations: '
        "Too long: must have at most 262144 bytes",
        'The CustomResourceDefinition "workflows.argoproj.io" is invalid: metadata.annotations: Too long: '
        "may not be more than 262144 bytes",
    ],
    ids=["k8s>=1.32", "k8s<1.32"],
)
def test_annotation_too_long(message: str) -> None:
    objects = _fail(
        fresh(),
        "kubeflow-pipelines",
        "one or more objects failed to apply",
        [
            sync_result(
                "CustomResourceDefinition", "workflows.argoproj.io", "", message, group="apiextensions.k8s.io"
            )
        ],
    )
    (f,) = annotation_too_long(snapshot(objects), KUBEFLOW)
    assert (f.app, f.subject.kind, f.subject.name) == (
        "kubeflow-pipelines",
        "CustomResourceDefinition",
        "workflows.argoproj.io",
    )
    assert [x.id for x in f.fixes] == ["server-side-apply", "replace"]
    assert "262144" in f.explanation
    assert "already sets it" in f.explanation  # the fixture apps sync with ServerSideApply=true


def test_annotation_too_long_in_operation_message_names_the_object() -> None:
    message = (
        'error when creating "/dev/shm/x": The CustomResourceDefinition "workflows.argoproj.io" is invalid: '
        "metadata.annotations: Too long: must have at most 262144 bytes"
    )
    objects = _fail(fresh(), "kubeflow-pipelines", message, [])
    find(objects, "Application", "kubeflow-pipelines")["spec"]["syncPolicy"]["syncOptions"] = []
    (f,) = annotation_too_long(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("CustomResourceDefinition", "workflows.argoproj.io")
    assert "already sets it" not in f.explanation


def test_other_too_long_fields_are_not_annotation_too_long() -> None:
    objects = _fail(
        fresh(), "kubeflow", 'Service "x" is invalid: metadata.name: Too long: must have at most 63 bytes', []
    )
    assert list(annotation_too_long(snapshot(objects), KUBEFLOW)) == []


# --- webhook-unavailable ---------------------------------------------------------------------------

WEBHOOK_MESSAGES = [
    (
        'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post '
        '"https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": dial tcp 10.96.200.5:443: '
        "connect: connection refused",
        ("cert-manager", "cert-manager-webhook"),
        "nothing listens",
    ),
    (
        'Internal error occurred: failed calling webhook "webhook.cert-manager.io": Post '
        "https://cert-manager-webhook.cert-manager.svc:443/mutate?timeout=30s: no endpoints available for service "
        '"cert-manager-webhook"',
        ("cert-manager", "cert-manager-webhook"),
        "no ready pods",
    ),
    (
        'Internal error occurred: failed calling webhook "defaulter.experiment.katib.kubeflow.org": failed to call '
        'webhook: Post "https://katib-controller.kubeflow.svc:443/mutate-experiment?timeout=10s": tls: failed to '
        "verify certificate: x509: certificate signed by unknown authority",
        ("kubeflow", "katib-controller"),
        "caBundle",
    ),
]


@pytest.mark.parametrize(("message", "service", "cause"), WEBHOOK_MESSAGES)
def test_webhook_failures_in_sync_results(message: str, service: tuple[str, str], cause: str) -> None:
    objects = _fail(
        fresh(),
        "kubeflow",
        "one or more objects failed to apply",
        [sync_result("Certificate", "serving-cert", "kubeflow", message, group="cert-manager.io")],
    )
    (f,) = webhook_unavailable(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Service", *service)
    assert f.app == "kubeflow" and f.severity is Severity.ERROR
    assert cause in f.explanation
    assert f.fixes[0].id == "wait-for-webhook"
    assert "sync" in [x.id for x in f.fixes]


def test_live_webhook_without_ready_endpoints() -> None:
    objects = drop(fresh(), "Endpoints", "katib-controller", "kubeflow")
    objects.append(endpoints("kubeflow", "katib-controller", [], not_ready=["10.244.0.20"]))
    (f,) = webhook_unavailable(snapshot(objects), KUBEFLOW)
    assert (f.subject.namespace, f.subject.name) == ("kubeflow", "katib-controller")
    assert f.app == "kubeflow"
    assert "no ready addresses (1 not ready)" in f.evidence
    assert f.fixes[0].command == "kubectl rollout status deployment/katib-controller -n kubeflow --timeout=5m"
    assert [x.id for x in f.fixes] == ["wait-for-webhook", "restart", "sync"]


def test_fail_open_webhook_is_only_a_warning() -> None:
    objects = drop(fresh(), "Endpoints", "katib-controller", "kubeflow")
    objects.append(endpoints("kubeflow", "katib-controller", []))
    find(objects, "MutatingWebhookConfiguration", "katib.kubeflow.org")["webhooks"][0]["failurePolicy"] = (
        "Ignore"
    )
    (f,) = webhook_unavailable(snapshot(objects), KUBEFLOW)
    assert f.severity is Severity.WARNING


def test_unknown_endpoints_are_not_reported_as_missing() -> None:
    """A dump without any Endpoints says nothing about webhook backends."""
    objects = [o for o in fresh() if o["kind"] != "Endpoints"]
    assert list(webhook_unavailable(snapshot(objects), KUBEFLOW)) == []


# --- namespace-missing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Namespace for ml-pipeline-config /v1, Kind=ConfigMap is missing.", "ConfigMap"),
        ("Namespace for ml-pipeline apps/v1, Kind=Deployment is missing.", "Deployment"),
    ],
)
def test_namespace_for_resource_is_missing(message: str, kind: str) -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "InvalidSpecError", "message": message, "lastTransitionTime": "2026-11-20T02:45:12Z"}
    ]
    (f,) = namespace_missing(snapshot(objects), KUBEFLOW)
    assert f.subject.kind == kind and f.app == "kubeflow-pipelines"
    assert [x.id for x in f.fixes] == ["fix-source", "edit-manifests", "hard-refresh"]


def test_namespace_not_found_on_apply() -> None:
    message = 'namespaces "kubeflow-user-example-com" not found'
    objects = _fail(
        fresh(), "kubeflow", message, [sync_result("Profile", "x", "kubeflow-user-example-com", message)]
    )
    (f,) = namespace_missing(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("Namespace", "kubeflow-user-example-com")
    assert [x.id for x in f.fixes] == ["create-namespaces", "sync-create-namespace"]
    assert f.fixes[0].command == "kubectl create namespace kubeflow-user-example-com"


def test_expected_namespace_absent() -> None:
    objects = drop(fresh(), "Namespace", "knative-serving")
    (f,) = namespace_missing(snapshot(objects), KUBEFLOW)
    assert (f.subject.name, f.severity) == ("knative-serving", Severity.WARNING)
    assert list(namespace_missing(snapshot(objects), GENERIC)) == []


@pytest.mark.parametrize(
    ("deleted_at", "fires"), [("2026-11-20T01:00:00Z", True), ("2026-11-20T03:10:00Z", False)]
)
def test_expected_namespace_stuck_terminating(deleted_at: str, fires: bool) -> None:
    objects = drop(fresh(), "Namespace", "auth")
    objects.append(namespace("auth", phase="Terminating", deleting=deleted_at))
    findings = list(namespace_missing(snapshot(objects), KUBEFLOW))
    assert [f.title for f in findings] == (["Namespace auth is stuck Terminating"] if fires else [])
