"""The kind registry: one entry per kind, and the facts derived from it agree with the API's own spelling."""

from __future__ import annotations

import pytest

from kftui import kinds


@pytest.mark.parametrize(
    ("kind", "namespace", "path"),
    [
        ("Pod", None, "/api/v1/pods"),
        ("Pod", "kubeflow", "/api/v1/namespaces/kubeflow/pods"),
        ("Namespace", "ignored", "/api/v1/namespaces"),
        ("Deployment", None, "/apis/apps/v1/deployments"),
        ("Application", "argocd", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications"),
        ("CustomResourceDefinition", None, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
    ],
)
def test_paths(kind: str, namespace: str | None, path: str) -> None:
    assert kinds.KINDS[kind].path(namespace) == path


def test_derived_tables() -> None:
    assert kinds.WORKLOAD_KINDS == ("Deployment", "StatefulSet", "DaemonSet")
    assert dict(kinds.RESTARTABLE) == {
        "Deployment": "deployment",
        "StatefulSet": "statefulset",
        "DaemonSet": "daemonset",
    }
    assert kinds.DESCRIBABLE["Pod"] == "pod" and "Event" not in kinds.DESCRIBABLE
    assert set(kinds.DELETING_LOSES) == {
        "Namespace", "CustomResourceDefinition", "StatefulSet", "PersistentVolumeClaim", "PersistentVolume", "Secret"
    }  # fmt: skip
    assert kinds.LISTED[0].name == "Application"
    assert all(k.listed for k in kinds.LISTED) and "Secret" not in {k.name for k in kinds.LISTED}


@pytest.mark.parametrize(
    ("kind", "collection"),
    [("Pod", "pods"), ("StatefulSet", "workloads"), ("MutatingWebhookConfiguration", "webhooks"), ("Secret", "Secret"),
     ("Widget", "Widget")],
)  # fmt: skip
def test_collection_of(kind: str, collection: str) -> None:
    assert kinds.collection_of(kind) == collection


def test_plural_of() -> None:
    assert kinds.plural_of("StatefulSet") == "statefulsets"
    assert kinds.plural_of("Gadget") == "gadgets"
    assert kinds.KINDS["Application"].group_version == "argoproj.io/v1alpha1"
    assert kinds.KINDS["Pod"].group_version == "v1"
