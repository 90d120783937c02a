"""shared-resource and prune-danger."""

from __future__ import annotations

import pytest

from kftui.checks.ownership import prune_danger, shared_resource
from kftui.model import Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import find, fresh, resource, snapshot

KUBEFLOW = builtin_profile("kubeflow")


@pytest.mark.parametrize(
    "message",
    [
        # Argo CD 2.x / 3.x
        "ClusterRole/kubeflow-metacontroller is part of applications argocd/kubeflow-pipelines and kubeflow",
        # Argo CD 1.x
        "ClusterRole/kubeflow-metacontroller is part of a different application: kubeflow",
    ],
)
def test_shared_resource_warning_condition(message: str) -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "SharedResourceWarning", "message": message, "lastTransitionTime": "2026-11-20T02:45:12Z"}
    ]
    findings = list(shared_resource(snapshot(objects), KUBEFLOW))
    assert len(findings) == 1
    f = findings[0]
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == (
        "ClusterRole",
        None,
        "kubeflow-metacontroller",
    )
    assert "kubeflow, kubeflow-pipelines" in f.title
    assert message in f.evidence
    fix_ids = [x.id for x in f.fixes]
    assert fix_ids[0] == "edit-manifests"
    assert "force-sync" not in fix_ids


def test_same_resource_listed_by_two_apps() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("StatefulSet", "seaweedfs", "kubeflow", group="apps")
    )
    findings = list(shared_resource(snapshot(objects), KUBEFLOW))
    assert [(f.subject.kind, f.subject.namespace, f.subject.name) for f in findings] == [
        ("StatefulSet", "kubeflow", "seaweedfs")
    ]
    assert findings[0].severity is Severity.WARNING
    assert (
        "kubeflow lists it" in findings[0].evidence and "kubeflow-seaweedfs lists it" in findings[0].evidence
    )


def test_same_name_in_different_namespaces_is_not_shared() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("StatefulSet", "seaweedfs", "other-ns", group="apps")
    )
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []


def _doomed(*entries: tuple[str, str, str], automated: dict | None = None) -> list:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-seaweedfs")
    if automated is not None:
        app["spec"]["syncPolicy"]["automated"] = automated
    for kind, ns, name in entries:
        app["status"]["resources"].append(resource(kind, name, ns, status="OutOfSync", requiresPruning=True))
    app["status"]["sync"]["status"] = "OutOfSync"
    return objects


def test_prune_danger_names_stateful_objects_as_errors() -> None:
    objects = _doomed(
        ("PersistentVolumeClaim", "kubeflow", "seaweedfs-data"),
        ("ConfigMap", "kubeflow", "old-config"),
        ("Service", "kubeflow", "old-svc"),
    )
    findings = list(prune_danger(snapshot(objects), KUBEFLOW))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    assert [(f.subject.kind, f.subject.name) for f in errors] == [("PersistentVolumeClaim", "seaweedfs-data")]
    assert len(warnings) == 1 and "2 resources" in warnings[0].title
    assert "ConfigMap/kubeflow/old-config" in warnings[0].evidence
    for f in findings:
        assert f.fixes[0].id == "disable-auto-prune"
        assert '"prune":false' in f.fixes[0].command


@pytest.mark.parametrize(
    "automated",
    [None, {}, {"prune": False}, {"prune": True, "enabled": False}],
    ids=["manual", "automated-no-prune", "prune-false", "automation-disabled"],
)
def test_no_prune_danger_without_automated_prune(automated: dict | None) -> None:
    objects = _doomed(("PersistentVolumeClaim", "kubeflow", "seaweedfs-data"), automated=automated)
    if automated is None:
        find(objects, "Application", "kubeflow-seaweedfs")["spec"]["syncPolicy"].pop("automated")
    assert list(prune_danger(snapshot(objects), KUBEFLOW)) == []


@pytest.mark.parametrize(
    ("annotations", "labels"),
    [
        ({"argocd.argoproj.io/tracking-id": "kubeflow:apps/Deployment:kubeflow/ml-pipeline"}, {}),
        ({"argocd.argoproj.io/tracking-id": "argocd_kubeflow:apps/Deployment:kubeflow/ml-pipeline"}, {}),
        ({}, {"app.kubernetes.io/instance": "kubeflow"}),
    ],
    ids=["tracking-id", "tracking-id-namespaced-app", "instance-label"],
)
def test_live_tracking_names_another_app(annotations: dict, labels: dict) -> None:
    objects = fresh()
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["annotations"] = annotations
    dep["metadata"]["labels"] = labels
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("Deployment", "ml-pipeline")
    assert "says kubeflow, but kubeflow-pipelines manages it" in f.evidence


@pytest.mark.parametrize(
    ("annotations", "labels"),
    [
        ({"argocd.argoproj.io/tracking-id": "kubeflow-pipelines:apps/Deployment:kubeflow/ml-pipeline"}, {}),
        ({}, {"app.kubernetes.io/instance": "ml-pipeline"}),  # a Helm release name, not an Application
    ],
)
def test_live_tracking_that_agrees_or_names_no_app_is_quiet(annotations: dict, labels: dict) -> None:
    objects = fresh()
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["annotations"] = annotations
    dep["metadata"]["labels"] = labels
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []
