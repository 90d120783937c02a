"""`kftui diff APP` run: choose where the desired state comes from, diff it, print it, plan or run the fix.

cli.py parses the flags and hands over; every failure the user can fix is a DiffCannotRun (one line, exit 2).
The order of the sources is kftui/desired.py's: an Argo CD server, else --manifests with the live cluster,
else the line that says what would enable it.
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kftui.cluster.liveobjects import LiveError
from kftui.cluster.ops import ActionError
from kftui.cluster.source import SnapshotSource
from kftui.desired import DEFAULT_RENDER_TIMEOUT, NOT_AVAILABLE, Desired, FromArgo, FromCheckout
from kftui.diffcmd import ResourceDrift, fix_drift, render_json, render_text, resource_drifts
from kftui.fixes.runtime import FixOptions, argo_rest_ops, build_fix_runtime
from kftui.kustomize.checkout import RenderError

if TYPE_CHECKING:
    from kftui.cluster.argocd import ArgoRestOps

EXIT_OK, EXIT_DIFF = 0, 1


class DiffCannotRun(Exception):
    """The diff cannot be made (no desired state, an unreachable server, an unrenderable source)."""


def desired_source(
    args: argparse.Namespace, options: FixOptions, cluster: Callable[[], SnapshotSource]
) -> tuple[Desired, ArgoRestOps | None]:
    """Where the desired state comes from; the Argo CD client when that is where (the caller closes it)."""
    if options.argocd_server:
        argo = argo_rest_ops(options, os.environ)
        return FromArgo(argo), argo
    if not getattr(args, "manifests", None):
        raise DiffCannotRun(NOT_AVAILABLE)
    timeout = float(getattr(args, "build_timeout", DEFAULT_RENDER_TIMEOUT))
    if not timeout > 0:
        raise DiffCannotRun(f"--build-timeout {timeout:g}: must be a positive number of seconds")
    source = cluster()
    http = getattr(source, "http", None)
    if not source.live or http is None:
        raise DiffCannotRun(
            "diff with --manifests compares with the live cluster: --demo and --from-file are snapshots"
        )
    preflight = getattr(source, "preflight", None)
    if preflight is not None:
        preflight()
    from kftui.cluster.liveobjects import LiveObjects

    checkout = FromCheckout(Path(args.manifests), LiveObjects(http), options.argocd_namespace, timeout)
    return checkout, None


def run_diff(
    args: argparse.Namespace,
    options: FixOptions,
    build_source: Callable[[], SnapshotSource],
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Exit 0 no difference, 1 differences (or, with --fix --yes, the fix refused or failed)."""
    cluster = functools.cache(build_source)  # one source for the diff and the fix
    argo: ArgoRestOps | None = None
    try:
        desired, argo = desired_source(args, options, cluster)
        state = desired.fetch(args.app)
        found = resource_drifts(state.items)
        render = render_json if args.output == "json" else render_text
        stdout.write(render(args.app, found, state.origin, state.notes))
        if args.fix:
            # With -o json the plan goes to stderr: stdout stays one JSON document (its `fix` is the patch).
            out = stderr if args.output == "json" else stdout
            applied = drift_fix(args, options, argo, cluster, found, out)
            if applied is not None:
                return EXIT_OK if applied else EXIT_DIFF
    except (ActionError, LiveError, RenderError) as exc:
        raise DiffCannotRun(str(exc)) from None
    finally:
        if argo is not None:
            argo.close()
    return EXIT_DIFF if found else EXIT_OK


def drift_fix(
    args: argparse.Namespace,
    options: FixOptions,
    argo: ArgoRestOps | None,
    cluster: Callable[[], SnapshotSource],
    found: list[ResourceDrift],
    out: TextIO,
) -> bool | None:
    """`diff --fix`: through the Argo CD server the diff came from, else through the Kubernetes API."""
    if argo is not None:
        return fix_drift(argo, args.app, found, options, apply=args.yes, out=out)
    fixes = build_fix_runtime(cluster(), options)
    try:
        kube = fixes.runner.argo
        if kube is None:
            raise DiffCannotRun("no way to change the Application: no live cluster")
        return fix_drift(kube, args.app, found, options, apply=args.yes, out=out)
    finally:
        fixes.close()
