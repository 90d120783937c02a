"""`kftui dump`'s raw objects: every collection plus Argo CD's ConfigMaps and Secrets, each object with its kind
and apiVersion filled in (LIST items carry neither). KubeSource runs over a fake of our own HTTP seam."""

from __future__ import annotations

import io
import json
from typing import Any

from kftui.cluster.http import KubeApiError
from kftui.cluster.kube import KubeSource


class PagesByPath:
    """The seam's get_body: one single-item LIST page per path, or a 403 for the refused paths."""

    server = "https://fake:6443"

    def __init__(self, refused: set[str]) -> None:
        self.refused = refused

    def get_body(self, path: str, query: Any = None, compressed: bool = False) -> io.BytesIO:
        if path in self.refused:
            raise KubeApiError(403, "forbidden")
        page = {"metadata": {"resourceVersion": "1"}, "items": [{"metadata": {"name": path}}]}
        return io.BytesIO(json.dumps(page).encode())


def test_dumped_objects_carry_kind_and_api_version_and_refused_lists_are_skipped() -> None:
    source = KubeSource(PagesByPath(refused={"/api/v1/events"}), "lab", "gitops")  # type: ignore[arg-type]
    dumped = {o["metadata"]["name"]: (o["kind"], o["apiVersion"]) for o in source.dump_objects()}
    assert dumped == {
        "/apis/argoproj.io/v1alpha1/namespaces/gitops/applications": ("Application", "argoproj.io/v1alpha1"),
        "/apis/argoproj.io/v1alpha1/namespaces/gitops/appprojects": ("AppProject", "argoproj.io/v1alpha1"),
        "/api/v1/namespaces": ("Namespace", "v1"),
        "/api/v1/pods": ("Pod", "v1"),
        "/api/v1/services": ("Service", "v1"),
        "/api/v1/endpoints": ("Endpoints", "v1"),
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions": (
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
        ),
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations": (
            "ValidatingWebhookConfiguration",
            "admissionregistration.k8s.io/v1",
        ),
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations": (
            "MutatingWebhookConfiguration",
            "admissionregistration.k8s.io/v1",
        ),
        "/apis/apps/v1/deployments": ("Deployment", "apps/v1"),
        "/apis/apps/v1/statefulsets": ("StatefulSet", "apps/v1"),
        "/apis/apps/v1/daemonsets": ("DaemonSet", "apps/v1"),
        "/api/v1/namespaces/gitops/configmaps": ("ConfigMap", "v1"),
        "/api/v1/namespaces/gitops/secrets": ("Secret", "v1"),
    }
