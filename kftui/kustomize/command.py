"""`kftui conflicts PATH` in one call, so cli.py only parses arguments and prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from kftui.kustomize.analyzer import analyze
from kftui.kustomize.realbuild import KustomizeNotFound, find_kustomize, real_build, with_real_build
from kftui.kustomize.remotes import RemoteMap, parse_mapping
from kftui.kustomize.render import render_json, render_text
from kftui.kustomize.report import ConflictsError

EXIT_CLEAN = 0  # no duplicate and no error (uncertain duplicates and notes do not count)
EXIT_CONFLICTS = 1  # duplicates predicted, or the tree has errors kustomize would stop at
EXIT_UNUSABLE_PATH = 2  # for the CLI to use when conflicts_command raises ConflictsError (it cannot run)
DEFAULT_BUILD_TIMEOUT = 60.0


def conflicts_command(
    path: Path,
    *,
    as_json: bool = False,
    compare_real_build: bool | None = None,
    timeout: float = DEFAULT_BUILD_TIMEOUT,
    files_outside_root: bool = False,
    remote_map: Sequence[str] = (),
) -> tuple[str, int]:
    """The output of `kftui conflicts PATH` and its exit status.

    The real kustomize (or kubectl kustomize) cross-checks the analysis by building the same tree:
    `compare_real_build` None (the default) does so when either is on PATH and notes it when neither is; True
    insists (KustomizeNotFound, a ConflictsError, when neither is there); False skips it. A build that outlives
    `timeout` seconds is reported as such, never as agreement. `remote_map` holds `URL=DIR` mappings of remote
    bases to local checkouts. Raises ConflictsError (one-line message) when PATH is missing, not a directory,
    holds no kustomization, or a mapping is malformed.
    """
    if not timeout > 0:
        raise ConflictsError(f"--build-timeout {timeout:g}: must be a positive number of seconds")
    remotes = RemoteMap(tuple(parse_mapping(m) for m in remote_map))
    if compare_real_build:
        find_kustomize()  # fail before the analysis, not after it
    report = analyze(path, files_outside_root=files_outside_root, remote_map=remotes)
    if compare_real_build is not False:
        try:
            built = real_build(path, timeout=timeout, files_outside_root=files_outside_root)
        except KustomizeNotFound as exc:
            report = replace(report, notes=(*report.notes, f"no real build: {exc}"))
        else:
            report = with_real_build(report, built)
    text = render_json(report) if as_json else render_text(report)
    return text, (EXIT_CONFLICTS if report.duplicates or report.errors else EXIT_CLEAN)
