"""`kftui completion bash` in real bash: what it offers, and that bash agrees with the model the hermetic tier
uses (tests/completion_model.py) on every command, option value and prefix the script knows."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.completion_model import Script

ROOT = Path(__file__).resolve().parents[2]
END = "--end-of-reply--"


@pytest.fixture(scope="module")
def script() -> str:
    if shutil.which("bash") is None:
        pytest.fail(
            "bash is not installed: the terminal tier runs the completion script in it", pytrace=False
        )
    out = subprocess.run(
        [sys.executable, "-m", "kftui", "completion", "bash"],
        capture_output=True, text=True, timeout=60, check=True, cwd=ROOT,
    )  # fmt: skip
    return out.stdout


def in_bash(script: str, cases: list[tuple[str, ...]]) -> list[list[str]]:
    """What bash puts in COMPREPLY for each case (COMP_WORDS, the last word being completed), in one bash."""
    program = [script]
    for words in cases:
        program += [
            f"COMP_WORDS=({' '.join(_quote(w) for w in words)}); COMP_CWORD={len(words) - 1}; COMPREPLY=()",
            "_kftui_complete",
            f'printf "%s\\n" "${{COMPREPLY[@]}}" {END}',
        ]
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", "\n".join(program)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    replies = out.stdout.split(f"{END}\n")
    assert replies[-1] == "" and len(replies) == len(cases) + 1, out.stdout
    return [[w for w in reply.splitlines() if w] for reply in replies[:-1]]


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def test_bash_completes_commands_options_and_their_values(script: str) -> None:
    cases = [
        ("kftui", "ch"),
        ("kftui", "check", "-o", ""),
        ("kftui", "sync", "--ti"),
        ("kftui", "--ser"),
        ("kftui", "completion", ""),
    ]
    assert in_bash(script, cases) == [
        ["check"],
        ["text", "json", "junit"],
        ["--timeout"],
        ["--server"],
        ["bash", "zsh"],
    ]


def test_bash_offers_what_the_model_says_for_every_word_the_script_knows(script: str) -> None:
    model = Script.parse(script)
    cases: list[tuple[str, ...]] = []
    for name, branch in model.branches.items():
        typed = ("kftui", name) if name else ("kftui",)
        for word in ["", "-", "--", "x", *branch.options, *branch.other]:
            cases += [(*typed, word[:n]) for n in {0, 1, 3, len(word)}]
        for option, values in branch.values.items():
            cases += [(*typed, option, value[:n]) for value in ["", *values] for n in (0, 1)]
        cases.append(("kftui", "--demo", *typed[1:], "--"))  # options before the command
    cases = sorted(set(cases))
    answers = in_bash(script, cases)
    disagreements = [
        (case, got, model.offered(*case))
        for case, got in zip(cases, answers, strict=True)
        if got != model.offered(*case)
    ]
    assert not disagreements, disagreements[:5]
    assert len(cases) > 100 and sum(1 for a in answers if a) > 50  # it covered real work, not empty replies
