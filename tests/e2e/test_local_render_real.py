"""The local render with the real kustomize: the lab's pinned `kustomize build` applies the revision's
transformations (tests/unit/test_local_render.py covers the rest with a fake kustomize)."""

from __future__ import annotations

from pathlib import Path

from kftui.kustomize.checkout import render_source
from tests.unit.test_local_render import git, repo_with_two_commits, write


def test_the_real_kustomize_renders_the_revision_with_its_transformations(
    tmp_path: Path, lab_binaries: Path
) -> None:
    repo, _, _ = repo_with_two_commits(tmp_path)
    write(repo, {"app/kustomization.yaml": "namespace: team\nnamePrefix: p-\nresources:\n- cm.yaml\n"})
    git(repo, "commit", "-q", "-am", "prefix")
    rendered = render_source(repo, "app", ("main",), command=(str(lab_binaries / "kustomize"), "build"))
    [obj] = rendered.objects
    assert obj["metadata"] == {"name": "p-settings", "namespace": "team"} and obj["data"] == {"value": "two"}
