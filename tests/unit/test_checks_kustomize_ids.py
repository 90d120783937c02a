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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # as quoted in messages: surrounding quotes and trailing punctuation are not part of the id
        ("'ConfigMap.v1.[noGrp]/foo.kubeflow'", ResourceId("ConfigMap", "v1", "", "foo", "kubeflow")),
        ("ConfigMap.v1.[noGrp]/foo.kubeflow;,", ResourceId("ConfigMap", "v1", "", "foo", "kubeflow")),
        ("  ConfigMap.v1.[noGrp]/foo.kubeflow  ", ResourceId("ConfigMap", "v1", "", "foo", "kubeflow")),
        ("ConfigMap.v1/foo.kubeflow", ResourceId("ConfigMap", "v1", "", "foo", "kubeflow")),
        ("ConfigMap.[noVer].[noGrp]/foo.[noNs]", ResourceId("ConfigMap", "", "", "foo", None)),
        ("ConfigMap.v1.[noGrp]/foo.", ResourceId("ConfigMap", "v1", "", "foo", None)),
        ("ConfigMap.v1.[noGrp]/foo", None),  # no namespace part at all
        (".v1.[noGrp]/foo.kubeflow", None),  # no kind
        ("ConfigMap.v1.[noGrp]/.kubeflow", None),  # no name
        ("~G_~V_ConfigMap||foo", ResourceId("ConfigMap", "", "", "foo", None)),
        ("~G_v1_ConfigMap|~X|", None),  # no name
        ("v1_ConfigMap|~X|foo", None),  # no group part
        ("~G_v1_ConfigMap|~X", None),
        ("~G_v1_ConfigMap|~X|foo|extra", None),
        # a Crossplane composite kind starts with X, which is part of the kind
        (
            "XPostgreSQLInstance.v1alpha1.database.example.org/my-db.[noNs]",
            ResourceId("XPostgreSQLInstance", "v1alpha1", "database.example.org", "my-db", None),
        ),
        # kustomize 3: everything before the last two parts is the group
        ("example_org_v2_Widget|~X|w", ResourceId("Widget", "v2", "example_org", "w", None)),
    ],
)
def test_parse_resource_id_edge_cases(text: str, expected: ResourceId | None) -> None:
    """What kustomize's two id formats allow to be left out, and what makes a token not an id."""
    assert parse_resource_id(text) == expected


@pytest.mark.parametrize(
    ("message", "key", "include"),
    [
        (
            "ERROR: MAY NOT ADD RESOURCE WITH AN ALREADY REGISTERED ID: ConfigMap.v1.[noGrp]/foo.kubeflow",
            ("ConfigMap", "kubeflow", "foo"),
            "",
        ),
        (
            "accumulating resources from 'a': accumulating resources from 'b/c': may not add resource with an "
            "already registered id: ConfigMap.v1.[noGrp]/foo.kubeflow (accumulating resources from 'later')",
            ("ConfigMap", "kubeflow", "foo"),
            "b/c",
        ),
        (
            "may not add resource with an\n   already registered id:\n  ConfigMap.v1.[noGrp]/foo.kubeflow extra words",
            ("ConfigMap", "kubeflow", "foo"),
            "",
        ),
        (
            "may not add resource with an already registered id: ConfigMap.v1.[noGrp]/foo.kubeflow: merging 'x'",
            ("ConfigMap", "kubeflow", "foo"),
            "",
        ),
        (
            "may not add resource with an already registered id: ConfigMap.v1.[noGrp]/foo.kubeflow (from: 'x')",
            ("ConfigMap", "kubeflow", "foo"),
            "",
        ),
        ("may not add resource with an already registered id", None, ""),
        ("may not add resource with an already registered id:   ", None, ""),
        ("already used", None, ""),
    ],
    ids=[
        "upper-case",
        "last-include-before-the-id",
        "wrapped",
        "colon-after-the-id",
        "colon-later",
        "no-id",
        "blank-id",
        "nothing-before",
    ],
)
def test_find_duplicate_id_edge_cases(message: str, key: tuple | None, include: str) -> None:
    found = find_duplicate_id(message)
    if key is None:
        assert found is None
        return
    assert found is not None
    assert (found[0].key, found[1]) == (key, include)


def test_duplicate_id_finding_reads_end_to_end() -> None:
    """Title, evidence, explanation and fixes name the app, the duplicated resource with its group and scope,
    the include kustomize was merging, and the app's path, repo and destination."""
    (f,) = kustomize_duplicate_id(snapshot(_broken(ARGO_KUSTOMIZE5)), KUBEFLOW)
    assert (
        f.title == "kubeflow-pipelines cannot render: ClusterRole kubeflow-metacontroller is included twice"
    )
    assert f.evidence == (
        f"status.conditions[ComparisonError]: {ARGO_KUSTOMIZE5}\n"
        "kustomize was merging '../../third-party/metacontroller/base' when it met the resource a second time"
    )
    assert f.explanation.startswith(
        "kustomize refuses to build applications/pipeline/upstream/env/cert-manager/platform-agnostic-multi-user "
        "because two of its includes both bring in ClusterRole kubeflow-metacontroller "
        "(rbac.authorization.k8s.io/v1, cluster-scoped)."
    )
    assert f.explanation.endswith(
        "(fix: hard-refresh). kustomize failed while merging '../../third-party/metacontroller/base', "
        "so that is one of the two."
    )
    assert [x.command for x in f.fixes] == [
        "kustomize build applications/pipeline/upstream/env/cert-manager/platform-agnostic-multi-user",
        "argocd app create kubeflow-pipelines-COMPONENT --repo https://github.com/example-org/kubeflow-manifests.git "
        "--path COMPONENT_PATH --dest-server https://kubernetes.default.svc --dest-namespace kubeflow",
        "argocd app get kubeflow-pipelines --hard-refresh",
    ]


def test_duplicate_namespaced_core_resource_without_an_include_or_a_path() -> None:
    objects = _broken(NAMESPACED)
    find(objects, "Application", "kubeflow-pipelines")["spec"]["source"].pop("path")
    (f,) = kustomize_duplicate_id(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == (
        "ConfigMap",
        "kubeflow",
        "pipeline-install-config",
    )
    assert f.evidence == f"status.conditions[ComparisonError]: {NAMESPACED}"
    assert "kustomize refuses to build the app path because" in f.explanation
    assert "ConfigMap pipeline-install-config (v1, namespace kubeflow)" in f.explanation
    assert f.explanation.endswith("Then hard refresh (fix: hard-refresh).")
    assert f.fixes[0].command == "kustomize build ."


def test_each_app_with_the_same_duplicate_gets_its_own_finding() -> None:
    objects = _broken(ARGO_KUSTOMIZE5)
    find(objects, "Application", "kubeflow")["status"]["conditions"] = [
        {"type": "ComparisonError", "message": ARGO_KUSTOMIZE5}
    ]
    findings = list(kustomize_duplicate_id(snapshot(objects), KUBEFLOW))
    assert [f.app for f in findings] == ["kubeflow", "kubeflow-pipelines"]


def test_two_duplicates_in_one_app_are_two_findings() -> None:
    objects = _broken(ARGO_KUSTOMIZE5)
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["operationState"]["phase"] = "Error"
    app["status"]["operationState"]["message"] = NAMESPACED
    findings = list(kustomize_duplicate_id(snapshot(objects), KUBEFLOW))
    assert sorted(f.subject.name for f in findings) == ["kubeflow-metacontroller", "pipeline-install-config"]


def test_kustomize3_already_used_id_is_the_quoted_word_before_it() -> None:
    found = find_duplicate_id("Error: merging from 'a/b': id '~G_v1_ConfigMap|kubeflow|foo' already used")
    assert found == (ResourceId("ConfigMap", "v1", "", "foo", "kubeflow"), "")


def test_other_failing_apps_do_not_hide_a_duplicate_id() -> None:
    """An app earlier by name failing for another reason does not stop the check reading the next one."""
    objects = _broken(ARGO_KUSTOMIZE5)
    find(objects, "Application", "kubeflow")["status"]["conditions"] = [
        {"type": "ComparisonError", "message": "rpc error: repository not found"}
    ]
    assert [f.app for f in kustomize_duplicate_id(snapshot(objects), KUBEFLOW)] == ["kubeflow-pipelines"]


def test_attached_chains_are_one_line_each_after_the_evidence() -> None:
    (f,) = kustomize_duplicate_id(snapshot(_broken(NAMESPACED)), KUBEFLOW)
    chains = {
        ("ConfigMap", "kubeflow", "pipeline-install-config"): [["app", "base", "cm.yaml"], ["app", "cm.yaml"]]
    }
    (g,) = attach_chains([f], chains)
    assert g.evidence.split("\n") == [
        f.evidence,
        "include chain 1: app -> base -> cm.yaml",
        "include chain 2: app -> cm.yaml",
    ]


def test_a_duplicate_seen_twice_in_one_app_does_not_hide_the_next_app() -> None:
    objects = _broken(ARGO_KUSTOMIZE5)
    core = find(objects, "Application", "kubeflow")
    core["status"]["conditions"] = [{"type": "ComparisonError", "message": ARGO_KUSTOMIZE5}]
    core["status"]["operationState"]["phase"] = "Error"
    core["status"]["operationState"]["message"] = ARGO_KUSTOMIZE5
    assert [f.app for f in kustomize_duplicate_id(snapshot(objects), KUBEFLOW)] == [
        "kubeflow",
        "kubeflow-pipelines",
    ]
