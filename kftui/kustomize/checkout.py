"""An Application's source rendered locally from a checkout (--manifests DIR): at its path and revision.

The path and the revision come from the cluster, so they are hostile: the path must name a directory inside
the checkout (no absolute path, no `..`, no symlink out of it); the revision is resolved by git as a revision,
never read as an option. The checkout is never modified: when DIR is a git checkout that has the app's
revision, that revision is exported (`git archive`) into a temporary directory and rendered there, so the
working tree's own state (another branch, uncommitted edits) does not matter. When DIR lacks the revision, or
is not a git checkout, the tree is rendered as it is and the origin says so.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kftui import safeyaml
from kftui.kustomize.realbuild import build_output

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
GIT_TIMEOUT = 30.0


class RenderError(Exception):
    """The source cannot be rendered locally; the message is one line for the user."""


@dataclass(frozen=True)
class Rendered:
    """The desired objects of one source, where they came from (one line) and what the user should know."""

    objects: list[dict[str, Any]]
    origin: str
    notes: list[str] = field(default_factory=list)


Git = Callable[[Path, tuple[str, ...]], bytes | None]
"""Run `git -C DIR args...`: its stdout, None when git fails (or is missing)."""


def run_git(repo: Path, args: tuple[str, ...]) -> bytes | None:
    try:
        proc = subprocess.run(
            ("git", "-C", str(repo), *args),
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def safe_subpath(path: str) -> PurePosixPath:
    """The app's `path` as a relative path without `..`; RenderError for anything that could leave the root."""
    if "\x00" in path or "\\" in path:
        raise RenderError(f"the app's path {path!r} is not a plain relative path")
    pure = PurePosixPath(path.strip() or ".")
    if pure.is_absolute() or ".." in pure.parts:
        raise RenderError(f"the app's path {path!r} leaves the repository (absolute, or with ..)")
    return pure


def inside(root: Path, path: str, shown: str = "") -> Path:
    """`root/path` with symlinks resolved, which must still be a directory inside `root` (`shown` names it)."""
    base = root.resolve()
    target = (base / safe_subpath(path)).resolve()
    if target != base and base not in target.parents:
        raise RenderError(f"the app's path {path!r} leads out of {shown or root} (through a symlink)")
    if not target.is_dir():
        raise RenderError(f"the app's path {path!r} is not a directory in {shown or root}")
    return target


def resolve_revision(git: Git, repo: Path, revisions: tuple[str, ...]) -> tuple[str, str] | None:
    """The commit of the first of `revisions` the checkout has, and that revision's spelling; None when none.

    A branch is looked up as origin's first (what Argo CD resolves is the remote's branch), then as local.
    `--end-of-options` keeps a revision that starts with `-` from being read as an option."""
    for revision in revisions:
        if not revision or "\x00" in revision:
            continue
        # Argo CD's HEAD is the remote's default branch, which a clone records as origin/HEAD.
        candidates = (f"refs/remotes/origin/{revision}", revision)
        for candidate in candidates:
            out = git(
                repo, ("rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}")
            )
            if out:
                return out.decode().strip(), revision
    return None


def _data_only(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's `data` filter, a refused member (a link out of the tree) left out instead of failing all."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


@contextmanager
def exported(git: Git, repo: Path, commit: str) -> Iterator[Path]:
    """The tree of `commit` in a temporary directory (deleted afterwards); the checkout is not touched."""
    data = git(repo, ("archive", "--format=tar", commit))
    if data is None:
        raise RenderError(f"git archive {commit[:12]} failed in {repo}")
    with tempfile.TemporaryDirectory(prefix="kftui-render-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter=_data_only)
        yield Path(tmp)


def objects_of(text: str, origin: str) -> list[dict[str, Any]]:
    """The Kubernetes objects of a YAML stream (a List's items unpacked; empty documents skipped)."""
    found: list[dict[str, Any]] = []
    try:
        for doc in safeyaml.load_all(text):
            if (
                isinstance(doc, dict)
                and isinstance(doc.get("items"), list)
                and str(doc.get("kind")).endswith("List")
            ):
                found.extend(item for item in doc["items"] if isinstance(item, dict))
            elif isinstance(doc, dict) and doc.get("kind"):
                found.append(doc)
    except safeyaml.YamlError as exc:
        raise RenderError(f"{origin}: {exc}") from None
    return found


def render_dir(
    directory: Path, label: str, timeout: float, command: tuple[str, ...] | None
) -> list[dict[str, Any]]:
    """A kustomization built with the real kustomize; a plain directory's manifests read as Argo CD reads them."""
    if any((directory / name).is_file() for name in KUSTOMIZATION_FILES):
        result, text = build_output(directory, timeout=timeout, command=command)
        if not result.ok:
            first = result.error.splitlines()[0] if result.error else "failed"
            raise RenderError(f"kustomize build {label}: {first}")
        return objects_of(text, f"kustomize build {label}")
    found: list[dict[str, Any]] = []
    for file in sorted(directory.iterdir()):
        if file.suffix in MANIFEST_SUFFIXES and file.is_file() and directory in file.resolve().parents:
            found.extend(
                objects_of(file.read_text(encoding="utf-8", errors="replace"), f"{label}/{file.name}")
            )
    return found


def render_source(
    manifests: Path,
    path: str,
    revisions: tuple[str, ...],
    *,
    timeout: float = 60.0,
    command: tuple[str, ...] | None = None,
    git: Git = run_git,
) -> Rendered:
    """Render the source at `path` of the checkout `manifests`, at the first of `revisions` it has.

    `revisions`: the commit Argo CD last compared (status.sync.revision) first, then the targetRevision."""
    if not manifests.is_dir():
        raise RenderError(f"--manifests {manifests}: not a directory")
    sub = safe_subpath(path)
    top = git(manifests, ("rev-parse", "--show-toplevel"))
    if top is None:
        where = inside(manifests, path)
        objects = render_dir(where, str(sub), timeout, command)
        origin = f"rendered locally from {manifests} (not a git checkout: revision not checked) path {sub}"
        return Rendered(objects, origin)
    repo = Path(top.decode().strip())
    head = (git(repo, ("rev-parse", "HEAD")) or b"?").decode().strip()
    found = resolve_revision(git, repo, revisions)
    if found is None:
        where = inside(repo, path)
        objects = render_dir(where, str(sub), timeout, command)
        wanted = " or ".join(r for r in revisions if r) or "(none given)"
        note = (
            f"{repo} does not have the app's revision {wanted}: rendered its working tree "
            f"(HEAD {head[:12]}) instead; git fetch to compare with the app's revision"
        )
        return Rendered(
            objects, f"rendered locally from {repo}@{head[:12]} (working tree) path {sub}", [note]
        )
    commit, revision = found
    with exported(git, repo, commit) as tree:
        where = inside(tree, path, f"{repo}@{commit[:12]}")
        objects = render_dir(where, str(sub), timeout, command)
    spelled = "" if revision == commit else f" ({revision})"
    notes: list[str] = []
    missing = [r for r in revisions[: revisions.index(revision)] if r and r != revision]
    if missing:
        notes.append(
            f"{repo} does not have {' or '.join(missing)}, the revision Argo CD compared with: rendered "
            f"{revision} as {repo} has it ({commit[:12]}); git fetch to compare with the app's revision"
        )
    if commit != head:
        notes.append(f"{repo} is at {head[:12]}; rendered the app's revision from git, not the working tree")
    return Rendered(objects, f"rendered locally from {repo}@{commit[:12]}{spelled} path {sub}", notes)
