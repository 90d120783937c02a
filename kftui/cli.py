"""Command line: the TUI by default, plus `check`, `dump` and `conflicts` for scripts and offline work.

This is the one place that builds real clients from flags and hands them down. Every failure the user can
cause (a missing file, a broken kubeconfig, an unreachable server) ends as one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kftui.cli_parser import build_parser
from kftui.cluster.dumpfile import DumpError, demo_text, load_demo, load_snapshot, write_dump
from kftui.cluster.manifest import DumpObjects
from kftui.cluster.source import SnapshotSource, SourceError, StaticSource
from kftui.model import ClusterSnapshot, Finding
from kftui.profile import Profile, ProfileError, detect_profile, load_profile
from kftui.textsafe import one_line

# The checks, the kustomize analyzer and the report are imported where they are used: the TUI starts its
# first LISTs before it needs them, and every import before that delays the first screen.
if TYPE_CHECKING:
    from kftui.checks.kustomize_ids import ChainsById
    from kftui.fixes.runtime import FixOptions, FixRuntime

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


def build_source(args: argparse.Namespace) -> SnapshotSource:
    if args.demo and args.from_file:
        raise UserError("--demo and --from-file exclude each other")
    if args.demo:
        return StaticSource(load_demo, DumpObjects(demo_text, "demo.yaml").find)
    if args.from_file:
        path = args.from_file
        return StaticSource(
            lambda: load_snapshot(path),
            DumpObjects(Path(path).read_bytes, str(path)).find,
            counting_loader=lambda progress: load_snapshot(path, progress),
        )
    from kftui.multicluster import choose, live_source  # imported late: the offline paths need no client

    return live_source(choose(args))


def choose_profile(args: argparse.Namespace, snapshot: ClusterSnapshot) -> Profile:
    if getattr(args, "profile", None):
        return load_profile(args.profile)
    return detect_profile({app.name for app in snapshot.applications.values()})


def cmd_check(args: argparse.Namespace) -> int:
    from kftui.checks.coverage import Coverage, verdict
    from kftui.checks.registry import run_checks
    from kftui.report import render_findings

    snapshot = build_source(args).load()
    profile = choose_profile(args, snapshot)
    findings = run_checks(snapshot, profile)
    findings = attach_manifest_chains(args, findings)
    sys.stdout.write(render_findings(findings, args.output, snapshot))
    seen = verdict(findings, snapshot)
    if seen.coverage is Coverage.BLIND:
        # The report above says what little was seen; the exit code and stderr say it was not a diagnosis.
        print(f"kftui: error: {one_line(seen.headline)}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if seen.counts["error"] else EXIT_OK


def manifest_chains(args: argparse.Namespace, checkout: bool = False) -> ChainsById | None:
    """With --manifests, the kustomize analyzer's include chains, keyed by resource id.

    `checkout`: the TUI's --manifests may be a checkout of the apps' repo, for the diff view only: a directory
    without a kustomization at its root has no chains, and that is no error."""
    if not getattr(args, "manifests", None):
        return None
    from kftui.kustomize.analyzer import analyze, chains_by_id
    from kftui.kustomize.checkout import KUSTOMIZATION_FILES
    from kftui.kustomize.report import ConflictsError

    root = Path(args.manifests)
    if checkout and root.is_dir() and not any((root / name).is_file() for name in KUSTOMIZATION_FILES):
        return None
    try:
        return chains_by_id(analyze(Path(args.manifests)))
    except ConflictsError as exc:
        raise UserError(str(exc)) from None


def attach_manifest_chains(args: argparse.Namespace, findings: list[Finding]) -> list[Finding]:
    """With --manifests, the include chains are added to duplicate-id findings."""
    from kftui.checks.kustomize_ids import attach_chains

    chains = manifest_chains(args)
    return attach_chains(findings, chains) if chains else findings


def cmd_dump(args: argparse.Namespace) -> int:
    if args.demo or args.from_file:
        raise UserError("dump saves a live cluster's state; --demo and --from-file are snapshots already")

    # The source the TUI would read: the hub, plus the remote apps' objects when an Argo CD server or the
    # config file brings other clusters in (they are dumped with their origin: cluster/remotedump.py).
    source = build_source(args)
    source.load()  # fails fast with a clear line when the server cannot be reached
    objects = source.dump_objects()  # type: ignore[attr-defined]
    clusters = getattr(source, "clusters", ())  # (Argo CD's registered clusters, for a federated source)
    now = datetime.now(UTC)
    if args.file == "-":
        from kftui.cluster.dumpfile import redacted_dump
        from kftui.cluster.redact import summary

        text, counts = redacted_dump(objects, now, args.output, clusters)
        sys.stdout.write(text)
        print(f"kftui: wrote {len(objects)} objects ({summary(counts)})", file=sys.stderr)
    else:
        redacted = write_dump(args.file, objects, now, args.output, clusters)
        print(f"kftui: wrote {len(objects)} objects to {args.file} ({redacted})", file=sys.stderr)
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    from kftui.kustomize.command import conflicts_command
    from kftui.kustomize.report import ConflictsError

    try:
        text, status = conflicts_command(
            Path(args.path),
            as_json=args.output == "json",
            compare_real_build=args.cross_check,
            timeout=args.build_timeout,
            remote_map=args.remote_map,
        )
    except ConflictsError as exc:
        raise UserError(str(exc)) from None
    sys.stdout.write(text)
    return status


def read_saying_how_far(source: StaticSource, stderr: TextIO) -> ClusterSnapshot:
    """Read a dump before the TUI starts (a bad file is one line and exit 2, not a screen); on a terminal, a
    line counts the objects read so far, as a 100 MB dump takes a minute."""
    if not stderr.isatty():
        return source.load()

    def progress(objects: int) -> None:
        stderr.write(f"\rkftui: reading the dump: {objects:,} objects…")
        stderr.flush()

    try:
        return source.load_counting(progress)
    finally:
        stderr.write("\r\x1b[K")  # the line goes; the TUI (or the error) takes its place
        stderr.flush()


def cmd_tui(args: argparse.Namespace) -> int:
    source = build_source(args)
    profile = load_profile(args.profile) if args.profile else None
    # Fail before the screen switches to the TUI: a bad file or an unreachable server is one line on stderr.
    if source.live:
        preflight = getattr(source, "preflight", None)
        if preflight is not None:
            preflight()
        prefetch = getattr(source, "prefetch", None)
        if prefetch is not None:
            prefetch()  # the first LISTs run while the rest is imported and the screen is laid out
    elif isinstance(source, StaticSource):
        source = source.preloaded(read_saying_how_far(source, sys.stderr))
    chains = manifest_chains(args, checkout=True)
    from kftui.fixes.runtime import build_fix_runtime
    from kftui.lifecycle import ShutdownGuard
    from kftui.ui.app import KftuiApp  # Textual is only imported for the interactive path

    options = fix_options(args)
    fixes = build_fix_runtime(source, options)
    try:
        if source.live:
            preflight_argocd(fixes, options)
        require_terminal()  # last: every problem with the input or the servers is reported first
    except UserError:
        fixes.close()
        raise
    app = KftuiApp(
        source,
        profile,
        read_only=args.read_only,
        fixes=fixes,
        manifest_chains=chains,
        start_app=args.app,
        manifests=args.manifests,
    )
    if source.live:  # `:ctx NAME` switches kube context or Argo CD server without restarting
        from kftui.multicluster import ContextSwitcher, choose

        app.switcher = ContextSwitcher(choose(args), options)
    # A hangup (SSH drop, tmux kill-session, even under make, which holds SIGHUP back) or SIGTERM stops every
    # port-forward and ends the process within a second, 129/143 (kftui/lifecycle.py says why and how).
    guard = ShutdownGuard(
        request_exit=lambda code: app.call_from_thread(app.exit, return_code=code), cleanup=fixes.close
    )
    try:
        with guard:
            app.run()
    finally:
        fixes.close()  # stops every port-forward
    if guard.exit_code is not None:
        return guard.exit_code
    return int(app.return_code or 0)


def require_terminal() -> None:
    """The TUI reads keys from a terminal and draws on one. Without one (stdin from /dev/null or a pipe,
    stdout to a file) Textual's input thread spins on end-of-file at a full core, so say so instead."""
    missing = [name for fd, name in ((0, "stdin"), (1, "stdout")) if not os.isatty(fd)]
    if missing:
        raise UserError(
            f"the terminal UI needs a terminal, and {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'}"
            " not one; for output to a file or a pipe use `kftui check` (-o text, json or junit)"
        )


def preflight_argocd(fixes: FixRuntime, options: FixOptions) -> None:
    """With --argocd-server, ask it one authenticated question before the TUI starts.

    A wrong ARGOCD_AUTH_TOKEN or an unreachable server is one line and exit 2 now, not a failed fix later.
    The question is about an Application that does not exist: a valid token gets 403/404 (Argo CD does
    not say which), a rejected one 401. The token itself is never part of the line.
    """
    from kftui.cluster.argocd import ArgoRestOps
    from kftui.cluster.ops import ActionError

    argo = fixes.runner.argo
    if not options.argocd_server or not isinstance(argo, ArgoRestOps):
        return
    try:
        argo.get_app("kftui-preflight-does-not-exist")
    except ActionError as exc:
        text = str(exc)
        if "(401)" in text or "cannot reach" in text:
            token = os.environ.get("ARGOCD_AUTH_TOKEN", "")
            raise UserError(text.replace(token, "***") if token else text) from None


def fix_options(args: argparse.Namespace) -> FixOptions:
    from kftui.fixes.runtime import FixOptions
    from kftui.multicluster import choose, with_config_argocd

    live = not (getattr(args, "demo", False) or getattr(args, "from_file", None))
    options = FixOptions.from_env(
        read_only=args.read_only,
        argocd_server=getattr(args, "argocd_server", None),
        insecure=getattr(args, "insecure", False),
        plaintext=getattr(args, "plaintext", False),
        audit_log=getattr(args, "audit_log", None),
        argocd_namespace=getattr(args, "argocd_namespace", "argocd"),
    )
    return with_config_argocd(options, choose(args)) if live else options


def cmd_sync(args: argparse.Namespace) -> int:
    from kftui.checks.registry import run_checks
    from kftui.fixes.runtime import build_fix_runtime
    from kftui.synccmd import (
        order_apps,
        parse_duration,
        run_sync,
        stop_at_root_cause,
        summary_lines,
        window_stop,
    )

    try:
        timeout = parse_duration(args.timeout)
    except ValueError as exc:
        raise UserError(f"--timeout: {exc}") from None
    if args.read_only:
        raise UserError("--read-only refuses every sync: drop it to sync")
    source = build_source(args)
    if not source.live:
        raise UserError("sync needs a live cluster: --demo and --from-file are snapshots")
    snapshot = source.load()
    profile = choose_profile(args, snapshot)
    try:
        apps = order_apps(args.apps, profile, {a.name for a in snapshot.applications.values()})
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not apps:
        raise UserError(f"nothing to sync: no Application of the {profile.name} profile's chain exists")
    options = fix_options(args)
    fixes = build_fix_runtime(source, options)
    try:
        preflight_argocd(fixes, options)
        # With -o json the progress goes to stderr, so stdout is one JSON document.
        progress = sys.stderr if args.output == "json" else sys.stdout
        # A sync window that denies one of the apps stops the run before anything is synced (exit 1).
        outcome = window_stop(fixes.runner, snapshot, apps, profile, progress) or run_sync(
            fixes.runner, apps, ordered=args.ordered, wait=args.wait, timeout=timeout, out=progress
        )
    finally:
        fixes.close()
    if not outcome.ok:
        with contextlib.suppress(SourceError):
            stop_at_root_cause(outcome, run_checks(source.load(), profile))
    if args.output == "json":
        sys.stdout.write(outcome.to_json())
    else:
        sys.stdout.write("".join(line + "\n" for line in summary_lines(outcome)))
    return EXIT_OK if outcome.ok else EXIT_FINDINGS


def cmd_diff(args: argparse.Namespace) -> int:
    from kftui.diffrun import DiffCannotRun, run_diff

    if args.yes and not args.fix:
        raise UserError("--yes applies the drift fix: give --fix with it")
    try:
        return run_diff(args, fix_options(args), lambda: build_source(args), sys.stdout, sys.stderr)
    except DiffCannotRun as exc:
        raise UserError(str(exc)) from None


def cmd_completion(args: argparse.Namespace) -> int:
    from kftui.completion import script

    sys.stdout.write(script(build_parser(), args.shell))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        "check": cmd_check,
        "dump": cmd_dump,
        "conflicts": cmd_conflicts,
        "sync": cmd_sync,
        "diff": cmd_diff,
        "completion": cmd_completion,
    }
    try:
        return handlers.get(args.command, cmd_tui)(args)
    except (UserError, DumpError, SourceError, ProfileError) as exc:
        print(f"kftui: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kftui check | head` closed the pipe: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def run() -> None:
    """The programs' entry (`kftui`, `kubectl-kftui`, `python -m kftui`): main(), then leave at once.

    Everything kftui opened is closed by then (port-forwards stopped, files written); what remains is the
    interpreter tearing down a heap of a few hundred MB object by object, which made quitting the TUI take over
    a second. Flush what was printed and exit without that teardown.
    """
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`kftui check | head`) is not an error
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
