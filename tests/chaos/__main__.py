"""`python -m tests.chaos`: start (or reuse) a lab, run every fault against headless kftui, stop the lab.

KFTUI_LAB_DIR picks the lab's directory; if a lab is already up there it is used and left running,
otherwise one is started in it and stopped at the end. The per-fault report goes to chaos-report.json
in that directory (or --report PATH). Exit 0 only when every fault recovered with no crash or mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from tests.lab import lab as lab_mod


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--report", metavar="PATH", help="per-fault JSON report")
    args = parser.parse_args()
    if not os.environ.get("KFTUI_LAB_DIR"):
        os.environ["KFTUI_LAB_DIR"] = tempfile.mkdtemp(prefix="kftui-chaos-lab-")
    existing = lab_mod.Lab.load()
    ours = existing is None or not existing.is_up()
    try:
        lab = lab_mod.up(log=lambda line: print(line, flush=True)) if ours else existing
    except lab_mod.LabStartError as exc:
        print(f"chaos: the lab did not start: {exc}", file=sys.stderr)
        return 2
    assert lab is not None
    report = Path(args.report) if args.report else lab.dir / "chaos-report.json"
    from tests.chaos.run import run  # after the lab: importing Textual is not free on a loaded machine

    try:
        return asyncio.run(run(lab, report, log=lambda line: print(line, flush=True)))
    finally:
        if ours:
            lab_mod.down()


if __name__ == "__main__":
    sys.exit(main())
