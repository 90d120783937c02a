"""Differential test: random kustomization trees, the analyzer's verdict against the real kustomize's.

Trees are small DAGs of kustomizations and components over a pool of resources chosen to collide (a cluster-scoped
role, namespaced service accounts with and without namespaces, a CRD, a Namespace), with namespaces, prefixes,
suffixes, generators (create and merge) and delete patches sprinkled in. For each tree, the first failure the
analyzer predicts must be the one the real build stops at: the same duplicate id, or an error without one, or
none at all. The examples are derandomized so a run is reproducible; a failure prints the tree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kftui.kustomize import analyze, real_build
from tests.unit.test_kustomize_conflicts import COMPONENT_HEADER, Tree, _builders, manifest, write_tree

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
        if ns := draw(st.sampled_from(["", "", "a", "b"])):
            lines.append(f"namespace: {ns}")
        if prefix := draw(st.sampled_from(["", "", "", "p-"])):
            lines.append(f"namePrefix: {prefix}")
        if suffix := draw(st.sampled_from(["", "", "", "-s"])):
            lines.append(f"nameSuffix: {suffix}")
        tree[f"{here}/kustomization.yaml" if i else "kustomization.yaml"] = "\n".join(lines) + "\n"
    return tree


BUILDERS = _builders()


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tree=trees())
def test_first_failure_matches_the_real_build(tree: Tree) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), tree)
        report = analyze(root)
        first_dup = report.duplicates[0] if report.duplicates else None
        predicted_dup = first_dup is not None and report.first_failure == first_dup.message
        for command in BUILDERS:
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
