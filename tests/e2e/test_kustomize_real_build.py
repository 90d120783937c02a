"""The static analysis against the real kustomize: the lab's pinned `kustomize build` and `kubectl kustomize`.

tests/unit/test_kustomize_conflicts.py asserts what the analyzer says about its hand-made trees without any
binary; here the same trees are built for real, and each verdict must be the real build's. Then a differential
test: random kustomization trees, small DAGs of kustomizations and components over a pool of resources chosen to
collide (a cluster-scoped role, namespaced service accounts with and without namespaces, a CRD, a Namespace),
with namespaces, prefixes, suffixes, generators (create and merge), delete patches and renaming replacements
sprinkled in. For each tree,
the first failure the analyzer predicts must be the one the real build stops at: the same duplicate id, or an
error without one, or none at all. The examples are derandomized so a run is reproducible; a failure prints the
tree. No lab is started: only its binaries are needed (built first when missing).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kftui.kustomize import (
    EXIT_CLEAN,
    EXIT_CONFLICTS,
    analyze,
    conflicts_command,
    real_build,
    with_real_build,
)
from tests.unit.test_kustomize_conflicts import (
    AGREEMENT_CASES,
    CLEAN,
    COMPONENT_HEADER,
    ERROR_CASES,
    FILE_OUTSIDE,
    KUBEFLOW,
    METACONTROLLER_ID,
    SET_SELECTORS,
    SHARED_TARGET,
    Tree,
    manifest,
    write_tree,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def builders(lab_binaries: Path) -> list[tuple[str, ...]]:
    """Both real builders, at the versions tests/lab/versions.toml pins."""
    return [(str(lab_binaries / "kustomize"), "build"), (str(lab_binaries / "kubectl"), "kustomize")]


@pytest.mark.parametrize("case", sorted(AGREEMENT_CASES))
def test_static_analysis_agrees_with_the_real_build(
    tmp_path: Path, case: str, builders: list[tuple[str, ...]]
) -> None:
    tree, expected = AGREEMENT_CASES[case]
    root = write_tree(tmp_path, tree)
    report = analyze(root)

    static_first = str(report.duplicates[0].id) if report.duplicates else None
    assert static_first == expected
    for command in builders:
        real = real_build(root, command=command, timeout=60)
        assert not real.timed_out
        assert (str(real.duplicate_id) if real.duplicate_id else None) == expected, real.error
        assert real.ok is (expected is None), real.error
        compared = with_real_build(report, real)
        assert compared.agreement is not None and compared.agreement.agrees is True, compared.agreement


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_trees_kustomize_refuses_fail_the_real_build_too(
    tmp_path: Path, case: str, builders: list[tuple[str, ...]]
) -> None:
    root = write_tree(tmp_path, ERROR_CASES[case])
    report = analyze(root)

    assert report.errors and report.first_failure == report.errors[0].message
    for command in builders:
        compared = with_real_build(report, real_build(root, command=command))
        assert compared.real_build is not None and not compared.real_build.ok
        assert compared.real_build.duplicate_id is None, compared.real_build.error
        assert compared.agreement is not None and compared.agreement.agrees is None


def test_files_outside_the_root_when_the_load_restrictor_is_off(
    tmp_path: Path, builders: list[tuple[str, ...]]
) -> None:
    tree = {
        **FILE_OUTSIDE,
        "kustomization.yaml": "resources:\n- app\n- other\n",
        "other/kustomization.yaml": "resources:\n- ../role.yaml\n",
    }
    root = write_tree(tmp_path, tree)
    assert str(analyze(root, files_outside_root=True).duplicates[0].id) == METACONTROLLER_ID
    for command in builders:
        real = real_build(root, command=command, files_outside_root=True)
        assert str(real.duplicate_id) == METACONTROLLER_ID, real.error


def test_one_target_for_several_strategic_merge_patches_is_refused(
    tmp_path: Path, builders: list[tuple[str, ...]]
) -> None:
    root = write_tree(tmp_path, SHARED_TARGET)
    assert analyze(root).errors
    for command in builders:
        real = real_build(root, command=command)
        assert not real.ok and "Multiple Strategic-Merge Patches" in real.error


def test_set_based_label_selectors_choose_what_kustomize_chooses(
    tmp_path: Path, builders: list[tuple[str, ...]]
) -> None:
    root = write_tree(tmp_path, SET_SELECTORS)
    for command in builders:
        for branch, survivor in (("a", "other"), ("b", "meta")):
            built = subprocess.run([*command, str(root / branch)], capture_output=True, text=True, check=True)
            assert [d["metadata"]["name"] for d in yaml.safe_load_all(built.stdout) if d] == [survivor]


def test_conflicts_command_output_and_exit_status(
    tmp_path: Path, lab_binaries: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(lab_binaries))  # conflicts_command finds kustomize on PATH
    broken = write_tree(tmp_path / "broken", KUBEFLOW)
    clean = write_tree(tmp_path / "clean", CLEAN)

    text, status = conflicts_command(broken)
    assert status == EXIT_CONFLICTS
    assert METACONTROLLER_ID in text and "static analysis agrees with the real build" in text

    text, status = conflicts_command(clean, as_json=True)
    assert status == EXIT_CLEAN
    data = json.loads(text)
    assert (
        data["duplicates"] == [] and data["real_build"]["ok"] is True and data["real_build"]["agrees"] is True
    )


# ---- differential: random trees --------------------------------------------------------------------------------

POOL = {
    "role": manifest("ClusterRole", "kubeflow-metacontroller", "rbac.authorization.k8s.io/v1"),
    "role-ns": manifest(
        "ClusterRole", "kubeflow-metacontroller", "rbac.authorization.k8s.io/v1", namespace="a"
    ),
    "sa": manifest("ServiceAccount", "runner"),
    "sa-a": manifest("ServiceAccount", "runner", namespace="a"),
    "sa-default": manifest("ServiceAccount", "runner", namespace="default"),
    "cm": manifest("ConfigMap", "settings"),
    "crd": manifest("CustomResourceDefinition", "things.example.com", "apiextensions.k8s.io/v1"),
    "ns": manifest("Namespace", "team"),
    "deploy": manifest("Deployment", "app", "apps/v1", namespace="b"),
}
DELETABLE = [
    ("ClusterRole", "kubeflow-metacontroller", "rbac.authorization.k8s.io/v1"),
    ("ServiceAccount", "runner", "v1"),
]


# Replacements that rename, with sources the analysis can always read (names and namespaces): a source may be
# missing, ambiguous or without a namespace, which kustomize refuses as the analysis does.
REPLACEMENTS = [
    "replacements:\n- source: {kind: ServiceAccount, name: runner, fieldPath: metadata.namespace}\n"
    "  targets:\n  - select: {kind: ClusterRole}\n    fieldPaths: [metadata.name]\n"
    "    options: {delimiter: '-', index: 1}",
    "replacements:\n- source: {kind: ConfigMap, fieldPath: metadata.name}\n"
    "  targets:\n  - select: {kind: ServiceAccount}\n    fieldPaths: [metadata.namespace]\n"
    "    options: {create: true}",
    "replacements:\n- source: {kind: Deployment, name: app}\n"
    "  targets:\n  - select: {kind: ServiceAccount}\n    reject: [{namespace: a}]\n    fieldPaths: [metadata.name]",
]


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    count = draw(st.integers(min_value=2, max_value=6))
    is_component = [False] + [draw(st.booleans()) for _ in range(count - 1)]
    tree: Tree = {}
    for i in range(count):
        here = "." if i == 0 else f"d{i}"
        lines: list[str] = []
        if is_component[i]:
            lines.append(COMPONENT_HEADER.rstrip("\n"))
        below = list(range(i + 1, count))
        kust_refs = [j for j in below if not is_component[j]]
        comp_refs = [j for j in below if is_component[j]]
        own = draw(st.lists(st.sampled_from(sorted(POOL)), max_size=3))
        refs = draw(st.lists(st.sampled_from(kust_refs), max_size=3)) if kust_refs else []
        prefix_dir = f"{here}/" if i else ""
        if len(own) > 1 and draw(st.booleans()):
            files = ["all.yaml"]  # one multi-document file
            tree[f"{prefix_dir}all.yaml"] = "---\n".join(POOL[k] for k in own)
        else:
            files = [f"{k}-{n}.yaml" for n, k in enumerate(own)]
            for n, k in enumerate(own):
                tree[f"{prefix_dir}{k}-{n}.yaml"] = POOL[k]
        resources = files + [("../" if i else "") + f"d{j}" for j in refs]
        draw(st.randoms()).shuffle(resources)
        if resources:
            lines.append("resources:\n" + "".join(f"- {r}\n" for r in resources).rstrip("\n"))
        comps = draw(st.lists(st.sampled_from(comp_refs), max_size=2)) if comp_refs else []
        if comps:
            lines.append(
                "components:\n" + "".join(f"- {'../' if i else ''}d{j}\n" for j in comps).rstrip("\n")
            )
        generators = draw(
            st.lists(
                st.tuples(st.sampled_from(["settings", "gen"]), st.sampled_from(["", "merge"])), max_size=2
            )
        )
        if generators:
            lines.append(
                draw(st.sampled_from(["configMapGenerator", "secretGenerator"]))
                + ":\n"
                + "".join(
                    f"- name: {name}\n"
                    + (f"  behavior: {behavior}\n" if behavior else "")
                    + "  literals: [k=v]\n"
                    for name, behavior in generators
                ).rstrip("\n")
            )
        if draw(st.integers(0, 2)) == 0:
            kind, name, api_version = draw(st.sampled_from(DELETABLE))
            style = draw(st.sampled_from(["by-id", "by-target", "strategic-merge-field", "json6902-rename"]))
            delete = f"apiVersion: {api_version}\n    kind: {kind}\n    metadata:\n      name: NAME\n    $patch: delete"
            if style == "by-id":
                lines.append(f"patches:\n- patch: |-\n    {delete.replace('NAME', name)}")
            elif style == "by-target":
                lines.append(
                    f"patches:\n- target:\n    kind: {kind}\n  patch: |-\n    {delete.replace('NAME', 'any')}"
                )
            elif style == "strategic-merge-field":
                lines.append(
                    f"patchesStrategicMerge:\n- |-\n  {delete.replace('NAME', name).replace(chr(10) + '  ', chr(10))}"
                )
            else:
                lines.append(
                    f"patches:\n- target:\n    kind: {kind}\n    name: {name}\n"
                    "  patch: |-\n    - op: replace\n      path: /metadata/name\n      value: renamed"
                )
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(st.sampled_from(REPLACEMENTS)))
        if ns := draw(st.sampled_from(["", "", "a", "b"])):
            lines.append(f"namespace: {ns}")
        if prefix := draw(st.sampled_from(["", "", "", "p-"])):
            lines.append(f"namePrefix: {prefix}")
        if suffix := draw(st.sampled_from(["", "", "", "-s"])):
            lines.append(f"nameSuffix: {suffix}")
        tree[f"{here}/kustomization.yaml" if i else "kustomization.yaml"] = "\n".join(lines) + "\n"
    return tree


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tree=trees())
def test_first_failure_matches_the_real_build(builders: list[tuple[str, ...]], tree: Tree) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), tree)
        report = analyze(root)
        first_dup = report.duplicates[0] if report.duplicates else None
        predicted_dup = first_dup is not None and report.first_failure == first_dup.message
        for command in builders:
            real = real_build(root, command=command, timeout=60)
            assert not real.timed_out
            if report.first_failure is None:
                assert real.ok, real.error
            elif predicted_dup:
                assert first_dup is not None
                assert real.duplicate_id is not None, (report.first_failure, real.error)
                assert str(real.duplicate_id) == str(first_dup.id), real.error
            else:
                assert not real.ok, report.first_failure
                assert real.duplicate_id is None, (report.first_failure, real.error)
