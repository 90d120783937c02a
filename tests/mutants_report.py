"""`make mutants`, last step: the kill rate of the mutmut run in mutants/ and every mutant no test killed.

A survivor is accounted for when docs/mutants.md names it (in backticks, in its "Equivalent mutants" section)
with the reason it is equivalent to the original; the rest are printed as work to do. Exit status 1 when the
kill rate is under 90% or a survivor is not accounted for, so a refactor that renames mutants, or code that no
test guards, shows up here.
`python -m tests.mutants_report --list` prints every survivor with the line it changed.
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


def changed_lines(names: list[str]) -> dict[str, str]:
    """Each mutant's change as `- old` / `+ new` lines (mutmut's own diff, read in one process)."""
    from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant

    out = {}
    for name in names:
        diff = get_diff_for_mutant(name, path=find_mutant(name).path)
        lines = [ln for ln in diff.splitlines() if ln[:1] in "-+" and ln[:3] not in ("---", "+++")]
        out[name] = " / ".join(" ".join(ln.split()) for ln in lines)
    return out


def equivalent_section() -> str:
    """The part of docs/mutants.md that lists equivalent mutants: only those count as accounted for."""
    text = DOC.read_text()
    start = text.find("## Equivalent mutants")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def main() -> int:
    if "--list" in sys.argv:  # every survivor with its change, one per line (for docs/mutants.md)
        alive = sorted(
            n for n, status in survivors().items() if status in ("survived", "no tests", "suspicious")
        )
        for name, change in changed_lines(alive).items():
            print(f"`{name}`: {change}")
        return 0
    if not STATS.exists():
        print("kftui: no mutation run in mutants/ (run `make mutants`)", file=sys.stderr)
        return 2
    stats = json.loads(STATS.read_text())
    left = survivors()
    unchecked = sum(1 for status in left.values() if status == "not checked")
    left = {
        name: status for name, status in left.items() if status not in ("not checked", "timeout", "skipped")
    }
    # A timeout is a kill (the mutant hung the tests); skipped and unchecked mutants were never run.
    killed = stats["killed"] + stats["timeout"]
    counted = stats["total"] - stats["skipped"] - unchecked
    rate = killed / counted if counted else 1.0
    explained = set(re.findall(r"`([\w.]+__mutmut_\d+)`", equivalent_section())) if DOC.exists() else set()
    todo = {name: status for name, status in left.items() if name not in explained}

    print(
        f"mutants: {killed} of {counted} checked killed ({rate:.1%}); {stats['survived']} survived, "
        f"{stats['no_tests']} reached by no test, {stats['suspicious']} suspicious, {unchecked} not checked"
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
