"""The `:` command line (k9s style): parse what was typed and complete it; pure, the app runs the result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Every spelling the line accepts, to the command it means (k9s's aliases where kftui has the view).
ALIASES: dict[str, str] = {
    "apps": "apps",
    "app": "app",
    "applications": "apps",
    "application": "app",
    "pods": "pods",
    "pod": "pods",
    "po": "pods",
    "ns": "ns",
    "namespace": "ns",
    "namespaces": "ns",
    "ctx": "ctx",
    "context": "ctx",
    "contexts": "ctx",
    "help": "help",
    "q": "q",
    "q!": "q",
    "quit": "q",
}
WORDS: tuple[str, ...] = ("apps", "app", "pods", "ns", "ctx", "help", "q")
"""What Tab offers first, in the order the help shows them."""
USAGE = ":apps  :app NAME  :pods  :ns NAME  :ctx  :help  :q"


class CommandError(Exception):
    """What was typed is not a command; the message is one line for the user."""


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""


def parse(text: str) -> Command:
    """`:app kubeflow` -> Command("app", "kubeflow"); an empty line or an unknown word raises CommandError."""
    words = text.strip().removeprefix(":").split(maxsplit=1)
    if not words:
        raise CommandError(f"type a command: {USAGE}")
    name = ALIASES.get(words[0].lower())
    if name is None:
        raise CommandError(f"unknown command :{words[0]} (try {USAGE})")
    arg = words[1].strip() if len(words) > 1 else ""
    if name == "app" and not arg:
        name = "apps"  # k9s's `:app` lists them
    return Command(name, arg)


@dataclass(frozen=True)
class Completion:
    text: str
    """The line after Tab: extended to the longest prefix every candidate shares."""
    candidates: tuple[str, ...]
    """Every word that fits (more than one: the user types on)."""


def complete(
    text: str, apps: Iterable[str], namespaces: Iterable[str], contexts: Iterable[str] = ()
) -> Completion:
    """Complete the command word, or the name after `app`/`ns` from the snapshot's names, or after `ctx` from
    the kube contexts and Argo CD servers `:ctx` can switch to."""
    stripped = text.lstrip().removeprefix(":")
    if " " not in stripped:
        return _extend("", stripped, [w for w in WORDS + tuple(ALIASES) if w.startswith(stripped.lower())])
    word, _, rest = stripped.partition(" ")
    name = ALIASES.get(word.lower())
    pools = {"app": apps, "ns": namespaces, "ctx": contexts}
    pool: Sequence[str] = sorted(set(pools.get(name or "", ())))
    rest = rest.lstrip()
    return _extend(f"{word} ", rest, [n for n in pool if n.startswith(rest)])


def _extend(head: str, typed: str, candidates: list[str]) -> Completion:
    unique = tuple(dict.fromkeys(candidates))
    if not unique:
        return Completion(head + typed, ())
    prefix = unique[0]
    for other in unique[1:]:
        while not other.startswith(prefix):
            prefix = prefix[:-1]
    done = prefix if len(unique) > 1 else prefix + " "
    return Completion(head + (done if len(done) >= len(typed) else typed), unique)
