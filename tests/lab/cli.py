"""Command line for the lab: build, up, down, status (the lab.mk targets call these)."""

from __future__ import annotations

import argparse
import sys
import time

from tests.lab import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.lab", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build (or reuse) the lab binaries in ~/.cache/kftui/lab/<hash>/bin")
    b.add_argument("components", nargs="*", help=f"subset of {build.BUILD_ORDER} (default: all)")
    u = sub.add_parser("up", help="start the lab (builds first if needed); prints KUBECONFIG")
    u.add_argument(
        "--spoke",
        action="store_true",
        help="also start the spoke cluster, registered in Argo CD (default: KFTUI_LAB_SPOKE=1)",
    )
    sub.add_parser("spoke", help="add the spoke cluster to the running lab")
    sub.add_parser("down", help="stop every lab process recorded in the state file")
    st = sub.add_parser("status", help="show ports, pids and whether each component runs")
    st.add_argument("--check", action="store_true", help="exit 3 unless the lab is up and healthy")
    sub.add_parser("env", help="print `export KUBECONFIG=...` etc. for a shell")
    args = parser.parse_args(argv)

    if args.cmd == "build":
        unknown = set(args.components) - set(build.BUILD_ORDER)
        if unknown:
            parser.error(f"unknown components {sorted(unknown)}; choose from {build.BUILD_ORDER}")
        start = time.monotonic()
        try:
            path = build.build_all(args.components or None)
        except build.BuildError as e:
            print(f"lab build failed: {e}", file=sys.stderr)
            return 1
        print(f"[lab] binaries in {path} ({time.monotonic() - start:.0f}s)")
        return 0

    # Imported here so `build` works even before the runtime deps are importable.
    from tests.lab import lab

    if args.cmd == "up":
        try:
            lab.up(spoke=args.spoke or None)
        except (lab.LabStartError, build.BuildError) as e:
            print(f"lab up failed: {e}", file=sys.stderr)
            return 1
        print(lab.status())
        return 0
    if args.cmd == "spoke":
        from tests.lab import spoke

        current = lab.Lab.load()
        if current is None or not current.is_up():
            print("lab not running: `python -m tests.lab up --spoke` starts both", file=sys.stderr)
            return 1
        try:
            spoke.add(current)
        except lab.LabStartError as e:
            print(f"spoke start failed: {e}", file=sys.stderr)
            return 1
        print(lab.status())
        return 0
    if args.cmd == "down":
        lab.down()
        return 0
    if args.cmd == "status":
        print(lab.status())
        if not args.check:
            return 0
        current = lab.Lab.load()
        return 0 if current is not None and current.is_up() else 3
    if args.cmd == "env":
        current = lab.Lab.load()
        if current is None:
            print("lab not running", file=sys.stderr)
            return 1
        print(f"export KUBECONFIG={current.kubeconfig}")
        print(f"export KFTUI_ARGOCD_SERVER={current.argocd_server}")
        if current.has_spoke:
            print("\n".join(current.spoke_env_lines()))
        return 0
    return 2
