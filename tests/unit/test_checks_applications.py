"""app-out-of-sync (with the ignoreDifferences drift explainer), app-degraded (with health computed from live
objects for Argo CD 3.x) and app-operation-failed."""

from __future__ import annotations

import pytest
import yaml

from kftui.checks.applications import app_degraded, app_operation_failed, app_out_of_sync
from kftui.checks.health import resource_health
from kftui.model import ManagedResource, Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import (
    deployment,
    drop,
    failed_operation,
    find,
    fresh,
    healthy_install,
    pod,
    snapshot,
    sync_result,
)

KUBEFLOW = builtin_profile("kubeflow")


def _out_of_sync(kind: str, name: str, group: str) -> list:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    app["status"]["sync"]["status"] = "OutOfSync"
    for res in app["status"]["resources"]:
        if res["kind"] == kind and res["name"] == name:
            res["status"] = "OutOfSync"
            break
    else:
        app["status"]["resources"].append(
            {"group": group, "version": "v1", "kind": kind, "name": name, "status": "OutOfSync"}
        )
    return objects


@pytest.mark.parametrize(
    ("kind", "name", "group", "path"),
    [
        (
            "MutatingWebhookConfiguration",
            "katib.kubeflow.org",
            "admissionregistration.k8s.io",
            ".webhooks[]?.clientConfig.caBundle",
        ),
        (
            "ValidatingWebhookConfiguration",
            "istio-validator-istio-system",
            "admissionregistration.k8s.io",
            ".webhooks[]?.failurePolicy",
        ),
        (
            "CustomResourceDefinition",
            "inferenceservices.serving.kserve.io",
            "apiextensions.k8s.io",
            ".spec.conversion.webhook.clientConfig.caBundle",
        ),
    ],
)
def test_drift_on_mutated_kinds_gets_an_ignore_differences_snippet(
    kind: str, name: str, group: str, path: str
) -> None:
    (f,) = app_out_of_sync(snapshot(_out_of_sync(kind, name, group)), KUBEFLOW)
    assert f"{kind}/{name}" in f.evidence
    snippet = f.explanation.split("sync once:\n\n", 1)[1]
    parsed = yaml.safe_load(snippet)
    entry = parsed["spec"]["ignoreDifferences"][0]
    assert (entry["group"], entry["kind"], entry["name"]) == (group, kind, name)
    assert path in entry["jqPathExpressions"]
    assert "RespectIgnoreDifferences=true" in parsed["spec"]["syncPolicy"]["syncOptions"]


def test_plain_drift_gets_no_snippet() -> None:
    (f,) = app_out_of_sync(snapshot(_out_of_sync("Deployment", "centraldashboard", "apps")), KUBEFLOW)
    assert "ignoreDifferences" not in f.explanation
    assert [x.id for x in f.fixes] == ["sync", "refresh"]


def test_unknown_sync_points_at_the_condition() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["sync"]["status"] = "Unknown"
    app["status"]["conditions"] = [{"type": "ComparisonError", "message": "boom"}]
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert f.severity is Severity.ERROR and "ComparisonError: boom" in f.evidence


def _crashing_katib(per_resource_health: bool) -> list:
    objects = healthy_install(per_resource_health)
    app = find(objects, "Application", "kubeflow")
    app["status"]["health"] = {"status": "Degraded"}
    if per_resource_health:
        for res in app["status"]["resources"]:
            if res["name"] == "katib-controller" and res["kind"] == "Deployment":
                res["health"] = {
                    "status": "Degraded",
                    "message": 'Deployment "katib-controller" exceeded its progress deadline',
                }
    objects = drop(objects, "Deployment", "katib-controller", "kubeflow")
    objects = drop(objects, "Pod", "katib-controller-5c8d7f9b6-5rjtn")
    objects += [
        deployment("kubeflow", "katib-controller", 1, ready=0),
        pod(
            "kubeflow",
            "katib-controller-5c8d7f9b6-5rjtn",
            "katib-controller",
            ready=False,
            waiting="CrashLoopBackOff",
        ),
    ]
    return objects


@pytest.mark.parametrize(
    ("per_resource_health", "culprit"),
    [
        (
            True,
            'Deployment/kubeflow/katib-controller Degraded (Deployment "katib-controller" exceeded its progress deadline)',
        ),
        (
            False,
            "Deployment/kubeflow/katib-controller Degraded (pod katib-controller-5c8d7f9b6-5rjtn: CrashLoopBackOff) [from live objects]",
        ),
    ],
    ids=["argocd-2.x", "argocd-3.x"],
)
def test_degraded_app_names_the_culprit(per_resource_health: bool, culprit: str) -> None:
    (f,) = app_degraded(snapshot(_crashing_katib(per_resource_health)), KUBEFLOW)
    assert f.severity is Severity.ERROR
    assert culprit in f.evidence
    assert "1 unhealthy resources" in f.title


def test_progressing_within_grace_is_not_reported() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    app["status"]["health"] = {"status": "Progressing"}
    app["status"]["operationState"]["finishedAt"] = "2026-11-20T03:10:00Z"
    assert list(app_degraded(snapshot(objects), KUBEFLOW)) == []
    app["status"]["operationState"]["finishedAt"] = "2026-11-20T02:00:00Z"
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert f.severity is Severity.WARNING


def test_operation_failed_lists_failing_resources() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["operationState"] = failed_operation(
        "one or more objects failed to apply",
        [
            sync_result(
                "Deployment",
                "centraldashboard",
                "kubeflow",
                "deployment.apps/centraldashboard configured",
                group="apps",
                status="Synced",
            ),
            sync_result(
                "Experiment",
                "random-search",
                "kubeflow",
                "the server could not find the requested resource",
                group="kubeflow.org",
            ),
        ],
    )
    (f,) = app_operation_failed(snapshot(objects), KUBEFLOW)
    assert "on 1 resources" in f.title
    assert "Experiment/kubeflow/random-search: the server could not find the requested resource" in f.evidence
    assert "centraldashboard" not in f.evidence


@pytest.mark.parametrize(
    ("ready", "expected"),
    [(1, "Healthy"), (0, "Progressing")],
)
def test_resource_health_from_live_workload(ready: int, expected: str) -> None:
    objects = drop(fresh(), "Deployment", "centraldashboard", "kubeflow")
    objects.append(deployment("kubeflow", "centraldashboard", 1, ready=ready))
    res = ManagedResource(
        group="apps", version="v1", kind="Deployment", namespace="kubeflow", name="centraldashboard"
    )
    health = resource_health(snapshot(objects), res)
    assert (health.status, health.computed) == (expected, True)


def test_resource_health_prefers_argocd_and_knows_missing() -> None:
    snap = snapshot(fresh())
    recorded = ManagedResource(
        "apps", "v1", "Deployment", "kubeflow", "centraldashboard", health_status="Suspended"
    )
    assert resource_health(snap, recorded).status == "Suspended"
    gone = ManagedResource("apps", "v1", "Deployment", "kubeflow", "nope")
    assert resource_health(snap, gone).status == "Missing"
    other = ManagedResource("", "v1", "ConfigMap", "kubeflow", "x")
    assert resource_health(snap, other).status == ""


def test_ready_but_not_available_replicas_are_not_healthy() -> None:
    """readyReplicas counts pods that are Ready; availableReplicas only those Ready for minReadySeconds. A
    Deployment with all replicas ready but not yet available is not Healthy, and the culprit says so."""
    objects = drop(healthy_install(per_resource_health=False), "Deployment", "centraldashboard", "kubeflow")
    dep = deployment("kubeflow", "centraldashboard", 1, ready=1)
    dep["status"]["availableReplicas"] = 0
    objects.append(dep)
    app = find(objects, "Application", "kubeflow")
    app["status"]["health"] = {"status": "Progressing"}  # (operation finished at 02:43, past the grace)
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert (f.check, f.severity) == ("app-degraded", Severity.WARNING)
    assert (
        "Deployment/kubeflow/centraldashboard Progressing (1/1 replicas ready, 0 available) [from live objects]"
        in f.evidence
    )
