"""What kftui lists: one collection per listed kind, and a collection narrowed to one namespace only when it can be."""

from __future__ import annotations

import pytest

from kftui.cluster.http import KubeApiError
from kftui.cluster.listing import Collection, collections, in_namespace, list_refusal


def test_collections_are_the_listed_kinds_argo_cds_own_in_its_namespace_only() -> None:
    assert [(c.name, c.kind, c.path) for c in collections("gitops")] == [
        ("applications", "Application", "/apis/argoproj.io/v1alpha1/namespaces/gitops/applications"),
        ("projects", "AppProject", "/apis/argoproj.io/v1alpha1/namespaces/gitops/appprojects"),
        ("namespaces", "Namespace", "/api/v1/namespaces"),
        ("pods", "Pod", "/api/v1/pods"),
        ("services", "Service", "/api/v1/services"),
        ("endpoints", "Endpoints", "/api/v1/endpoints"),
        ("events", "Event", "/api/v1/events"),
        ("crds", "CustomResourceDefinition", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
        (
            "webhooks",
            "ValidatingWebhookConfiguration",
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        ),
        (
            "webhooks",
            "MutatingWebhookConfiguration",
            "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
        ),
        ("workloads", "Deployment", "/apis/apps/v1/deployments"),
        ("workloads", "StatefulSet", "/apis/apps/v1/statefulsets"),
        ("workloads", "DaemonSet", "/apis/apps/v1/daemonsets"),
    ]


@pytest.mark.parametrize(
    ("kind", "narrowed"),
    [
        ("Pod", "/api/v1/namespaces/kubeflow/pods"),
        ("Deployment", "/apis/apps/v1/namespaces/kubeflow/deployments"),
        ("Namespace", None),  # cluster-scoped
        ("CustomResourceDefinition", None),
        ("Application", None),  # listed in one namespace already
    ],
)
def test_a_collection_refused_cluster_wide_is_narrowed_only_when_it_can_be(
    kind: str, narrowed: str | None
) -> None:
    coll = next(c for c in collections("argocd") if c.kind == kind)
    sub = in_namespace(coll, "kubeflow")
    assert (sub.path if sub else None) == narrowed
    assert sub is None or (sub.name, sub.kind) == (coll.name, coll.kind)


def test_the_notes_a_refused_or_unserved_list_leaves() -> None:
    pods = Collection("pods", "Pod", "/api/v1/pods")
    assert list_refusal(pods, KubeApiError(403, "no")) == "forbidden: cannot list Pod (no)"
    assert list_refusal(pods, KubeApiError(404, "?")) == "not served by this API server: Pod (/api/v1/pods)"
    assert list_refusal(pods, KubeApiError(500, "boom")) == "cannot list Pod: HTTP 500: boom"
