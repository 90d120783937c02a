"""The duplicate-id analyzer on small kustomization trees written into tmp_path.

Each tree is a dict {relative path: file text}. These tests need no kustomize: the same trees are built by the
real `kustomize` and `kubectl kustomize` (the lab's pinned binaries) in tests/e2e/test_kustomize_real_build.py,
which checks that the real build agrees with what is asserted here. Where the real build itself is simulated
here (the command's output), a fake kustomize on PATH stands in for it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kftui.kustomize import (
    EXIT_CLEAN,
    EXIT_CONFLICTS,
    ConflictsError,
    KustomizeNotFound,
    analyze,
    chains_by_id,
    conflicts_command,
    real_build,
    render_json,
    render_text,
)

Tree = dict[str, str]


def write_tree(base: Path, tree: Tree) -> Path:
    for rel, text in tree.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return base


def manifest(kind: str, name: str, api_version: str = "v1", namespace: str | None = None) -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}{ns}\n"


CLUSTER_ROLE = manifest("ClusterRole", "kubeflow-metacontroller", "rbac.authorization.k8s.io/v1")
METACONTROLLER_ID = "ClusterRole.v1.rbac.authorization.k8s.io/kubeflow-metacontroller.[noNs]"
COMPONENT_HEADER = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"

# The Kubeflow multi-app failure: two apps both pull in metacontroller.
KUBEFLOW: Tree = {
    "kustomization.yaml": "resources:\n- apps/pipelines\n- apps/profiles\n",
    "apps/pipelines/kustomization.yaml": "namespace: kubeflow\nresources:\n- ../../common/metacontroller\n- api.yaml\n",
    "apps/pipelines/api.yaml": manifest("Deployment", "ml-pipeline", "apps/v1"),
    "apps/profiles/kustomization.yaml": "namespace: kubeflow\nresources:\n- ../../common/metacontroller\n",
    "common/metacontroller/kustomization.yaml": "resources:\n- cluster-role.yaml\n",
    "common/metacontroller/cluster-role.yaml": CLUSTER_ROLE,
}

# A base uses a component, and the overlay uses the same component again.
COMPONENT_TWICE: Tree = {
    "kustomization.yaml": "resources:\n- base\ncomponents:\n- components/runner\n",
    "base/kustomization.yaml": "resources:\n- app.yaml\ncomponents:\n- ../components/runner\n",
    "base/app.yaml": manifest("Deployment", "app", "apps/v1"),
    "components/runner/kustomization.yaml": COMPONENT_HEADER + "resources:\n- sa.yaml\n",
    "components/runner/sa.yaml": manifest("ServiceAccount", "runner"),
}

# Used once, a component is fine; and it sees (and can rename) what its parent accumulated.
COMPONENT_ONCE: Tree = {
    "kustomization.yaml": "resources:\n- base\ncomponents:\n- components/runner\n",
    "base/kustomization.yaml": "resources:\n- app.yaml\n",
    "base/app.yaml": manifest("Deployment", "app", "apps/v1"),
    "components/runner/kustomization.yaml": COMPONENT_HEADER + "resources:\n- sa.yaml\n",
    "components/runner/sa.yaml": manifest("ServiceAccount", "runner"),
}

# The same namespaced resources reach the root under two namespaces: not a duplicate...
SEPARATED_BY_NAMESPACE: Tree = {
    "kustomization.yaml": "resources:\n- team-a\n- team-b\n",
    "team-a/kustomization.yaml": "namespace: team-a\nresources:\n- ../shared\n",
    "team-b/kustomization.yaml": "namespace: team-b\nresources:\n- ../shared\n",
    "shared/kustomization.yaml": "resources:\n- app.yaml\n",
    "shared/app.yaml": manifest("Deployment", "app", "apps/v1") + "---\n" + manifest("ServiceAccount", "app"),
}

# ...but a cluster-scoped one in the same place is, because `namespace:` does not apply to it.
CLUSTER_SCOPED_NOT_SEPARATED: Tree = {
    **SEPARATED_BY_NAMESPACE,
    "shared/app.yaml": manifest("ServiceAccount", "app") + "---\n" + CLUSTER_ROLE,
}

SEPARATED_BY_PREFIX: Tree = {
    "kustomization.yaml": "resources:\n- one\n- two\n",
    "one/kustomization.yaml": "namePrefix: one-\nresources:\n- ../shared\n",
    "two/kustomization.yaml": "nameSuffix: -two\nresources:\n- ../shared\n",
    "shared/kustomization.yaml": "resources:\n- role.yaml\n",
    "shared/role.yaml": CLUSTER_ROLE,
}

# A prefix leaves CRDs alone, so prefixing cannot separate two copies of a CRD.
PREFIX_SPARES_CRD: Tree = {
    **SEPARATED_BY_PREFIX,
    "shared/role.yaml": manifest("CustomResourceDefinition", "things.example.com", "apiextensions.k8s.io/v1"),
}

DELETE_PATCH: Tree = {
    "kustomization.yaml": "resources:\n- apps/pipelines\n- apps/profiles\n",
    "apps/pipelines/kustomization.yaml": "resources:\n- ../../common/metacontroller\n",
    "apps/profiles/kustomization.yaml": (
        "resources:\n- ../../common/metacontroller\npatches:\n- path: drop-metacontroller.yaml\n"
    ),
    "apps/profiles/drop-metacontroller.yaml": CLUSTER_ROLE + "$patch: delete\n",
    "common/metacontroller/kustomization.yaml": "resources:\n- cluster-role.yaml\n",
    "common/metacontroller/cluster-role.yaml": CLUSTER_ROLE,
}

DELETE_PATCH_WITH_TARGET: Tree = {
    **DELETE_PATCH,
    "apps/profiles/kustomization.yaml": (
        "resources:\n- ../../common/metacontroller\n"
        "patches:\n- target:\n    kind: ClusterRole\n    name: kubeflow-.*\n"
        "  patch: |-\n    apiVersion: rbac.authorization.k8s.io/v1\n    kind: ClusterRole\n"
        "    metadata:\n      name: any\n    $patch: delete\n"
    ),
}

GENERATED_TWICE: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n",
    "a/kustomization.yaml": "configMapGenerator:\n- name: settings\n  literals: [mode=a]\n",
    "b/kustomization.yaml": "configMapGenerator:\n- name: settings\n  literals: [mode=b]\n",
}

GENERATED_AND_MERGED: Tree = {
    "kustomization.yaml": (
        "namePrefix: top-\nresources:\n- a\n"
        "configMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [extra=1]\n"
    ),
    "a/kustomization.yaml": "configMapGenerator:\n- name: settings\n  literals: [mode=a]\n",
}

GENERATOR_MEETS_RESOURCE: Tree = {
    "kustomization.yaml": (
        "resources:\n- settings.yaml\nsecretGenerator:\n- name: creds\n  literals: [a=b]\n"
        "configMapGenerator:\n- name: settings\n  literals: [mode=a]\n"
    ),
    "settings.yaml": manifest("ConfigMap", "settings"),
}

MULTI_DOC: Tree = {
    "kustomization.yaml": "resources:\n- all.yaml\n- more.yaml\n",
    "all.yaml": (
        "---\n"
        + manifest("Service", "web")
        + "---\n"
        + manifest("Service", "web", namespace="other")
        + "---\n"
    ),
    "more.yaml": manifest("Service", "web", namespace="default") + "---\n# just a comment\n",
}

LIST_KIND: Tree = {
    "kustomization.yaml": "resources:\n- list.yaml\n",
    "list.yaml": (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: one\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: one\n"
    ),
}

CLEAN: Tree = {
    "kustomization.yaml": "namespace: kubeflow\nresources:\n- apps/pipelines\n- crds.yaml\n",
    "apps/pipelines/kustomization.yaml": "resources:\n- api.yaml\n",
    "apps/pipelines/api.yaml": manifest("Deployment", "ml-pipeline", "apps/v1"),
    "crds.yaml": manifest("CustomResourceDefinition", "things.example.com", "apiextensions.k8s.io/v1"),
}

THREE_WAY: Tree = {
    # (not x/y/z: kustomize reads `- y` as a YAML 1.1 boolean)
    "kustomization.yaml": "resources:\n- one\n- two\n- three\n",
    "one/kustomization.yaml": "resources:\n- ../common\n",
    "two/kustomization.yaml": "resources:\n- ../common\n",
    "three/kustomization.yaml": "resources:\n- ../common\n",
    "common/kustomization.yaml": "resources:\n- role.yaml\n",
    "common/role.yaml": CLUSTER_ROLE,
}

# Two namespaces folded into one by `namespace:` make one id out of two.
NAMESPACE_FOLDS: Tree = {
    "kustomization.yaml": "namespace: x\nresources:\n- both.yaml\n",
    "both.yaml": manifest("ServiceAccount", "s", namespace="a")
    + "---\n"
    + manifest("ServiceAccount", "s", namespace="b"),
}

MISSING_PATH: Tree = {
    "kustomization.yaml": "resources:\n- apps\n",
    "apps/kustomization.yaml": "resources:\n- gone.yaml\n- ../common\n",
    "common/kustomization.yaml": "resources:\n- role.yaml\n",
    "common/role.yaml": CLUSTER_ROLE,
}
NO_KUSTOMIZATION: Tree = {"kustomization.yaml": "resources:\n- empty\n", "empty/readme.md": "nothing\n"}
CYCLES: dict[str, Tree] = {
    "a-b-a": {
        "kustomization.yaml": "resources:\n- a\n",
        "a/kustomization.yaml": "resources:\n- ../b\n",
        "b/kustomization.yaml": "resources:\n- ../a\n",
    },
    "child-includes-parent": {
        "kustomization.yaml": "resources:\n- sub\n",
        "sub/kustomization.yaml": "resources:\n- ..\n",
    },
    "self": {"kustomization.yaml": "resources:\n- .\n"},
}
WRONG_KINDS: Tree = {
    "kustomization.yaml": "resources:\n- comp\ncomponents:\n- plain\n",
    "comp/kustomization.yaml": COMPONENT_HEADER + "resources: []\n",
    "plain/kustomization.yaml": "resources: []\n",
}
FILE_OUTSIDE: Tree = {
    "kustomization.yaml": "resources:\n- app\n",
    "app/kustomization.yaml": "resources:\n- ../role.yaml\n",
    "role.yaml": CLUSTER_ROLE,
}
EMPTY_COMPONENT: Tree = {
    "kustomization.yaml": "resources:\n- app.yaml\ncomponents:\n- comp\n",
    "app.yaml": CLUSTER_ROLE,
    "comp/kustomization.yaml": COMPONENT_HEADER,
}
MALFORMED: Tree = {"kustomization.yaml": "resources:\n- bad.yaml\n", "bad.yaml": "kind: [unclosed\n"}

# The guide's "Option 2": a bare `$patch: delete` is not a patch kustomize can parse.
BARE_DELETE_PATCH: Tree = {
    **KUBEFLOW,
    "apps/profiles/kustomization.yaml": (
        "resources:\n- ../../common/metacontroller\n"
        "patches:\n- target:\n    kind: ClusterRole\n    name: kubeflow-metacontroller\n"
        "  patch: |-\n    $patch: delete\n"
    ),
}
NAMELESS: Tree = {
    "kustomization.yaml": "resources:\n- a.yaml\n",
    "a.yaml": "apiVersion: v1\nkind: ConfigMap\n",
}

# Trees kustomize refuses for reasons other than a duplicate id.
ERROR_CASES: dict[str, Tree] = {
    "missing-path": MISSING_PATH,
    "no-kustomization": NO_KUSTOMIZATION,
    **{f"cycle-{name}": tree for name, tree in CYCLES.items()},
    "wrong-kinds": WRONG_KINDS,
    "file-outside": FILE_OUTSIDE,
    "malformed": MALFORMED,
    "empty-component": EMPTY_COMPONENT,
    "bare-delete-patch": BARE_DELETE_PATCH,
    "nameless": NAMELESS,
}

# `namespace:` renames v1 Namespace objects to itself, so two different Namespaces can become one.
NAMESPACE_OBJECTS_RENAMED: Tree = {
    "kustomization.yaml": "resources:\n- one\n- two\n",
    "one/kustomization.yaml": "namespace: kubeflow\nresources:\n- ns.yaml\n",
    "one/ns.yaml": manifest("Namespace", "team-one"),
    "two/kustomization.yaml": "namespace: kubeflow\nresources:\n- ns.yaml\n",
    "two/ns.yaml": manifest("Namespace", "team-two"),
}

# The deprecated spellings: patchesStrategicMerge (file and inline) and a JSON 6902 rename.
DEPRECATED_PATCHES: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n- c\n",
    "a/kustomization.yaml": "resources:\n- ../shared\npatchesStrategicMerge:\n- drop.yaml\n",
    "a/drop.yaml": CLUSTER_ROLE + "$patch: delete\n",
    "b/kustomization.yaml": (
        "resources:\n- ../shared\npatchesStrategicMerge:\n- |-\n"
        "  apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n"
        "  metadata:\n    name: kubeflow-metacontroller\n  $patch: delete\n"
    ),
    "c/kustomization.yaml": (
        "resources:\n- ../shared\npatchesJson6902:\n- target:\n    group: rbac.authorization.k8s.io\n"
        "    version: v1\n    kind: ClusterRole\n    name: kubeflow-metacontroller\n"
        "  patch: |-\n    - op: replace\n      path: /metadata/name\n      value: renamed\n"
    ),
    "shared/kustomization.yaml": "resources:\n- role.yaml\n",
    "shared/role.yaml": CLUSTER_ROLE,
}

# A label-selected delete, secretGenerator ids, and a generator's own namespace.
SELECTORS_AND_SECRETS: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n",
    "a/kustomization.yaml": (
        "resources:\n- ../shared\nsecretGenerator:\n- name: creds\n  namespace: auth\n  literals: [a=b]\n"
        "patches:\n- target:\n    labelSelector: app=meta\n"
        "  patch: |-\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata:\n      name: any\n"
        "    $patch: delete\n"
    ),
    "b/kustomization.yaml": (
        "resources:\n- ../shared\nsecretGenerator:\n- name: creds\n  namespace: auth\n  literals: [c=d]\n"
    ),
    "shared/kustomization.yaml": "resources:\n- sa.yaml\n",
    "shared/sa.yaml": (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: meta\n  labels:\n    app: meta\n"
        "---\n" + manifest("ServiceAccount", "other")
    ),
}

# A file is read into its own resource map first: the duplicate inside it fails before the clash with `base`.
INSIDE_FILE_FIRST: Tree = {
    "kustomization.yaml": "resources:\n- base\n- all.yaml\n",
    "base/kustomization.yaml": "resources:\n- crd.yaml\n",
    "base/crd.yaml": manifest("CustomResourceDefinition", "things.example.com", "apiextensions.k8s.io/v1"),
    "all.yaml": (
        manifest("CustomResourceDefinition", "things.example.com", "apiextensions.k8s.io/v1")
        + "---\n"
        + manifest("ServiceAccount", "runner")
        + "---\n"
        + manifest("ServiceAccount", "runner")
    ),
}

# Set-based label selectors: `a` keeps only `other`, `b` keeps only `meta`, `c` keeps both.
SET_SELECTORS: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n- c\n",
    "c/kustomization.yaml": "resources:\n- ../shared\n",
    "a/kustomization.yaml": (
        "resources:\n- ../shared\npatches:\n- target:\n    labelSelector: app in (meta, x),!gone\n"
        "  patch: |-\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata:\n      name: any\n"
        "    $patch: delete\n"
    ),
    "b/kustomization.yaml": (
        "resources:\n- ../shared\npatches:\n- target:\n    labelSelector: app notin (meta)\n"
        "  patch: |-\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata:\n      name: any\n"
        "    $patch: delete\n"
    ),
    "shared/kustomization.yaml": "resources:\n- sa.yaml\n",
    "shared/sa.yaml": (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: meta\n  labels:\n    app: meta\n---\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n  labels:\n    app: other\n"
    ),
}

# Trees the real kustomize builds, with the one duplicate id it must stop at (None: the build succeeds).
AGREEMENT_CASES: dict[str, tuple[Tree, str | None]] = {
    "kubeflow": (KUBEFLOW, METACONTROLLER_ID),
    "component-twice": (COMPONENT_TWICE, "ServiceAccount.v1.[noGrp]/runner.[noNs]"),
    "component-once": (COMPONENT_ONCE, None),
    "separated-by-namespace": (SEPARATED_BY_NAMESPACE, None),
    "cluster-scoped-not-separated": (CLUSTER_SCOPED_NOT_SEPARATED, METACONTROLLER_ID),
    "separated-by-prefix": (SEPARATED_BY_PREFIX, None),
    "prefix-spares-crd": (
        PREFIX_SPARES_CRD,
        "CustomResourceDefinition.v1.apiextensions.k8s.io/things.example.com.[noNs]",
    ),
    "delete-patch": (DELETE_PATCH, None),
    "delete-patch-with-target": (DELETE_PATCH_WITH_TARGET, None),
    "generated-twice": (GENERATED_TWICE, "ConfigMap.v1.[noGrp]/settings.[noNs]"),
    "generated-and-merged": (GENERATED_AND_MERGED, None),
    "generator-meets-resource": (GENERATOR_MEETS_RESOURCE, "ConfigMap.v1.[noGrp]/settings.[noNs]"),
    "multi-doc": (MULTI_DOC, "Service.v1.[noGrp]/web.default"),
    "list-kind": (LIST_KIND, "ConfigMap.v1.[noGrp]/one.[noNs]"),
    "clean": (CLEAN, None),
    "three-way": (THREE_WAY, METACONTROLLER_ID),
    "namespace-folds": (NAMESPACE_FOLDS, "ServiceAccount.v1.[noGrp]/s.x"),
    "set-selectors": (SET_SELECTORS, "ServiceAccount.v1.[noGrp]/meta.[noNs]"),
    "inside-file-first": (INSIDE_FILE_FIRST, "ServiceAccount.v1.[noGrp]/runner.[noNs]"),
    "namespace-objects-renamed": (NAMESPACE_OBJECTS_RENAMED, "Namespace.v1.[noGrp]/kubeflow.[noNs]"),
    "deprecated-patches": (DEPRECATED_PATCHES, None),
    "selectors-and-secrets": (SELECTORS_AND_SECRETS, "ServiceAccount.v1.[noGrp]/other.[noNs]"),
}


def test_kubeflow_shape_names_both_include_chains(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, KUBEFLOW))

    assert [str(d.id) for d in report.duplicates] == [METACONTROLLER_ID]
    dup = report.duplicates[0]
    assert (dup.kind, dup.name, dup.namespace) == ("ClusterRole", "kubeflow-metacontroller", None)
    assert [list(c.dirs) for c in dup.chains] == [
        [".", "apps/pipelines", "common/metacontroller"],
        [".", "apps/profiles", "common/metacontroller"],
    ]
    assert [c.file for c in dup.chains] == ["common/metacontroller/cluster-role.yaml"] * 2
    assert dup.met_at == "."
    assert dup.message == f"may not add resource with an already registered id: {METACONTROLLER_ID}"
    assert report.first_failure == dup.message
    assert report.errors == () and report.skipped == ()


def test_kubeflow_shape_json_output(tmp_path: Path) -> None:
    data = json.loads(render_json(analyze(write_tree(tmp_path, KUBEFLOW))))

    assert data["skipped"] == []
    assert [{k: d[k] for k in ("kind", "name", "namespace", "chains")} for d in data["duplicates"]] == [
        {
            "kind": "ClusterRole",
            "name": "kubeflow-metacontroller",
            "namespace": None,
            "chains": [
                [".", "apps/pipelines", "common/metacontroller"],
                [".", "apps/profiles", "common/metacontroller"],
            ],
        }
    ]
    assert data["duplicates"][0]["id"] == METACONTROLLER_ID


def test_text_output_shows_each_chain(tmp_path: Path) -> None:
    text = render_text(analyze(write_tree(tmp_path, KUBEFLOW)))

    assert METACONTROLLER_ID in text
    assert ". -> apps/pipelines -> common/metacontroller" in text
    assert ". -> apps/profiles -> common/metacontroller" in text


def test_chains_by_id_is_keyed_by_kind_namespace_name(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, KUBEFLOW))

    assert chains_by_id(report) == {
        ("ClusterRole", None, "kubeflow-metacontroller"): [
            [".", "apps/pipelines", "common/metacontroller"],
            [".", "apps/profiles", "common/metacontroller"],
        ]
    }


def test_component_used_by_a_base_and_again_by_the_overlay(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, COMPONENT_TWICE))

    assert [str(d.id) for d in report.duplicates] == ["ServiceAccount.v1.[noGrp]/runner.[noNs]"]
    dup = report.duplicates[0]
    assert [list(c.dirs) for c in dup.chains] == [
        [".", "base", "components/runner"],
        [".", "components/runner"],
    ]
    # kustomize fails while appending the component's own resources to the root's accumulator.
    assert dup.met_at == "components/runner"


def test_component_transformers_apply_to_the_parents_resources(tmp_path: Path) -> None:
    tree = {
        **COMPONENT_ONCE,
        # Without the component's prefix, the root's own copy of app.yaml would collide with base's.
        "kustomization.yaml": "resources:\n- base\ncomponents:\n- components/runner\n- components/late\n",
        "components/runner/kustomization.yaml": COMPONENT_HEADER
        + "namePrefix: early-\nresources:\n- sa.yaml\n",
        "components/late/kustomization.yaml": COMPONENT_HEADER + "resources:\n- app.yaml\n",
        "components/late/app.yaml": manifest("Deployment", "app", "apps/v1"),
    }
    report = analyze(write_tree(tmp_path, tree))

    assert report.duplicates == ()


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        (SEPARATED_BY_NAMESPACE, []),
        (CLUSTER_SCOPED_NOT_SEPARATED, [METACONTROLLER_ID]),
        (SEPARATED_BY_PREFIX, []),
        (PREFIX_SPARES_CRD, ["CustomResourceDefinition.v1.apiextensions.k8s.io/things.example.com.[noNs]"]),
    ],
    ids=["namespace", "namespace-ignores-cluster-scoped", "prefix-suffix", "prefix-ignores-crd"],
)
def test_namespace_and_name_transforms(tmp_path: Path, tree: Tree, expected: list[str]) -> None:
    assert [str(d.id) for d in analyze(write_tree(tmp_path, tree)).duplicates] == expected


def test_ids_carry_the_transforms_applied_below_the_meeting_point(tmp_path: Path) -> None:
    tree = {
        "kustomization.yaml": "resources:\n- a\n- b\n",
        "a/kustomization.yaml": "namespace: ml\nnamePrefix: kf-\nresources:\n- ../shared\n",
        "b/kustomization.yaml": "namespace: ml\nnamePrefix: kf-\nresources:\n- ../shared\n",
        "shared/kustomization.yaml": "resources:\n- sa.yaml\n",
        "shared/sa.yaml": manifest("ServiceAccount", "runner", namespace="elsewhere"),
    }
    report = analyze(write_tree(tmp_path, tree))

    assert [str(d.id) for d in report.duplicates] == ["ServiceAccount.v1.[noGrp]/kf-runner.ml"]


@pytest.mark.parametrize("tree", [DELETE_PATCH, DELETE_PATCH_WITH_TARGET], ids=["by-id", "by-target"])
def test_delete_patch_removes_one_copy(tmp_path: Path, tree: Tree) -> None:
    report = analyze(write_tree(tmp_path, tree))

    assert report.duplicates == ()
    assert report.errors == ()


def test_delete_patch_at_the_meeting_point_is_too_late(tmp_path: Path) -> None:
    # kustomize accumulates before it patches, so the copies meet (and fail) before the delete runs.
    tree = {
        **KUBEFLOW,
        "kustomization.yaml": "resources:\n- apps/pipelines\n- apps/profiles\npatches:\n- path: drop.yaml\n",
        "drop.yaml": CLUSTER_ROLE + "$patch: delete\n",
    }
    assert [str(d.id) for d in analyze(write_tree(tmp_path, tree)).duplicates] == [METACONTROLLER_ID]


def test_generated_configmaps_collide_by_base_name(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, GENERATED_TWICE))

    assert [str(d.id) for d in report.duplicates] == ["ConfigMap.v1.[noGrp]/settings.[noNs]"]
    dup = report.duplicates[0]
    assert [list(c.dirs) for c in dup.chains] == [[".", "a"], [".", "b"]]
    assert [c.file for c in dup.chains] == [
        "a/kustomization.yaml#configMapGenerator:settings",
        "b/kustomization.yaml#configMapGenerator:settings",
    ]


def test_generator_merge_into_a_prefixed_base_is_not_a_duplicate(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, GENERATED_AND_MERGED))

    assert report.duplicates == () and report.errors == ()


def test_generator_create_over_an_existing_resource(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, GENERATOR_MEETS_RESOURCE))

    assert [str(d.id) for d in report.duplicates] == ["ConfigMap.v1.[noGrp]/settings.[noNs]"]
    dup = report.duplicates[0]
    assert "behavior must be merge or replace" in dup.message
    assert [c.file for c in dup.chains] == ["settings.yaml", "kustomization.yaml#configMapGenerator:settings"]


def test_multi_document_files_and_the_default_namespace(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, MULTI_DOC))

    # `web` without a namespace and `web` in `default` are one resource to kustomize; `web` in `other` is not.
    assert [str(d.id) for d in report.duplicates] == ["Service.v1.[noGrp]/web.default"]
    assert [(list(c.dirs), c.file) for c in report.duplicates[0].chains] == [
        (
            [
                ".",
            ],
            "all.yaml",
        ),
        (["."], "more.yaml"),
    ]


def test_list_items_are_resources(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, LIST_KIND))

    assert [str(d.id) for d in report.duplicates] == ["ConfigMap.v1.[noGrp]/one.[noNs]"]


def test_a_third_copy_joins_the_same_duplicate(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, THREE_WAY))

    assert len(report.duplicates) == 1
    assert [list(c.dirs) for c in report.duplicates[0].chains] == [
        [".", "one", "common"],
        [".", "two", "common"],
        [".", "three", "common"],
    ]


def test_remote_resources_are_skipped_with_the_reason(tmp_path: Path) -> None:
    remotes = [
        "https://github.com/kubeflow/manifests//common/cert-manager?ref=v1.9.0",
        "github.com/kubeflow/manifests/common/istio?ref=v1.9.0",
        "git@github.com:kubeflow/manifests.git//common/dex",
    ]
    tree = {
        "kustomization.yaml": "resources:\n" + "".join(f"- {r}\n" for r in remotes) + "- local.yaml\n",
        "local.yaml": CLUSTER_ROLE,
    }
    report = analyze(write_tree(tmp_path, tree))

    assert [s.entry for s in report.skipped] == remotes
    assert {s.reason for s in report.skipped} == {"remote resource: not fetched"}
    assert {s.referenced_from for s in report.skipped} == {"."}
    assert report.errors == () and report.duplicates == ()
    assert json.loads(render_json(report))["skipped"][0]["entry"] == remotes[0]


def test_missing_path_is_an_error_in_the_report(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, MISSING_PATH))

    assert [(e.directory, e.chain, e.message) for e in report.errors] == [
        ("apps", (".", "apps"), "'gone.yaml' listed in apps does not exist")
    ]
    assert report.first_failure == "'gone.yaml' listed in apps does not exist"


def test_directory_without_kustomization_is_an_error(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, NO_KUSTOMIZATION))

    assert [e.directory for e in report.errors] == ["empty"]
    assert "unable to find one of" in report.errors[0].message


@pytest.mark.parametrize("tree", list(CYCLES.values()), ids=list(CYCLES))
def test_cycles_are_errors_not_exceptions(tmp_path: Path, tree: Tree) -> None:
    report = analyze(write_tree(tmp_path, tree))

    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("cycle detected")


def test_component_and_kustomization_kinds_are_checked(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, WRONG_KINDS))

    assert [e.message for e in report.errors] == [
        "expected kind != 'Component' for path 'comp'",
        "expected kind 'Component' for path 'plain' but got 'Kustomization'",
    ]


def test_file_outside_the_kustomization_directory_is_refused(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, FILE_OUTSIDE))

    assert [e.directory for e in report.errors] == ["app"]
    assert report.errors[0].message.startswith("security;")


def test_malformed_yaml_is_an_error(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, MALFORMED))

    assert len(report.errors) == 1 and report.errors[0].message.startswith("cannot read bad.yaml")


def test_bases_and_yml_and_capitalised_kustomization_files(tmp_path: Path) -> None:
    tree = {
        "kustomization.yml": "bases:\n- one\nresources:\n- two\n",
        "one/Kustomization": "resources:\n- ../shared\n",
        "two/kustomization.yaml": "resources:\n- ../shared\n",
        "shared/kustomization.yaml": "resources:\n- role.yaml\n",
        "shared/role.yaml": CLUSTER_ROLE,
    }
    report = analyze(write_tree(tmp_path, tree))

    # bases are appended after resources, so `two` comes first.
    assert [list(c.dirs) for c in report.duplicates[0].chains] == [
        [".", "two", "shared"],
        [".", "one", "shared"],
    ]


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda p: p / "nope", "no such file or directory"),
        (lambda p: write_tree(p, {"file.yaml": CLUSTER_ROLE}) / "file.yaml", "not a directory"),
        (lambda p: p, "no kustomization.yaml"),
    ],
    ids=["missing", "file", "no-kustomization"],
)
def test_unusable_path_raises_conflicts_error(tmp_path: Path, setup, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConflictsError, match=fragment) as info:
        analyze(setup(tmp_path))
    assert "\n" not in str(info.value)


# ---- what the real kustomize also says (tests/e2e/test_kustomize_real_build.py builds these trees) --------------


@pytest.mark.parametrize("case", sorted(AGREEMENT_CASES))
def test_static_analysis_names_the_first_duplicate_the_real_build_stops_at(tmp_path: Path, case: str) -> None:
    tree, expected = AGREEMENT_CASES[case]
    report = analyze(write_tree(tmp_path, tree))

    static_first = str(report.duplicates[0].id) if report.duplicates else None
    assert static_first == expected
    assert report.first_failure == (report.duplicates[0].message if expected else None)


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_trees_kustomize_refuses_are_errors_before_any_duplicate(tmp_path: Path, case: str) -> None:
    report = analyze(write_tree(tmp_path, ERROR_CASES[case]))

    # The analysis may go on to find duplicates behind the error, but kustomize stops at the error first.
    assert report.errors and report.first_failure == report.errors[0].message


def test_selectors_and_secrets_chains(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, SELECTORS_AND_SECRETS))

    # Only the labelled ServiceAccount is deleted in `a`, so `other` still arrives twice.
    assert [str(d.id) for d in report.duplicates] == [
        "ServiceAccount.v1.[noGrp]/other.[noNs]",
        "Secret.v1.[noGrp]/creds.auth",
    ]
    assert [list(c.dirs) for c in report.duplicates[1].chains] == [[".", "a"], [".", "b"]]


def test_files_outside_the_root_when_the_load_restrictor_is_off(tmp_path: Path) -> None:
    tree = {
        **FILE_OUTSIDE,
        "kustomization.yaml": "resources:\n- app\n- other\n",
        "other/kustomization.yaml": "resources:\n- ../role.yaml\n",
    }
    root = write_tree(tmp_path, tree)
    report = analyze(root, files_outside_root=True)

    assert report.errors == ()
    assert [[list(c.dirs) for c in d.chains] for d in report.duplicates] == [[[".", "app"], [".", "other"]]]
    assert [c.file for c in report.duplicates[0].chains] == ["role.yaml", "role.yaml"]
    assert str(report.duplicates[0].id) == METACONTROLLER_ID


_TWO_PATCH_DOCS = (
    CLUSTER_ROLE.replace("\n", "\n    ")
    + "---\n    "
    + manifest("ServiceAccount", "x").replace("\n", "\n    ")
)
# One `patches` entry with a target and two strategic-merge documents: kustomize refuses it.
SHARED_TARGET: Tree = {
    "kustomization.yaml": f"resources:\n- role.yaml\npatches:\n- target:\n    kind: ClusterRole\n  patch: |-\n    {_TWO_PATCH_DOCS}\n",
    "role.yaml": CLUSTER_ROLE,
}


def test_one_target_for_several_strategic_merge_patches_is_refused(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, SHARED_TARGET))

    assert [e.message for e in report.errors] == [
        "multiple strategic-merge patches in one `patches` entry of . cannot share a target"
    ]


def test_no_kustomize_anywhere_is_an_error_not_a_skip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KustomizeNotFound, match="neither kustomize nor kubectl"):
        real_build(write_tree(tmp_path, KUBEFLOW))


def fake_kustomize(bin_dir: Path, *, stderr: str = "", status: int = 0) -> Path:
    """A `kustomize` on PATH that answers every build with `stderr` and `status`: the real build's seam is PATH."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "kustomize"
    exe.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write({stderr!r})\nsys.exit({status})\n")
    exe.chmod(0o755)
    return bin_dir


def test_conflicts_command_output_and_exit_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = write_tree(tmp_path / "broken", KUBEFLOW)
    clean = write_tree(tmp_path / "clean", CLEAN)
    # What kustomize prints for KUBEFLOW (tests/e2e/test_kustomize_real_build.py runs the real one).
    refusal = (
        "Error: accumulating resources: accumulation err='accumulating resources from 'apps/profiles': ...': "
        f"may not add resource with an already registered id: {METACONTROLLER_ID}\n"
    )

    monkeypatch.setenv("PATH", str(fake_kustomize(tmp_path / "refuses", stderr=refusal, status=1)))
    text, status = conflicts_command(broken)
    assert status == EXIT_CONFLICTS
    assert METACONTROLLER_ID in text and "static analysis agrees with the real build" in text

    monkeypatch.setenv("PATH", str(fake_kustomize(tmp_path / "builds")))
    text, status = conflicts_command(clean, as_json=True)
    assert status == EXIT_CLEAN
    data = json.loads(text)
    assert (
        data["duplicates"] == [] and data["real_build"]["ok"] is True and data["real_build"]["agrees"] is True
    )
    text, status = conflicts_command(broken, as_json=True)
    assert status == EXIT_CONFLICTS and json.loads(text)["real_build"]["agrees"] is False

    text, status = conflicts_command(broken, as_json=True, compare_real_build=False)
    assert status == EXIT_CONFLICTS and json.loads(text)["real_build"] is None


def test_conflicts_command_without_any_kustomize_still_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = write_tree(tmp_path, KUBEFLOW)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    text, status = conflicts_command(root)
    assert status == EXIT_CONFLICTS
    assert "no real build: neither kustomize nor kubectl is on PATH" in text


def test_remote_components_and_unrendered_generators_are_skipped(tmp_path: Path) -> None:
    tree = {
        "kustomization.yaml": (
            "resources:\n- role.yaml\n"
            "components:\n- https://github.com/kubeflow/manifests//contrib/security/PSS/static/baseline?ref=v1.9.0\n"
            "helmCharts:\n- name: seaweedfs\n  repo: https://seaweedfs.github.io/seaweedfs/helm\n"
            "transformers:\n- my-transformer.yaml\n"
        ),
        "role.yaml": CLUSTER_ROLE,
    }
    report = analyze(write_tree(tmp_path, tree))

    assert [(s.field, s.reason) for s in report.skipped] == [
        ("helmCharts", "generator output is not modelled"),
        ("components", "remote component: not fetched"),
    ]
    assert report.notes == (
        "transformers are not modelled (they could rename resources); first seen in .",
        "1 remote entry was not fetched; to analyse it offline, map each repository to a local checkout: "
        "--remote-map https://github.com/kubeflow/manifests=DIR (add ?ref=X to the URL to map one ref only)",
    )
    assert report.errors == ()


_yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.text(max_size=12),
    st.sampled_from(
        [".", "..", "x.yaml", "missing", "https://example.com/x.git", "delete", "merge", "Component"]
    ),
)
_yaml_values = st.recursive(
    _yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_KUSTOMIZATION_FIELDS = [
    "apiVersion", "kind", "resources", "bases", "components", "namespace", "namePrefix", "nameSuffix",
    "patches", "patchesStrategicMerge", "patchesJson6902", "configMapGenerator", "secretGenerator",
    "commonLabels", "labels", "helmCharts", "generators",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.sampled_from(_KUSTOMIZATION_FIELDS), _yaml_values, max_size=6))
def test_junk_kustomizations_never_raise(tmp_path: Path, fields: dict[str, object]) -> None:
    root = tmp_path / "junk"
    shutil.rmtree(root, ignore_errors=True)
    write_tree(root, {"kustomization.yaml": yaml.safe_dump(fields), "x.yaml": CLUSTER_ROLE})

    report = analyze(root)  # problems are reported, never raised
    render_text(report)
    json.loads(render_json(report))


def test_set_based_label_selectors_choose_what_kustomize_chooses(tmp_path: Path) -> None:
    root = write_tree(tmp_path, SET_SELECTORS)
    report = analyze(root)

    assert {d.name: [list(c.dirs) for c in d.chains] for d in report.duplicates} == {
        "meta": [[".", "b", "shared"], [".", "c", "shared"]],
        "other": [[".", "a", "shared"], [".", "c", "shared"]],
    }


def test_names_the_os_refuses_are_reported_not_raised(tmp_path: Path) -> None:
    """Found by the fuzzer: an entry longer than a file name may be made OSError from is_file()."""
    long = "x" * 300
    root = write_tree(
        tmp_path,
        {
            "kustomization.yaml": yaml.safe_dump(
                {"resources": [long, "x.yaml"], "components": [long], "patchesStrategicMerge": [long]}
            ),
            "x.yaml": CLUSTER_ROLE,
        },
    )
    report = analyze(root)
    assert sum(long in p.message for p in report.errors) == 3
    with pytest.raises(ConflictsError, match="File name too long"):
        analyze(tmp_path / long)
