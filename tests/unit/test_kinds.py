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


def test_object_paths_are_the_collection_path_plus_the_name() -> None:
    """Port-forward and the Argo CD settings read single objects by these paths."""
    assert (
        kinds.KINDS["Service"].object_path("istio-system", "gw")
        == "/api/v1/namespaces/istio-system/services/gw"
    )
    assert (
        kinds.KINDS["ConfigMap"].object_path("argocd", "argocd-cm")
        == "/api/v1/namespaces/argocd/configmaps/argocd-cm"
    )
    assert kinds.KINDS["Namespace"].object_path("ignored", "kubeflow") == "/api/v1/namespaces/kubeflow"
