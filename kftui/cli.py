"""Command line: the TUI by default, plus `check`, `dump` and `conflicts` for scripts and offline work.

This is the one place that builds real clients from flags and hands them down. Every failure the user can
cause (a missing file, a broken kubeconfig, an unreachable server) ends as one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from kftui import __version__
from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import DumpError, load_demo, load_snapshot, write_dump
from kftui.cluster.source import SnapshotSource, SourceError, StaticSource
from kftui.model import ClusterSnapshot
from kftui.profile import Profile, ProfileError, detect_profile, load_profile
from kftui.report import render_findings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


def _source_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_argument_group(
        "where the cluster state comes from (default: the current kubeconfig context)"
    )
    where.add_argument(
        "--from-file", metavar="PATH", help="read a dump (kubectl get -o yaml / kftui dump) instead"
    )
    where.add_argument("--demo", action="store_true", help="the embedded demo: a broken Kubeflow install")
    where.add_argument(
        "--kubeconfig", metavar="PATH", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"
    )
    where.add_argument("--context", metavar="NAME", help="kubeconfig context (default: the current one)")
    where.add_argument(
        "--argocd-namespace",
        metavar="NS",
        default="argocd",
        help="where the Applications live (default: argocd)",
    )
    parser.add_argument(
        "--profile", metavar="PATH", help="install profile YAML (default: detected, Kubeflow)"
    )
    parser.add_argument(
        "--manifests",
        metavar="PATH",
        help="local kustomize tree: attach include chains to duplicate-id findings",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kftui",
        description="Diagnose and fix a Kubeflow install managed by Argo CD. Without a command: the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"kftui {__version__}")
    _source_options(parser)
    parser.add_argument("--read-only", action="store_true", help="refuse every change to the cluster")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="run the checks headless; exit 1 when there are errors")
    _source_options(check)
    check.add_argument("--output", "-o", choices=("text", "json", "junit"), default="text")

    dump = commands.add_parser("dump", help="save the cluster state for offline diagnosis (Secrets redacted)")
    dump.add_argument("-o", "--output", metavar="PATH", required=True, help="file to write ('-' for stdout)")
    dump.add_argument("--kubeconfig", metavar="PATH")
    dump.add_argument("--context", metavar="NAME")
    dump.add_argument("--argocd-namespace", metavar="NS", default="argocd")

    conflicts = commands.add_parser(
        "conflicts",
        help="predict kustomize duplicate-id failures in a manifests tree, naming both include chains",
    )
    conflicts.add_argument("path", metavar="PATH")
    conflicts.add_argument("--output", "-o", choices=("text", "json"), default="text")
    return parser


def build_source(args: argparse.Namespace) -> SnapshotSource:
    if args.demo and args.from_file:
        raise UserError("--demo and --from-file exclude each other")
    if args.demo:
        return StaticSource(load_demo)
    if args.from_file:
        path = args.from_file
        return StaticSource(lambda: load_snapshot(path))
    from kftui.cluster.kube import KubeSource  # imported late: the offline paths need no client library

    return KubeSource.from_kubeconfig(args.kubeconfig, args.context, args.argocd_namespace)


def choose_profile(args: argparse.Namespace, snapshot: ClusterSnapshot) -> Profile:
    if getattr(args, "profile", None):
        return load_profile(args.profile)
    return detect_profile({app.name for app in snapshot.applications.values()})


def cmd_check(args: argparse.Namespace) -> int:
    snapshot = build_source(args).load()
    profile = choose_profile(args, snapshot)
    findings = run_checks(snapshot, profile)
    findings = attach_manifest_chains(args, findings)
    sys.stdout.write(render_findings(findings, args.output, snapshot))
    return EXIT_FINDINGS if any(f.severity.value == "error" for f in findings) else EXIT_OK


def attach_manifest_chains(args: argparse.Namespace, findings: list) -> list:  # type: ignore[type-arg]
    """With --manifests, the kustomize analyzer's include chains are added to duplicate-id findings."""
    if not getattr(args, "manifests", None):
        return findings
    try:
        from kftui.checks.kustomize_ids import attach_chains
        from kftui.kustomize.analyzer import ConflictsError, analyze, chains_by_id
    except ImportError:
        raise UserError("--manifests needs the kustomize analyzer, which this build lacks") from None
    try:
        report = analyze(args.manifests)
    except ConflictsError as exc:
        raise UserError(str(exc)) from None
    return attach_chains(findings, chains_by_id(report))  # type: ignore[no-any-return]


def cmd_dump(args: argparse.Namespace) -> int:
    from kftui.cluster.kube import KubeSource

    source = KubeSource.from_kubeconfig(args.kubeconfig, args.context, args.argocd_namespace)
    source.load()  # fails fast with a clear line when the server cannot be reached
    objects = source.dump_objects()
    now = datetime.now(UTC)
    if args.output == "-":
        from kftui.cluster.dumpfile import dump_text

        sys.stdout.write(dump_text(objects, now))
    else:
        write_dump(args.output, objects, now)
        print(
            f"kftui: wrote {len(objects)} objects to {args.output} (Secret values redacted)", file=sys.stderr
        )
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    try:
        from kftui.kustomize.analyzer import ConflictsError, analyze, render_json, render_text
    except ImportError:
        raise UserError("the kustomize analyzer is not part of this build") from None
    try:
        report = analyze(args.path)
    except ConflictsError as exc:
        raise UserError(str(exc)) from None
    sys.stdout.write(render_json(report) if args.output == "json" else render_text(report))
    return EXIT_FINDINGS if report.duplicates else EXIT_OK


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
            prefetch()  # the first LISTs run while Textual is imported and the screen is laid out
    else:
        snapshot = source.load()
        source = StaticSource(lambda: snapshot)
    from kftui.ui.app import KftuiApp  # Textual is only imported for the interactive path

    app = KftuiApp(source, profile, read_only=args.read_only)
    app.run()
    return int(app.return_code or 0)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"check": cmd_check, "dump": cmd_dump, "conflicts": cmd_conflicts}
    try:
        return handlers.get(args.command, cmd_tui)(args)
    except (UserError, DumpError, SourceError, ProfileError) as exc:
        print(f"kftui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kftui check | head` closed the pipe: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
