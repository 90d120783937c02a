"""Resource ids, kustomize error parsing, agreement and rendering: no files, no subprocesses (except the import contract)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kftui.kustomize import (
    CLUSTER_SCOPED_KINDS,
    ConflictReport,
    Duplicate,
    IncludeChain,
    RealBuildResult,
    ResId,
    Skipped,
    compare,
    is_cluster_scoped,
    is_remote,
    parse_duplicate_id,
    parse_resource_id,
    render_json,
    render_text,
    resource_id_string,
    with_real_build,
)

METACONTROLLER = ResId("rbac.authorization.k8s.io", "v1", "ClusterRole", "kubeflow-metacontroller")


@pytest.mark.parametrize(
    ("rid", "text"),
    [
        (METACONTROLLER, "ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"),
        (
            ResId("", "v1", "ServiceAccount", "ml-pipeline", "kubeflow"),
            "ServiceAccount.v1.[noGrp]/ml-pipeline.kubeflow",
        ),
        (
            ResId("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "workflows.argoproj.io"),
            "CustomResourceDefinition.v1.apiextensions.k8s.io/workflows.argoproj.io.[noNs]",
        ),
        (ResId("", "", "", ""), "[noKind].[noVer].[noGrp]/[noName].[noNs]"),
    ],
)
def test_id_strings_match_kustomize(rid: ResId, text: str) -> None:
    assert str(rid) == text
    assert resource_id_string(rid.kind, rid.version, rid.group, rid.name, rid.namespace or None) == text
    assert parse_resource_id(text) == (rid.kind, rid.version, rid.group, rid.name, rid.namespace or None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ClusterRole/foo.[noNs]",
        "ClusterRole.v1.rbac/foo",
        "ClusterRole.v1.rbac/.x",
        "a b.v1.g/n.ns",
        "just words",
    ],
)
def test_parse_rejects_what_is_not_an_id(text: str) -> None:
    with pytest.raises(ValueError, match="not a kustomize resource id"):
        parse_resource_id(text)


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_name = st.lists(_label, min_size=1, max_size=4).map(".".join)  # names may contain dots
_group = st.one_of(st.just(""), st.lists(_label, min_size=2, max_size=4).map(".".join))


@given(
    kind=st.from_regex(r"[A-Z][A-Za-z]{0,20}", fullmatch=True),
    version=st.from_regex(r"v[1-9](alpha[1-9]|beta[1-9])?", fullmatch=True),
    group=_group,
    name=_name,
    namespace=st.one_of(st.none(), _label),
)
def test_id_string_round_trips(kind: str, version: str, group: str, name: str, namespace: str | None) -> None:
    text = resource_id_string(kind, version, group, name, namespace)
    assert parse_resource_id(text) == (kind, version, group, name, namespace)


def test_equality_follows_kustomize() -> None:
    sa = ResId("", "v1", "ServiceAccount", "x")
    # An unset namespace is `default` for namespaced kinds...
    assert sa.key == sa.with_namespace("default").key
    assert sa.key != sa.with_namespace("kubeflow").key
    # ...and meaningless for cluster-scoped ones.
    assert METACONTROLLER.key == METACONTROLLER.with_namespace("kubeflow").key
    # The version is part of the id.
    assert (
        METACONTROLLER.key
        != ResId("rbac.authorization.k8s.io", "v1beta1", "ClusterRole", METACONTROLLER.name).key
    )


@pytest.mark.parametrize(
    ("group", "version", "kind", "expected"),
    [
        ("rbac.authorization.k8s.io", "v1", "ClusterRole", True),
        ("", "v1", "Namespace", True),
        ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", True),
        ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", True),
        ("", "v1", "PersistentVolume", True),
        ("storage.k8s.io", "v1", "StorageClass", True),
        ("rbac.authorization.k8s.io", "v1", "Role", False),
        ("apps", "v1", "Deployment", False),
        ("argoproj.io", "v1alpha1", "Workflow", False),  # unknown kinds are namespaced to kustomize
        ("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", False),  # newer than kustomize's schema
    ],
)
def test_cluster_scope_as_kustomize_decides_it(group: str, version: str, kind: str, expected: bool) -> None:
    assert is_cluster_scoped(group, version, kind) is expected


def test_cluster_scoped_kinds_list() -> None:
    assert {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
    } <= (CLUSTER_SCOPED_KINDS)
    assert "Role" not in CLUSTER_SCOPED_KINDS


@pytest.mark.parametrize(
    ("entry", "remote"),
    [
        ("https://github.com/kubeflow/manifests//common/dex?ref=v1.9.0", True),
        ("github.com/kubeflow/manifests/common/istio?ref=master", True),
        ("git@github.com:kubeflow/manifests.git", True),
        ("ssh://git@example.com/repo.git//x", True),
        ("../../common/metacontroller", False),
        ("deployment.yaml", False),
        ("base", False),
    ],
)
def test_remote_entries(entry: str, remote: bool) -> None:
    assert is_remote(entry) is remote


# Error text exactly as kustomize 5.8 (`kustomize build`) and kustomize 5.5 in kubectl print it.
KUSTOMIZE_ERR = (
    "Error: accumulating resources: accumulation err='accumulating resources from 'apps/profiles': "
    "'/m/apps/profiles' must resolve to a file': recursed merging from path '/m/apps/profiles': may not add "
    "resource with an already registered id: ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"
)
KUBECTL_COMPONENT_ERR = (
    'E1126 09:34:25.206540   31404 run.go:72] "command failed" err="accumulating components: accumulateDirectory: '
    "\\\"recursed accumulation of path '/c/comp': accumulating resources: accumulation err='merging resources from "
    "'sa.yaml': may not add resource with an already registered id: ServiceAccount.v1.[noGrp]/runner.kubeflow': "
    "must build at directory: '/c/comp/sa.yaml': file is not directory\\\"\""
)
GENERATOR_ERR = (
    'Error: merging from generator &{0x154b36d92ea0 <nil>}: id resid.ResId{Gvk:resid.Gvk{Group:"", Version:"v1", '
    'Kind:"ConfigMap", isClusterScoped:false}, Name:"settings", Namespace:""} exists; can not use behavior: '
    "'unspecified', behavior must be merge or replace"
)
GENERATOR_ERR_QUOTED = GENERATOR_ERR.replace('"', '\\"')
NAMESPACE_ERR = (
    'Error: namespace transformation produces ID conflict: [{"apiVersion":"v1","kind":"ServiceAccount",'
    '"metadata":{"name":"s","namespace":"x"}} {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"s",'
    '"namespace":"x"}}]'
)

# The shape of an Argo CD ComparisonError condition carrying the same failure (the repo-server wraps the
# kustomize error).
ARGOCD_CONDITION = (
    "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown "
    "desc = `kustomize build <path to cached source>/example --load-restrictor LoadRestrictionsNone` failed "
    "exit status 1: Error: accumulating resources: accumulation err='accumulating resources from "
    "'../apps/profiles/upstream/overlays/kubeflow': ...': may not add resource with an already registered id: "
    "ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (KUSTOMIZE_ERR, "ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"),
        (KUBECTL_COMPONENT_ERR, "ServiceAccount.v1.[noGrp]/runner.kubeflow"),
        (GENERATOR_ERR, "ConfigMap.v1.[noGrp]/settings.[noNs]"),
        (GENERATOR_ERR_QUOTED, "ConfigMap.v1.[noGrp]/settings.[noNs]"),
        (NAMESPACE_ERR, "ServiceAccount.v1.[noGrp]/s.x"),
        (ARGOCD_CONDITION, "ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"),
        ("Error: accumulating resources: 'gone.yaml': no such file or directory", None),
    ],
    ids=["kustomize", "kubectl-component", "generator", "generator-quoted", "namespace", "argocd", "other"],
)
def test_parse_duplicate_id_from_kustomize_errors(text: str, expected: str | None) -> None:
    found = parse_duplicate_id(text)
    assert (str(found) if found else None) == expected


def _report(*ids: ResId) -> ConflictReport:
    chain = IncludeChain(dirs=(".",), file="x.yaml")
    return ConflictReport(
        root="/m",
        duplicates=tuple(Duplicate(id=i, met_at=".", message="m", chains=(chain, chain)) for i in ids),
    )


OTHER = ResId("", "v1", "ConfigMap", "settings")


@pytest.mark.parametrize(
    ("report", "real", "agrees"),
    [
        (_report(), RealBuildResult(command=("k",), ok=True), True),
        (_report(METACONTROLLER), RealBuildResult(command=("k",), ok=True), False),
        (
            _report(METACONTROLLER),
            RealBuildResult(command=("k",), ok=False, duplicate_id=METACONTROLLER),
            True,
        ),
        (_report(METACONTROLLER, OTHER), RealBuildResult(command=("k",), ok=False, duplicate_id=OTHER), True),
        (_report(OTHER), RealBuildResult(command=("k",), ok=False, duplicate_id=METACONTROLLER), False),
        (_report(), RealBuildResult(command=("k",), ok=False, duplicate_id=METACONTROLLER), False),
        (_report(), RealBuildResult(command=("k",), ok=False, error="no such file"), None),
        (_report(), RealBuildResult(command=("k",), ok=False, error="timed out", timed_out=True), None),
        # a namespace written as `default` is the same id as none at all
        (
            _report(OTHER),
            RealBuildResult(command=("k",), ok=False, duplicate_id=OTHER.with_namespace("default")),
            True,
        ),
    ],
)
def test_agreement(report: ConflictReport, real: RealBuildResult, agrees: bool | None) -> None:
    assert compare(report, real).agrees is agrees


def test_json_has_the_documented_shape() -> None:
    report = ConflictReport(
        root="/m",
        duplicates=(
            Duplicate(
                id=METACONTROLLER,
                met_at=".",
                message="may not add ...",
                chains=(
                    IncludeChain(dirs=(".", "a", "c"), file="c/role.yaml"),
                    IncludeChain(dirs=(".", "b", "c"), file="c/role.yaml"),
                ),
            ),
        ),
        skipped=(Skipped(entry="https://x/y.git", referenced_from=".", field="resources", reason="remote"),),
    )
    data = json.loads(render_json(with_real_build(report, RealBuildResult(command=("k", "build"), ok=True))))

    assert set(data) >= {"duplicates", "skipped", "errors", "real_build"}
    assert {k: data["duplicates"][0][k] for k in ("kind", "name", "namespace", "chains")} == {
        "kind": "ClusterRole",
        "name": "kubeflow-metacontroller",
        "namespace": None,
        "chains": [[".", "a", "c"], [".", "b", "c"]],
    }
    assert data["skipped"] == [
        {"entry": "https://x/y.git", "referenced_from": ".", "field": "resources", "reason": "remote"}
    ]
    assert data["real_build"]["ok"] is True and data["real_build"]["agrees"] is False


def test_text_says_when_nothing_is_duplicated_and_how_the_real_build_went() -> None:
    text = render_text(
        with_real_build(_report(), RealBuildResult(command=("kubectl", "kustomize", "/m"), ok=True))
    )

    assert "no resource id is brought in more than once" in text
    assert "static analysis agrees with the real build" in text


def test_kustomize_package_imports_neither_textual_nor_kubernetes() -> None:
    code = (
        "import sys, kftui.kustomize; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'kubernetes')); "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
