"""The command line's flags: every subcommand's parser, its help and the options they share (kftui/cli.py runs them)."""

from __future__ import annotations

import argparse

from kftui import __version__
from kftui.cluster.dumpfile import FORMATS

SWITCH = None
"""The metavar of an option that takes no value (store_true)."""

GLOBAL_OPTIONS: tuple[tuple[str, tuple[tuple[str, str | None, object, str], ...]], ...] = (
    (
        "where the cluster state comes from (default: the current kubeconfig context)",
        (
            ("--from-file", "PATH", None, "read a dump (kubectl get -o yaml / kftui dump) instead"),
            ("--demo", SWITCH, False, "the embedded demo: a broken Kubeflow install"),
            ("--kubeconfig", "PATH", None, "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"),
            ("--context", "NAME", None, "kubeconfig context (default: the current one)"),
            ("--argocd-namespace", "NS", "argocd", "where the Applications live (default: argocd)"),
        ),
    ),
    (
        "checks",
        (
            ("--profile", "PATH", None, "install profile YAML (default: detected, Kubeflow)"),
            (
                "--manifests",
                "PATH",
                None,
                "local kustomize tree (a checkout of the apps' repo): attach include chains to duplicate-id "
                "findings; diff renders the desired state from it when no Argo CD server is given",
            ),
        ),
    ),
    (
        "fix actions",
        (
            ("--read-only", SWITCH, False, "refuse every change to the cluster"),
            (
                "--argocd-server",
                "HOST:PORT",
                None,
                "send Argo CD actions to this Argo CD API server (default: $ARGOCD_SERVER; "
                "else through the Kubernetes API)",
            ),
            ("--insecure", SWITCH, False, "do not verify the Argo CD server's TLS certificate"),
            ("--plaintext", SWITCH, False, "talk plain HTTP to the Argo CD server"),
            (
                "--audit-log",
                "PATH",
                None,
                "where every change is recorded (default: $XDG_STATE_HOME/kftui/audit.jsonl)",
            ),
        ),
    ),
)
"""The options every command shares, by help group: (flag, metavar or SWITCH, default, help)."""

ALIASES: dict[str, tuple[str, ...]] = {"--argocd-server": ("--server",)}
"""Other spellings of an option: `--server` is what the argocd CLI calls the Argo CD server."""


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Declare GLOBAL_OPTIONS on `parser`. As in kubectl they may come before or after the command: the
    subcommands declare them too, with SUPPRESS defaults, so a value given before the command is not
    overwritten by the subcommand's default (argparse's behaviour when both declare a default)."""
    for title, options in GLOBAL_OPTIONS:
        group = parser.add_argument_group(title)
        for flag, metavar, value, help_text in options:
            default = value if defaults else argparse.SUPPRESS
            flags = (flag, *ALIASES.get(flag, ()))
            if metavar is SWITCH:
                group.add_argument(*flags, action="store_true", default=default, help=help_text)
            else:
                group.add_argument(*flags, metavar=metavar, default=default, help=help_text)


DUMP_FORMATS = FORMATS


def _dump_format(value: str) -> str:
    """`-o` is the format, as in kubectl; a path there is the old spelling, so say where the file goes now."""
    if value in DUMP_FORMATS:
        return value
    if value == "-" or "/" in value or "." in value:
        raise argparse.ArgumentTypeError(
            f"-o/--output is the format ({', '.join(DUMP_FORMATS)}); give the file as an argument: kftui dump {value}"
        )
    raise argparse.ArgumentTypeError(f"unknown format {value!r} (choose from {', '.join(DUMP_FORMATS)})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kftui",
        description="Diagnose and fix a Kubeflow install managed by Argo CD. Without a command: the terminal UI.",
        epilog="Options work before or after the command (kftui --demo check = kftui check --demo).",
    )
    parser.add_argument("--version", action="version", version=f"kftui {__version__}")
    _global_options(parser, defaults=True)
    parser.add_argument_group("the terminal UI").add_argument(
        "--app",
        metavar="NAME",
        help="open on this Application: selected, expanded, its findings shown (the k9s plugin passes $NAME)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="run the checks headless; exit 1 on errors, 2 when it cannot run or list the Applications",
        description="Run every check once over the cluster (or a dump, or the demo) and print the findings. "
        "Exit codes: 0 no errors (warnings allowed), 1 at least one error finding, 2 cannot run (bad input, "
        "unreachable server, or the Applications could not be listed: nothing was diagnosed).",
    )
    check.add_argument("--output", "-o", choices=("text", "json", "junit"), default="text")
    _global_options(check, defaults=False)

    dump = commands.add_parser(
        "dump",
        help="save the cluster state for offline diagnosis (secrets redacted: see README, Safety)",
        description="Save what kftui reads from the cluster as one document that `kftui --from-file` and "
        "`kftui check --from-file` open; Secret values are redacted. With an Argo CD server (or a config file "
        "naming other clusters), the objects of apps on other clusters are saved too, marked with their "
        "cluster. Exit codes: 0 written, 2 cannot run "
        "(unreachable server, unwritable file, --demo or --from-file given).",
    )
    dump.add_argument("file", nargs="?", default="-", metavar="FILE", help="file to write (default: stdout)")
    dump.add_argument(
        "-o",
        "--output",
        default="yaml",
        type=_dump_format,
        metavar="FORMAT",
        help="format: yaml (default) or json",
    )
    _global_options(dump, defaults=False)

    conflicts = commands.add_parser(
        "conflicts",
        help="predict kustomize duplicate-id failures in a manifests tree, naming both include chains",
        description="Analyse a kustomize tree without building it and predict the `may not add resource with an "
        "already registered id` failures, naming both include chains. Exit codes: 0 no conflict, 1 conflicts or "
        "errors found, 2 cannot run (no such directory, unreadable tree).",
    )
    conflicts.add_argument("path", metavar="PATH")
    conflicts.add_argument("--output", "-o", choices=("text", "json"), default="text")
    conflicts.add_argument(
        "--cross-check",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run the real kustomize build (or kubectl kustomize) and say whether it agrees "
        "(default: when either is on PATH)",
    )
    conflicts.add_argument(
        "--build-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="for the cross-check (default: 60)",
    )
    conflicts.add_argument(
        "--remote-map",
        action="append",
        default=[],
        metavar="URL=DIR",
        help="analyse remote bases under URL from the local checkout DIR (repeatable)",
    )
    _global_options(conflicts, defaults=False)

    diff = commands.add_parser(
        "diff",
        help="which fields of an app differ from git, why each drifts, and the ignoreDifferences that stops it",
        description="Compare what Argo CD would apply with what is live, field by field, classify each drifting "
        "field (injected by a controller, owned by another field manager, a real change) and print the "
        "Application fix. The desired state comes from the Argo CD API (--argocd-server or ARGOCD_SERVER, with "
        "ARGOCD_AUTH_TOKEN: its managed-resources, after its normalisation), else from --manifests DIR (the "
        "app's path rendered with kustomize from that checkout at the app's revision, diffed against the live "
        "cluster). Exit codes: 0 no difference, 1 differences, 2 cannot run (neither source given, or it "
        "failed).",
    )
    diff.add_argument("app", metavar="APP")
    diff.add_argument("--output", "-o", choices=("text", "json"), default="text")
    diff.add_argument(
        "--fix",
        action="store_true",
        help="also plan the drift fix: the ignoreDifferences entries (and sync options) to add to the app",
    )
    diff.add_argument(
        "--build-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="with --manifests: how long kustomize may take to render the app (default: 60)",
    )
    diff.add_argument(
        "--yes",
        action="store_true",
        help="with --fix: apply it through kftui's gate (exit 0 applied, 1 refused or failed)",
    )
    _global_options(diff, defaults=False)

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash or zsh)",
        description="Print a completion script for kftui's commands and options. bash: "
        "`source <(kftui completion bash)`; zsh: `source <(kftui completion zsh)`. Exit 0, 2 for another shell.",
    )
    completion.add_argument("shell", choices=("bash", "zsh"))

    sync = commands.add_parser(
        "sync",
        help="sync Applications (in dependency order with --ordered) and wait; exit 0 all Synced and Healthy, "
        "1 stopped (naming why), 2 cannot run",
        description="Sync Argo CD Applications through the same gate and audit log as the TUI's fixes. "
        "Without APP: every app of the profile's dependency chain. --ordered syncs one app at a time, each "
        "Synced and Healthy before the next (and so always waits). Exit codes: 0 every app Synced and Healthy "
        "(without --wait: every sync accepted), 1 stopped (the step, why, and the findings about that app), "
        "2 cannot run (no live cluster, unknown app, --read-only, bad flags).",
    )
    sync.add_argument("apps", nargs="*", metavar="APP", help="Applications to sync (default: the chain)")
    sync.add_argument("--ordered", action="store_true", help="one app at a time, in dependency order")
    sync.add_argument("--wait", action="store_true", help="wait until every app is Synced and Healthy")
    sync.add_argument(
        "--timeout", metavar="DURATION", default="5m", help="how long each app may take (default: 5m)"
    )
    sync.add_argument("--output", "-o", choices=("text", "json"), default="text")
    _global_options(sync, defaults=False)
    return parser
