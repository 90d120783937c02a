"""`make mutants`, last step: the kill rate of the mutmut run in mutants/ and every mutant no test killed.

A survivor is accounted for when docs/mutants.md names it (in backticks) with the reason it is equivalent to the
original; the rest are printed as work to do. Exit status 1 when the kill rate is under 90% or a survivor is not
accounted for, so a refactor that renames mutants, or code that no test guards, shows up here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

TARGET = 0.90
DOC = Path("docs/mutants.md")
STATS = Path("mutants/mutmut-cicd-stats.json")


def survivors() -> dict[str, str]:
    """Mutant name -> mutmut's status, for every mutant not killed (`mutmut results` lists exactly those)."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results"], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            found[name] = status
    return found


def main() -> int:
    if not STATS.exists():
        print("kftui: no mutation run in mutants/ (run `make mutants`)", file=sys.stderr)
        return 2
    stats = json.loads(STATS.read_text())
    # A timeout is a kill (the mutant hung the tests); skipped mutants were never run.
    killed = stats["killed"] + stats["timeout"]
    counted = stats["total"] - stats["skipped"]
    rate = killed / counted if counted else 1.0
    left = survivors()
    explained = set(re.findall(r"`([\w.]+__mutmut_\d+)`", DOC.read_text())) if DOC.exists() else set()
    todo = {name: status for name, status in left.items() if name not in explained}

    print(
        f"mutants: {killed} of {counted} killed ({rate:.1%}); {stats['survived']} survived, "
        f"{stats['no_tests']} reached by no test, {stats['suspicious']} suspicious"
    )
    print(f"survivors accounted for in {DOC}: {len(left) - len(todo)} of {len(left)}")
    for name, status in sorted(todo.items()):
        print(f"  not accounted for ({status}): {name}   (see: mutmut show {name})")
    if rate < TARGET:
        print(f"kill rate under the {TARGET:.0%} target", file=sys.stderr)
        return 1
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
