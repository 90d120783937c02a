"""`kftui conflicts PATH` in one call, so cli.py only parses arguments and prints."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kftui.kustomize.analyzer import analyze
from kftui.kustomize.realbuild import KustomizeNotFound, real_build, with_real_build
from kftui.kustomize.render import render_json, render_text

EXIT_CLEAN = 0
EXIT_CONFLICTS = 1  # duplicates predicted, or the tree has errors kustomize would stop at
EXIT_UNUSABLE_PATH = 2  # for the CLI to use when conflicts_command raises ConflictsError


def conflicts_command(
    path: Path,
    *,
    as_json: bool = False,
    compare_real_build: bool = True,
    timeout: float = 60.0,
    files_outside_root: bool = False,
) -> tuple[str, int]:
    """The output of `kftui conflicts PATH` and its exit status.

    With `compare_real_build`, the real kustomize (or kubectl kustomize) builds the same tree and the output says
    whether it agrees; if neither is installed the output says so instead of failing. Raises ConflictsError
    (one-line message) when PATH is missing, not a directory, or holds no kustomization.
    """
    report = analyze(path, files_outside_root=files_outside_root)
    if compare_real_build:
        try:
            built = real_build(path, timeout=timeout, files_outside_root=files_outside_root)
        except KustomizeNotFound as exc:
            report = replace(report, notes=(*report.notes, f"no real build: {exc}"))
        else:
            report = with_real_build(report, built)
    text = render_json(report) if as_json else render_text(report)
    return text, (EXIT_CONFLICTS if report.duplicates or report.errors else EXIT_CLEAN)
