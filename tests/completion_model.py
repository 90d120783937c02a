"""What kftui's bash completion script offers, worked out in Python from the script's own text.

The hermetic tier has no bash: tests/unit reads the generated script into `Script` (every line must be one the
model knows, else it fails) and asks `Script.offered`. tests/terminal runs the same script in real bash over
many inputs and checks bash offers exactly what the model says, so the model cannot drift from the shell.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

# The lines of the function that do not depend on the parser (see kftui/completion.py), less indentation.
HEAD = [
    "local cur prev cmd i",
    'cur="${COMP_WORDS[COMP_CWORD]}"',
    'prev="${COMP_WORDS[COMP_CWORD-1]}"',
    'cmd=""',
    "for ((i = 1; i < COMP_CWORD; i++)); do",
    'case "${COMP_WORDS[i]}" in',
]
COMMANDS = re.compile(r'^(?P<names>[\w|-]+)\) cmd="\$\{COMP_WORDS\[i\]\}"; break ;;$')
AFTER_COMMANDS = ["esac", "done", 'case "$cmd" in']
VALUE = re.compile(
    r'^(?P<option>-[\w-]+)\) COMPREPLY=\(\$\(compgen -W (?P<words>.+) -- "\$cur"\)\); return ;;$'
)
WORDS = re.compile(r'^if \[\[ "\$cur" == -\* \]\]; then words=(?P<options>.+); else words=(?P<other>.+); fi$')
REPLY = 'COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;'


def _word_list(shell_word: str) -> list[str]:
    """A quoted shell word as compgen -W reads it: unquoted, then split at blanks."""
    return [w for part in shlex.split(shell_word) for w in part.split()]


@dataclass
class Branch:
    """One `case "$cmd"` branch: the values after an option, the options, the other words."""

    values: dict[str, list[str]] = field(default_factory=dict)
    options: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


@dataclass
class Script:
    function: str
    commands: list[str]
    branches: dict[str, Branch]
    registered: list[str]  # the names `complete -F` binds the function to

    @classmethod
    def parse(cls, text: str) -> Script:
        """Read the generated bash script; an unexpected line is an AssertionError naming it."""
        lines = [line.strip() for line in text.splitlines()]
        pos = 0

        def take(expected: str | re.Pattern[str]) -> re.Match[str] | None:
            nonlocal pos
            line = lines[pos] if pos < len(lines) else "<end of script>"
            if isinstance(expected, str):
                assert line == expected, f"line {pos + 1}: expected {expected!r}, found {line!r}"
                pos += 1
                return None
            match = expected.match(line)
            assert match, f"line {pos + 1}: expected /{expected.pattern}/, found {line!r}"
            pos += 1
            return match

        assert lines[pos].startswith("# "), lines[pos]
        pos += 1
        opening = take(re.compile(r"^(?P<function>_\w+)\(\) \{$"))
        assert opening is not None
        for expected in HEAD:
            take(expected)
        names = take(COMMANDS)
        assert names is not None
        for expected in AFTER_COMMANDS:
            take(expected)
        branches: dict[str, Branch] = {}
        while lines[pos] != "esac":
            label = take(re.compile(r"^(?P<label>.+)\)$"))
            assert label is not None
            branch = Branch()
            take('case "$prev" in')
            while lines[pos] != "esac":
                value = take(VALUE)
                assert value is not None
                branch.values[value["option"]] = _word_list(value["words"])
            take("esac")
            words = take(WORDS)
            assert words is not None
            branch.options, branch.other = _word_list(words["options"]), _word_list(words["other"])
            take(REPLY)
            branches[shlex.split(label["label"])[0]] = branch  # '' is the top level: no command yet
        take("esac")
        take("}")
        registered = []
        while pos < len(lines):
            bound = take(re.compile(rf"^complete -o default -F {opening['function']} (?P<name>[\w-]+)$"))
            assert bound is not None
            registered.append(bound["name"])
        return cls(opening["function"], names["names"].split("|"), branches, registered)

    def offered(self, *words: str) -> list[str]:
        """What the function puts in COMPREPLY for COMP_WORDS=words, COMP_CWORD=the last one."""
        cur, prev = words[-1], words[-2]
        # The first word after the program that names a command, before the one being completed.
        cmd = next((w for w in words[1:-1] if w in self.commands), "")
        branch = self.branches.get(cmd)
        if branch is None:
            return []
        if prev in branch.values:
            pool = branch.values[prev]
        else:
            pool = branch.options if cur.startswith("-") else branch.other
        return [w for w in pool if w.startswith(cur)]  # compgen -W: the list's order, filtered by prefix
