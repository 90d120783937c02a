"""Renames by replacements and vars, remote bases mapped to checkouts, and root causes, on trees in tmp_path.

The same trees are built by the real kustomize in tests/e2e/test_kustomize_renames_real.py, which checks that the
real build agrees with what is asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kftui.cli import main
from kftui.kustomize import (
    EXIT_CLEAN,
    EXIT_CONFLICTS,
    ConflictsError,
    RealBuildResult,
    analyze,
    conflicts_command,
    render_text,
    resid_from_string,
    with_real_build,
)
from kftui.kustomize.remotes import RemoteMap, parse_mapping, repository_of
from tests.fakebins import HangingBuild
from tests.unit.test_kustomize_conflicts import Tree, manifest, write_tree

SA = manifest("ServiceAccount", "runner")
SA_ID = "ServiceAccount.v1.[noGrp]/runner.[noNs]"


def _replaced(value_from: str, target: str, options: str = "") -> str:
    return (
        "replacements:\n- source:\n" + value_from + "  targets:\n  - select:\n      kind: ServiceAccount\n"
        f"    fieldPaths: [{target}]\n" + options
    )


def _gen(name: str, literal: str) -> str:
    return f"configMapGenerator:\n- name: {name}\n  literals: [{literal}]\n"


# Each branch renames its copy of the shared ServiceAccount from its own generated ConfigMap: kustomize builds it.
RENAMED_APART: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n",
    "shared/kustomization.yaml": "resources:\n- sa.yaml\n",
    "shared/sa.yaml": SA,
    **{
        f"{b}/kustomization.yaml": "resources:\n- ../shared\n"
        + _gen(f"cfg-{b}", f"name=runner-{b}")
        + _replaced(f"    kind: ConfigMap\n    name: cfg-{b}\n    fieldPath: data.name\n", "metadata.name")
        for b in ("a", "b")
    },
}

# Namespaces from another resource's namespace, created where the target has none; with a delimiter on a name.
NAMESPACED_APART: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n",
    "shared/kustomization.yaml": "resources:\n- sa.yaml\n",
    "shared/sa.yaml": SA,
    **{
        f"{b}/kustomization.yaml": "resources:\n- ../shared\n- svc.yaml\n"
        + _replaced(
            "    kind: Service\n    name: src\n    fieldPath: metadata.namespace\n",
            "metadata.namespace",
            "    options:\n      create: true\n",
        )
        for b in ("a", "b")
    },
    "a/svc.yaml": manifest("Service", "src", namespace="ns-a"),
    "b/svc.yaml": manifest("Service", "src", namespace="ns-b"),
}

# A delimiter splices the value into one part of the name: runner -> runner-x in one branch only, so it meets
# the root's own runner-x.
RENAMED_INTO_A_DUPLICATE: Tree = {
    "kustomization.yaml": "resources:\n- a\n- mine.yaml\n",
    "mine.yaml": manifest("ServiceAccount", "runner-x"),
    "a/kustomization.yaml": "resources:\n- sa.yaml\n"
    + _gen("cfg", "suffix=x")
    + _replaced(
        "    kind: ConfigMap\n    name: cfg\n    fieldPath: data.suffix\n",
        "metadata.name",
        "    options:\n      delimiter: '-'\n      index: 1\n",
    ),
    "a/sa.yaml": SA,
}

# The source field is one a patch sets: the analysis cannot know the value, so the renamed copies are uncertain.
UNKNOWABLE: Tree = {
    "kustomization.yaml": "resources:\n- a\n- b\n",
    "shared/kustomization.yaml": "resources:\n- sa.yaml\n",
    "shared/sa.yaml": SA,
    **{
        f"{b}/kustomization.yaml": "resources:\n- ../shared\n- dep.yaml\n"
        "patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: dep\n"
        f"      namespace: {b}\n"
        f"    spec:\n      replicas: {n}\n"
        + _replaced(
            "    kind: Deployment\n    name: dep\n    fieldPath: spec.replicas\n",
            "metadata.name",
            "    options:\n      delimiter: '-'\n      index: 1\n",
        )
        for b, n in (("a", 2), ("b", 3))
    },
    "a/dep.yaml": manifest("Deployment", "dep", "apps/v1", namespace="a"),
    "b/dep.yaml": manifest("Deployment", "dep", "apps/v1", namespace="b"),
}


def _vars_branch(var: str, value: str) -> Tree:
    return {
        f"{var}/kustomization.yaml": (
            "resources:\n- res.yaml\nconfigurations:\n- params.yaml\n"
            f"vars:\n- name: {var}\n  objref: {{apiVersion: v1, kind: ConfigMap, name: src-{var}}}\n"
            "  fieldref: {fieldPath: data.v}\n"
        ),
        f"{var}/params.yaml": "varReference:\n- path: metadata/name\n  kind: ServiceAccount\n",
        f"{var}/res.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src-{var}\ndata:\n  v: {value}\n"
        f"---\n{manifest('ServiceAccount', f'$({var})')}",
    }


# vars are resolved at the top, after everything accumulated; ids they make equal fail there.
VARS_APART: Tree = {
    "kustomization.yaml": "resources:\n- va\n- vb\n",
    **_vars_branch("va", "one"),
    **_vars_branch("vb", "two"),
}
VARS_MEET: Tree = {**VARS_APART, **_vars_branch("vb", "one")}

# An include that brings a whole base a second time: one root cause, the rest follow on.
BASE_TWICE: Tree = {
    "kustomization.yaml": "resources:\n- apps/one\n- apps/two\n",
    "apps/one/kustomization.yaml": "resources:\n- ../../common/base\n",
    "apps/two/kustomization.yaml": "resources:\n- ../../common/base/\n",
    "common/base/kustomization.yaml": "resources:\n- all.yaml\n",
    "common/base/all.yaml": "---\n".join(manifest("ConfigMap", f"c{i}") for i in range(5)),
}

SPELLED_TWICE: Tree = {
    "kustomization.yaml": "resources:\n- base\n- base/\n",
    "base/kustomization.yaml": "resources:\n- sa.yaml\n",
    "base/sa.yaml": SA,
}


def test_replacements_that_rename_apart_are_not_duplicates(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, RENAMED_APART))
    assert report.duplicates == () and report.errors == () and report.uncertain == ()


def test_replacements_set_namespaces_with_create(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, NAMESPACED_APART))
    assert report.duplicates == () and report.errors == ()


def test_a_replacement_can_make_a_duplicate(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, RENAMED_INTO_A_DUPLICATE))
    assert [str(d.id) for d in report.duplicates] == ["ServiceAccount.v1.[noGrp]/runner-x.[noNs]"]


def test_an_unknowable_rename_is_uncertain_not_a_conflict(tmp_path: Path) -> None:
    root = write_tree(tmp_path, UNKNOWABLE)
    report = analyze(root)
    assert report.duplicates == () and report.errors == ()
    assert [str(d.id) for d in report.uncertain] == [SA_ID]
    assert any("uncertain" in n and SA_ID in n for n in report.notes)
    text, status = conflicts_command(root, compare_real_build=False)
    assert status == EXIT_CLEAN and "uncertain (1)" in text
    assert (
        json.loads(conflicts_command(root, as_json=True, compare_real_build=False)[0])["uncertain"][0]["id"]
        == SA_ID
    )


def test_a_real_build_stopping_at_an_uncertain_id_cannot_tell(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, UNKNOWABLE))
    real = RealBuildResult(
        command=("kustomize", "build"), ok=False, duplicate_id=resid_from_string(SA_ID), error="x"
    )
    agreement = with_real_build(report, real).agreement
    assert agreement is not None and agreement.agrees is None and "uncertain" in agreement.reason


def test_a_missing_replacement_source_is_an_error_unless_a_remote_base_was_skipped(tmp_path: Path) -> None:
    tree = {
        **RENAMED_INTO_A_DUPLICATE,
        "a/kustomization.yaml": "resources:\n- sa.yaml\n"
        + _replaced("    kind: ConfigMap\n    name: nowhere\n", "metadata.name"),
    }
    assert analyze(write_tree(tmp_path / "local", tree)).errors
    remote = {
        **tree,
        "a/kustomization.yaml": tree["a/kustomization.yaml"].replace(
            "- sa.yaml\n", "- sa.yaml\n- https://github.com/example/repo//base?ref=v1\n"
        ),
    }
    report = analyze(write_tree(tmp_path / "remote", remote))
    assert report.errors == () and any("uncertain" in n for n in report.notes)


def test_vars_resolve_at_the_top(tmp_path: Path) -> None:
    assert analyze(write_tree(tmp_path / "apart", VARS_APART)).duplicates == ()
    met = analyze(write_tree(tmp_path / "meet", VARS_MEET))
    assert [str(d.id) for d in met.duplicates] == ["ServiceAccount.v1.[noGrp]/one.[noNs]"]
    assert met.duplicates[0].met_at == "."


def test_a_var_without_a_known_value_is_uncertain(tmp_path: Path) -> None:
    tree = {**VARS_MEET, "vb/res.yaml": VARS_MEET["vb/res.yaml"].replace("data:\n  v: one\n", "data: {}\n")}
    report = analyze(write_tree(tmp_path, tree))
    assert report.duplicates == () and any("var vb" in n for n in report.notes)


def test_merge_into_what_only_a_skipped_remote_base_has_is_a_note(tmp_path: Path) -> None:
    tree = {
        "kustomization.yaml": "resources:\n- https://github.com/example/repo//base?ref=v1\n"
        "configMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [a=b]\n"
        "patches:\n- patch: |-\n    apiVersion: v1\n    kind: Secret\n    metadata:\n      name: creds\n",
    }
    report = analyze(write_tree(tmp_path, tree))
    assert report.errors == ()
    assert (
        sum("skipped remote base https://github.com/example/repo//base?ref=v1" in n for n in report.notes)
        == 2
    )


def _checkout(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "checkout", {"common/kustomization.yaml": "resources:\n- sa.yaml\n", "common/sa.yaml": SA}
    )


def test_remote_bases_map_to_local_checkouts(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path)
    tree = {
        "kustomization.yaml": "resources:\n- git@github.com:example/repo.git//common?ref=v2\n- sa.yaml\n",
        "sa.yaml": SA,
    }
    root = write_tree(tmp_path / "root", tree)
    unmapped = analyze(root)
    assert unmapped.duplicates == () and [s.entry for s in unmapped.skipped] == [
        "git@github.com:example/repo.git//common?ref=v2"
    ]
    assert "--remote-map git@github.com:example/repo.git=DIR" in unmapped.notes[-1]
    for key in ("https://github.com/example/repo", "github.com/example/repo.git?ref=v2"):
        report = analyze(root, remote_map=RemoteMap((parse_mapping(f"{key}={checkout}"),)))
        assert [str(d.id) for d in report.duplicates] == [SA_ID], key
        assert report.duplicates[0].chains[0].entries[1] == "git@github.com:example/repo.git//common?ref=v2"
    wrong_ref = analyze(
        root, remote_map=RemoteMap((parse_mapping(f"github.com/example/repo?ref=v1={checkout}"),))
    )
    assert wrong_ref.skipped and wrong_ref.duplicates == ()


def test_mapped_chains_name_the_remote(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path)
    root = write_tree(
        tmp_path / "root",
        {
            "kustomization.yaml": "resources:\n- https://github.com/example/repo//common?ref=v2\n- sa.yaml\n",
            "sa.yaml": SA,
        },
    )
    report = analyze(
        root, remote_map=RemoteMap((parse_mapping(f"https://github.com/example/repo?ref=v2={checkout}"),))
    )
    assert report.duplicates[0].chains[0].dirs == (".", "https://github.com/example/repo//common?ref=v2")


@pytest.mark.parametrize(
    "text",
    ["no-equals", "=/tmp", "https://github.com/x/y=/does/not/exist"],
)
def test_malformed_mappings_are_refused(text: str) -> None:
    with pytest.raises(ConflictsError):
        parse_mapping(text)


def test_repository_guess_for_the_note() -> None:
    assert (
        repository_of("https://github.com/kubeflow/manifests//common/x?ref=v1")
        == "https://github.com/kubeflow/manifests"
    )
    assert (
        repository_of("github.com/kubeflow/pipelines/manifests/kustomize?ref=2")
        == "github.com/kubeflow/pipelines"
    )


def test_a_url_of_one_file_maps_to_a_local_file(tmp_path: Path) -> None:
    url = "https://github.com/example/jobset/releases/download/v1/manifests.yaml"
    local = write_tree(tmp_path / "dl", {"manifests.yaml": SA}) / "manifests.yaml"
    root = write_tree(
        tmp_path / "root", {"kustomization.yaml": f"resources:\n- {url}\n- sa.yaml\n", "sa.yaml": SA}
    )
    assert f"--remote-map {url}=DIR" in analyze(root).notes[-1]
    report = analyze(root, remote_map=RemoteMap((parse_mapping(f"{url}={local}"),)))
    assert [str(d.id) for d in report.duplicates] == [SA_ID] and not report.skipped


def test_an_include_that_brings_a_base_twice_is_one_root_cause(tmp_path: Path) -> None:
    root = write_tree(tmp_path, BASE_TWICE)
    report = analyze(root)
    assert len(report.duplicates) == 5 and len(report.causes) == 1
    cause = report.causes[0]
    assert cause.first is report.duplicates[0] and len(cause.follow_ons) == 4
    assert cause.sentence == (
        "include apps/two in . brings common/base a second time (first through apps/one), "
        "with 4 more resources"
    )
    text = render_text(report)
    assert text.count("root cause:") == 1 and "follow-ons (4)" in text and text.count("kustomize:") == 1
    data = json.loads(conflicts_command(root, as_json=True, compare_real_build=False)[0])
    assert len(data["duplicates"]) == 5 and data["causes"][0]["follow_ons"] == [
        f"ConfigMap.v1.[noGrp]/c{i}.[noNs]" for i in range(1, 5)
    ]
    assert [d["follow_on_of"] for d in data["duplicates"]] == [None] + ["ConfigMap.v1.[noGrp]/c0.[noNs]"] * 4


def test_chains_keep_each_entrys_spelling(tmp_path: Path) -> None:
    report = analyze(write_tree(tmp_path, SPELLED_TWICE))
    assert [c.entries for c in report.duplicates[0].chains] == [(".", "base"), (".", "base/")]
    text = render_text(report)
    assert "1. . -> base\n" in text and "2. . -> base (written base/)\n" in text


def test_cross_check_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "t", SPELLED_TWICE)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    hanging = HangingBuild(bin_dir / "kustomize")
    monkeypatch.setenv("PATH", str(bin_dir))
    text, status = conflicts_command(root, timeout=0.2)
    assert not hanging.still_running(), "the build was left running after its timeout"
    assert status == EXIT_CONFLICTS and "timed out after 0.2s (raise --build-timeout" in text
    assert "agrees" not in text.replace("cannot tell", "")
    text, _ = conflicts_command(root, compare_real_build=False)
    assert "real build" not in text and "no real build" not in text
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConflictsError, match="neither kustomize nor kubectl"):
        conflicts_command(root, compare_real_build=True)
    with pytest.raises(ConflictsError, match="build-timeout"):
        conflicts_command(root, timeout=0)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "t", SPELLED_TWICE)
    clean = write_tree(tmp_path / "c", {"kustomization.yaml": "resources:\n- sa.yaml\n", "sa.yaml": SA})
    run = ["conflicts", "--no-cross-check"]
    assert main([*run, str(root)]) == 1
    assert main([*run, str(clean)]) == 0
    assert main([*run, str(tmp_path / "missing")]) == 2
    assert main([*run, "--remote-map", "x", str(clean)]) == 2
    assert "expected URL=DIR" in capsys.readouterr().err
