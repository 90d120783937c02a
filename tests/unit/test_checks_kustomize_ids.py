"""kustomize-duplicate-id: parsing kustomize's resource ids and the findings built from them."""

from __future__ import annotations

import pytest

from kftui.checks.kustomize_ids import (
    ResourceId,
    attach_chains,
    find_duplicate_id,
    kustomize_duplicate_id,
    parse_resource_id,
)
from kftui.checks.registry import run_checks
from kftui.model import Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import find, fresh, snapshot

KUBEFLOW = builtin_profile("kubeflow")

# The ComparisonError Argo CD 2.x/3.x writes when kustomize 5 fails (as in the deployment guide).
ARGO_KUSTOMIZE5 = (
    "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = "
    "Manifest generation error (cached): `kustomize build /tmp/_argocd-repo/3c1f/applications/pipeline/upstream/env/"
    "cert-manager/platform-agnostic-multi-user` failed exit status 1: Error: accumulating resources: accumulation "
    "err='accumulating resources from '../../third-party/metacontroller/base': '/tmp/_argocd-repo/3c1f/applications/"
    "pipeline/upstream/third-party/metacontroller/base' must resolve to a file': recursed merging from path "
    "'/tmp/_argocd-repo/3c1f/applications/pipeline/upstream/third-party/metacontroller/base': may not add resource "
    "with an already registered id: ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"
)
# Argo CD 1.x with kustomize 3 wrote the id in the old `group_version_Kind|namespace|name` form.
ARGO1_KUSTOMIZE3 = (
    "rpc error: code = Unknown desc = `kustomize build /tmp/https:__github.com_x_manifests/pipelines` failed exit "
    "status 1: Error: may not add resource with an already registered id: "
    "rbac.authorization.k8s.io_v1_ClusterRole|~X|kubeflow-metacontroller"
)
NAMESPACED = (
    "`kustomize build .` failed exit status 1: Error: merging resources from './cm.yaml': "
    "may not add resource with an already registered id: ConfigMap.v1.[noGrp]/pipeline-install-config.kubeflow"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]",
            ResourceId("ClusterRole", "v1", "rbac.authorization.k8s.io", "kubeflow-metacontroller", None),
        ),
        ("ConfigMap.v1.[noGrp]/foo.kubeflow", ResourceId("ConfigMap", "v1", "", "foo", "kubeflow")),
        (
            "CustomResourceDefinition.v1.apiextensions.k8s.io/profiles.kubeflow.org.[noNs]",
            ResourceId(
                "CustomResourceDefinition", "v1", "apiextensions.k8s.io", "profiles.kubeflow.org", None
            ),
        ),
        ("~G_v1_ConfigMap|~X|foo", ResourceId("ConfigMap", "v1", "", "foo", None)),
        (
            "apps_v1_Deployment|kubeflow|ml-pipeline",
            ResourceId("Deployment", "v1", "apps", "ml-pipeline", "kubeflow"),
        ),
        ("not-an-id", None),
        ("Kind/", None),
    ],
)
def test_parse_resource_id(text: str, expected: ResourceId | None) -> None:
    assert parse_resource_id(text) == expected


@pytest.mark.parametrize(
    ("message", "key", "include"),
    [
        (
            ARGO_KUSTOMIZE5,
            ("ClusterRole", None, "kubeflow-metacontroller"),
            "../../third-party/metacontroller/base",
        ),
        (ARGO1_KUSTOMIZE3, ("ClusterRole", None, "kubeflow-metacontroller"), ""),
        (NAMESPACED, ("ConfigMap", "kubeflow", "pipeline-install-config"), ""),
        ("Error: id '~G_v1_ConfigMap|kubeflow|foo' already used", ("ConfigMap", "kubeflow", "foo"), ""),
        ("some other kustomize error: accumulating resources", None, ""),
        ("port already used by another process", None, ""),
    ],
)
def test_find_duplicate_id_across_versions(message: str, key: tuple | None, include: str) -> None:
    found = find_duplicate_id(message)
    if key is None:
        assert found is None
        return
    assert found is not None
    assert found[0].key == key
    assert found[1] == include


def _broken(message: str, where: str = "condition") -> list:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["sync"]["status"] = "Unknown"
    app["status"]["resources"] = []
    if where == "condition":
        app["status"]["conditions"] = [
            {"type": "ComparisonError", "message": message, "lastTransitionTime": "2026-11-20T02:45:12Z"}
        ]
    else:
        app["status"]["operationState"]["phase"] = "Error"
        app["status"]["operationState"]["message"] = message
    return objects


@pytest.mark.parametrize("where", ["condition", "operationState"])
@pytest.mark.parametrize("message", [ARGO_KUSTOMIZE5, ARGO1_KUSTOMIZE3])
def test_finding_names_the_resource_and_never_force_sync(message: str, where: str) -> None:
    findings = list(kustomize_duplicate_id(snapshot(_broken(message, where)), KUBEFLOW))
    assert len(findings) == 1
    f = findings[0]
    assert (f.check, f.app, f.severity) == ("kustomize-duplicate-id", "kubeflow-pipelines", Severity.ERROR)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == (
        "ClusterRole",
        None,
        "kubeflow-metacontroller",
    )
    fix_ids = [x.id for x in f.fixes]
    assert fix_ids[:2] == ["edit-manifests", "split-application"]
    assert "force-sync" not in fix_ids
    assert "before anything is applied" in f.explanation
    assert "edit-manifests" in f.explanation and "split-application" in f.explanation
    assert "may not add resource with an already registered id" in f.evidence


def test_same_id_in_condition_and_operation_is_reported_once() -> None:
    objects = _broken(ARGO_KUSTOMIZE5)
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["operationState"]["message"] = ARGO_KUSTOMIZE5
    assert len(list(kustomize_duplicate_id(snapshot(objects), KUBEFLOW))) == 1


def test_attach_chains_appends_to_matching_findings_only() -> None:
    findings = run_checks(snapshot(_broken(ARGO_KUSTOMIZE5)), KUBEFLOW)
    chains = {
        ("ClusterRole", None, "kubeflow-metacontroller"): [
            ["platform-agnostic-multi-user", "../../base", "metacontroller/base", "cluster-role.yaml"],
            ["platform-agnostic-multi-user", "../../third-party/metacontroller/base", "cluster-role.yaml"],
        ],
        ("ClusterRole", "kubeflow", "kubeflow-metacontroller"): [["wrong", "namespace"]],
    }
    out = attach_chains(findings, chains)
    assert len(out) == len(findings)
    dup = [f for f in out if f.check == "kustomize-duplicate-id"]
    assert len(dup) == 1
    assert "include chain 1: platform-agnostic-multi-user -> ../../base" in dup[0].evidence
    assert "include chain 2:" in dup[0].evidence
    assert "wrong" not in dup[0].evidence
    others_before = [f for f in findings if f.check != "kustomize-duplicate-id"]
    assert [f for f in out if f.check != "kustomize-duplicate-id"] == others_before
    assert attach_chains(findings, {}) == findings
