"""Renames, mapped remote bases and root causes against the real kustomize (the lab's pinned binaries).

tests/unit/test_kustomize_renames.py asserts what the analyzer says about these trees; here each is built for
real, by `kustomize build` and `kubectl kustomize`, and the analyzer's verdict must be the real build's. The
remote base is a local git repository that kustomize clones through a `file://` URL, and the analyzer reads
from a separate checkout of it through `--remote-map`. No lab is started: only its binaries are needed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kftui.kustomize import analyze, real_build, with_real_build
from kftui.kustomize.remotes import RemoteMap, parse_mapping
from tests.unit.test_kustomize_conflicts import Tree, manifest, write_tree
from tests.unit.test_kustomize_renames import (
    BASE_TWICE,
    NAMESPACED_APART,
    RENAMED_APART,
    RENAMED_INTO_A_DUPLICATE,
    SA,
    SPELLED_TWICE,
    UNKNOWABLE,
    VARS_APART,
    VARS_MEET,
)

pytestmark = pytest.mark.e2e

CASES: dict[str, tuple[Tree, str | None]] = {
    "renamed-apart": (RENAMED_APART, None),
    "namespaced-apart": (NAMESPACED_APART, None),
    "renamed-into-a-duplicate": (RENAMED_INTO_A_DUPLICATE, "ServiceAccount.v1.[noGrp]/runner-x.[noNs]"),
    "vars-apart": (VARS_APART, None),
    "vars-meet": (VARS_MEET, "ServiceAccount.v1.[noGrp]/one.[noNs]"),
    "base-twice": (BASE_TWICE, "ConfigMap.v1.[noGrp]/c0.[noNs]"),
    "spelled-twice": (SPELLED_TWICE, "ServiceAccount.v1.[noGrp]/runner.[noNs]"),
}


@pytest.fixture(scope="session")
def builders(lab_binaries: Path) -> list[tuple[str, ...]]:
    return [(str(lab_binaries / "kustomize"), "build"), (str(lab_binaries / "kubectl"), "kustomize")]


def _verdicts_agree(
    root: Path, expected: str | None, builders: list[tuple[str, ...]], **kwargs: object
) -> None:
    report = analyze(root, **kwargs)  # type: ignore[arg-type]
    assert (str(report.duplicates[0].id) if report.duplicates else None) == expected
    for command in builders:
        real = real_build(root, command=command, timeout=60)
        assert not real.timed_out
        assert (str(real.duplicate_id) if real.duplicate_id else None) == expected, real.error
        assert real.ok is (expected is None), real.error
        agreement = with_real_build(report, real).agreement
        assert agreement is not None and agreement.agrees is True, agreement


@pytest.mark.parametrize("case", sorted(CASES))
def test_renames_and_root_causes_agree_with_the_real_build(
    tmp_path: Path, case: str, builders: list[tuple[str, ...]]
) -> None:
    tree, expected = CASES[case]
    _verdicts_agree(write_tree(tmp_path, tree), expected, builders)


def test_the_root_cause_names_the_duplicate_kustomize_stops_at(
    tmp_path: Path, builders: list[tuple[str, ...]]
) -> None:
    root = write_tree(tmp_path, BASE_TWICE)
    cause = analyze(root).causes[0]
    for command in builders:
        assert real_build(root, command=command).duplicate_id == cause.first.id


def test_uncertain_renames_are_not_conflicts_where_the_real_build_succeeds(
    tmp_path: Path, builders: list[tuple[str, ...]]
) -> None:
    root = write_tree(tmp_path, UNKNOWABLE)
    report = analyze(root)
    assert report.uncertain and not report.duplicates
    for command in builders:
        assert real_build(root, command=command).ok


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize(
    ("own", "expected"), [("r-runner", "ServiceAccount.v1.[noGrp]/r-runner.[noNs]"), ("runner", None)]
)
def test_a_mapped_remote_base_agrees_with_the_real_fetch(
    tmp_path: Path, builders: list[tuple[str, ...]], own: str, expected: str | None
) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {"common/kustomization.yaml": "namePrefix: r-\nresources:\n- sa.yaml\n", "common/sa.yaml": SA},
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    url = f"file://{repo}"
    root = write_tree(
        tmp_path / "root",
        {
            "kustomization.yaml": f"resources:\n- {url}//common?ref=main\n- own.yaml\n",
            "own.yaml": manifest("ServiceAccount", own),
        },
    )
    unmapped = analyze(root)
    assert unmapped.skipped and not unmapped.duplicates
    remotes = RemoteMap((parse_mapping(f"{url}?ref=main={repo}"),))
    _verdicts_agree(root, expected, builders, remote_map=remotes)
