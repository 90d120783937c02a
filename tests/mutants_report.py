"""`make mutants`, last step: the kill rate of the mutmut run in mutants/ and every mutant no test killed.

A survivor is accounted for when docs/mutants.md names it (in backticks, in its "Equivalent mutants" section)
or a file under docs/mutants/ does (one file per group of modules, each entry with the reason it is
equivalent to the original); the rest are printed as work to do. Exit status 1 when the
kill rate is under 90% or a survivor is not accounted for, so a refactor that renames mutants, or code that no
test guards, shows up here.
`python -m tests.mutants_report --list` prints every survivor with the line it changed.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

TARGET = 0.90
DOC = Path("docs/mutants.md")
EQUIVALENT_DIR = Path("docs/mutants")
STATS = Path("mutants/mutmut-cicd-stats.json")


def statuses(every: bool = False) -> dict[str, str]:
    """Mutant name -> mutmut's status: every mutant not killed (what `mutmut results` lists), or all of them."""
    command = [sys.executable, "-m", "mutmut", "results"] + (["--all", "true"] if every else [])
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            found[name] = status
    return found


def survivors() -> dict[str, str]:
    """Mutant name -> mutmut's status, for every mutant not killed."""
    return statuses()


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
    """The text that lists equivalent mutants: only those count as accounted for.

    The "Equivalent mutants" section of docs/mutants.md plus every docs/mutants/*.md (whole files).
    """
    parts = [path.read_text() for path in sorted(EQUIVALENT_DIR.glob("*.md"))]
    text = DOC.read_text() if DOC.exists() else ""
    start = text.find("## Equivalent mutants")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        parts.append(text[start : end if end > 0 else len(text)])
    return "\n".join(parts)


def main() -> int:
    # Optional fnmatch patterns (`kftui.checks.health.*`) rate or list only those mutants: a scoped run's figure.
    patterns = [arg for arg in sys.argv[1:] if not arg.startswith("-")]

    def chosen(name: str) -> bool:
        return not patterns or any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    if "--list" in sys.argv:  # every survivor with its change, one per line (for docs/mutants.md)
        alive = sorted(
            n
            for n, status in survivors().items()
            if status in ("survived", "no tests", "suspicious") and chosen(n)
        )
        for name, change in changed_lines(alive).items():
            print(f"`{name}`: {change}")
        return 0
    if not STATS.exists():
        print("kftui: no mutation run in mutants/ (run `make mutants`)", file=sys.stderr)
        return 2
    every = {name: status for name, status in statuses(every=True).items() if chosen(name)}
    count = Counter(every.values())
    unchecked = count["not checked"] + count["skipped"]
    # A timeout is a kill (the mutant hung the tests); skipped and unchecked mutants were never run.
    killed = count["killed"] + count["timeout"]
    counted = len(every) - unchecked
    rate = killed / counted if counted else 1.0
    left = {
        name: status for name, status in every.items() if status in ("survived", "no tests", "suspicious")
    }
    explained = set(re.findall(r"`([\w.]+__mutmut_\d+)`", equivalent_section()))
    todo = {name: status for name, status in left.items() if name not in explained}

    print(
        f"mutants: {killed} of {counted} checked killed ({rate:.1%}); {count['survived']} survived, "
        f"{count['no tests']} reached by no test, {count['suspicious']} suspicious, {unchecked} not checked"
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
