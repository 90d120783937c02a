"""An app's source rendered locally from --manifests: at its revision (from git, the checkout untouched), at
its path (never outside the checkout, whatever the cluster says), with a fake kustomize and the real one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kftui.kustomize.checkout import RenderError, render_source, safe_subpath
from tests.fakebins import HangingBuild, failing_build

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=GIT_ENV, check=True
    )
    return out.stdout.strip()


def configmap(value: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  value: {value}\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def repo_with_two_commits(tmp_path: Path) -> tuple[Path, str, str]:
    """A checkout whose `app` renders value `one` at the first commit and `two` at the second (main)."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"app/kustomization.yaml": "resources:\n- cm.yaml\n", "app/cm.yaml": configmap("one")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    first = git(repo, "rev-parse", "HEAD")
    write(repo, {"app/cm.yaml": configmap("two")})
    git(repo, "commit", "-q", "-am", "two")
    return repo, first, git(repo, "rev-parse", "HEAD")


def fake_kustomize(tmp_path: Path) -> tuple[str, ...]:
    """A `kustomize build` stand-in: prints the directory's cm.yaml (the seam is the command prefix)."""
    script = tmp_path / "fake-kustomize"
    script.write_text(
        f"#!{sys.executable}\nimport pathlib, sys\nsys.stdout.write((pathlib.Path(sys.argv[-1]) / 'cm.yaml').read_text())\n"
    )
    script.chmod(0o755)
    return (str(script),)


def values(rendered_objects: list[dict[str, object]]) -> list[object]:
    return [o["data"]["value"] for o in rendered_objects]  # type: ignore[index]


def test_the_apps_revision_is_rendered_from_git_and_the_checkout_is_left_alone(tmp_path: Path) -> None:
    repo, first, head = repo_with_two_commits(tmp_path)
    write(repo, {"app/cm.yaml": configmap("uncommitted")})
    before = (
        git(repo, "status", "--porcelain"),
        git(repo, "rev-parse", "HEAD"),
        git(repo, "worktree", "list"),
    )
    command = fake_kustomize(tmp_path)

    at_first = render_source(repo, "app", (first, "main"), command=command)
    assert values(at_first.objects) == ["one"]
    assert at_first.origin == f"rendered locally from {repo}@{first[:12]} path app"
    assert at_first.notes == [
        f"{repo} is at {head[:12]}; rendered the app's revision from git, not the working tree"
    ]
    # The synced revision unknown: the branch is resolved, and its commit rendered (not the edited file).
    at_main = render_source(repo, "./app/", ("", "main"), command=command)
    assert values(at_main.objects) == ["two"] and f"@{head[:12]} (main) path app" in at_main.origin
    assert at_main.notes == []
    after = (
        git(repo, "status", "--porcelain"),
        git(repo, "rev-parse", "HEAD"),
        git(repo, "worktree", "list"),
    )
    assert after == before


def test_a_revision_the_checkout_lacks_renders_the_working_tree_and_says_so(tmp_path: Path) -> None:
    repo, _, head = repo_with_two_commits(tmp_path)
    hostile = f"--output={tmp_path / 'written'}"
    rendered = render_source(repo, "app", ("0" * 40, hostile), command=fake_kustomize(tmp_path))
    assert values(rendered.objects) == ["two"]
    assert rendered.origin == f"rendered locally from {repo}@{head[:12]} (working tree) path app"
    [note] = rendered.notes
    assert f"does not have the app's revision {'0' * 40} or {hostile}" in note and "git fetch" in note
    assert not (tmp_path / "written").exists()  # the revision was never read as an option


def test_a_directory_that_is_not_a_git_checkout_is_rendered_as_it_is(tmp_path: Path) -> None:
    write(
        tmp_path / "tree",
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n", "app/cm.yaml": configmap("x")},
    )
    rendered = render_source(tmp_path / "tree", "app", ("main",), command=fake_kustomize(tmp_path))
    assert values(rendered.objects) == ["x"] and "not a git checkout: revision not checked" in rendered.origin


@pytest.mark.parametrize("path", ["../outside", "/etc", "app/../../outside", "app\x00", "a\\..\\b"])
def test_a_path_from_the_cluster_cannot_leave_the_checkout(path: str) -> None:
    with pytest.raises(RenderError, match=r"leaves the repository|not a plain relative path"):
        safe_subpath(path)


def test_a_symlink_out_of_the_checkout_is_refused_in_the_tree_and_in_the_exported_revision(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    write(outside, {"kustomization.yaml": "resources:\n- cm.yaml\n", "cm.yaml": configmap("secret")})
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "escape").symlink_to(outside)
    command = fake_kustomize(tmp_path)
    with pytest.raises(RenderError, match="leads out of"):
        render_source(plain, "escape", ("main",), command=command)
    repo, _, _ = repo_with_two_commits(tmp_path)
    (repo / "escape").symlink_to(outside)
    git(repo, "add", "escape")
    git(repo, "commit", "-q", "-m", "link")
    with pytest.raises(RenderError, match="escape"):
        render_source(repo, "escape", ("main",), command=command)
    # A link inside the checkout is fine.
    (repo / "inside").symlink_to("app")
    git(repo, "add", "inside")
    git(repo, "commit", "-q", "-m", "inner link")
    assert values(render_source(repo, "inside", ("HEAD",), command=command).objects) == ["two"]


def test_a_failing_build_is_one_line_naming_the_path(tmp_path: Path) -> None:
    repo, _, _ = repo_with_two_commits(tmp_path)
    broken = failing_build(tmp_path / "broken", ["accumulating resources: boom", "more"], code=1)
    with pytest.raises(RenderError) as err:
        render_source(repo, "app", ("main",), command=(str(broken),))
    assert str(err.value) == "kustomize build app: accumulating resources: boom"


def test_a_build_that_outlives_its_timeout_is_one_line(tmp_path: Path) -> None:
    repo, _, _ = repo_with_two_commits(tmp_path)
    hanging = HangingBuild(tmp_path / "hanging")
    with pytest.raises(RenderError, match=r"^kustomize build app: timed out after 0.2s$"):
        render_source(repo, "app", ("main",), command=(str(hanging.path),), timeout=0.2)
    assert not hanging.still_running(), "the build was left running after its timeout"
