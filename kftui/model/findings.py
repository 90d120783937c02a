"""Findings: what a check concluded, how severe it is, the fixes it offers and which findings caused it."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kftui import shellcmd
from kftui.model.objects import ObjectRef


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: errors first."""
        return _RANKS[self]


# Looked up by member: a dict built per call and Enum's `value` descriptor cost ~1 us a rank, and the tree
# model ranks every finding three times per batch of watch events.
_RANKS = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class FixRef:
    """A fix a finding offers: its id (sync, hard-refresh, ...), a title and the equivalent CLI command.

    The command is kept as argv lists, one per step, and only joined (quoted) by `kftui.shellcmd`, so a value
    from the cluster is always exactly one argument of the command a person copies.
    """

    id: str
    title: str
    argvs: tuple[shellcmd.Argv, ...]

    @property
    def command(self) -> str:
        return shellcmd.steps(self.argvs)


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosis: what is wrong, where, the evidence that says so, and how to fix it.

    `evidence` holds one piece of evidence per line (a quoted message, a field, an event): reports list
    them (`evidence_lines`), the TUI shows one per row. `id` and `caused_by` are filled in by the causes
    pass (kftui/checks/causes.py) after every check ran; a check leaves them empty. `waits_for` names the
    Applications a finding blames (dependency-order), which that pass links to their own findings.
    """

    check: str
    severity: Severity
    app: str | None
    subject: ObjectRef
    title: str
    evidence: str
    explanation: str
    fixes: tuple[FixRef, ...] = ()
    id: str = ""
    caused_by: tuple[str, ...] = ()
    waits_for: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.severity.rank, self.app or "~", self.check, str(self.subject))

    @property
    def evidence_lines(self) -> tuple[str, ...]:
        """The evidence, one item per line, blank lines dropped: what JSON lists and the panel shows."""
        return tuple(line for line in self.evidence.split("\n") if line.strip())

    @property
    def is_root(self) -> bool:
        """Nothing among the other findings explains this one: it leads, its consequences fold under it."""
        return not self.caused_by


def base_id(finding: Finding) -> str:
    """The stable id of a finding, from its check and its subject (never a counter), so the same finding
    keeps its id across runs: `pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn`. A cluster-scoped
    subject adds `@app`, since two apps may each fail on the same one (a ClusterRole both render)."""
    about = f"{finding.check}:{finding.subject}"
    if finding.app and finding.subject.namespace is None:
        about += f"@{finding.app}"
    return about


def title_suffix(finding: Finding) -> str:
    """What tells apart two findings with the same base id (one check saying two things about one object):
    a short digest of the title, so it too stays the same while the finding does."""
    return "~" + hashlib.sha256(finding.title.encode("utf-8", "replace")).hexdigest()[:6]


def roots(findings: Iterable[Finding]) -> list[Finding]:
    """The root causes among linked findings, in their given order."""
    return [f for f in findings if f.is_root]


def consequences(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Finding id -> the findings it directly caused, in the given order (a DAG: a consequence of two
    causes is listed under both)."""
    out: dict[str, list[Finding]] = {}
    for f in findings:
        for cause in f.caused_by:
            out.setdefault(cause, []).append(f)
    return out


class Chains:
    """The causal chains of one list of linked findings, indexed once: what a finding leads to, which
    root causes it leads back to. A panel redrawn for 5,000 findings asks both of each of them."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.by_id = {f.id: f for f in findings}
        self.children = consequences(findings)
        self.order = {f.id: n for n, f in enumerate(findings)}
        self._roots: dict[str, frozenset[str]] = {}

    def downstream(self, root: Finding) -> list[Finding]:
        """Everything `root` leads to, directly or through other findings, each once, nearest first."""
        seen = {root.id}
        out: list[Finding] = []
        frontier = [root]
        while frontier:
            following: list[Finding] = []
            for node in frontier:
                for child in self.children.get(node.id, ()):
                    if child.id not in seen:
                        seen.add(child.id)
                        out.append(child)
                        following.append(child)
            frontier = following
        return out

    def root_ids(self, key: str) -> frozenset[str]:
        """The ids of the root causes the finding `key` leads back to (a root cause: itself)."""
        known = self._roots.get(key)
        if known is not None:
            return known
        found: set[str] = set()
        seen: set[str] = set()
        stack = [key]
        while stack:
            node_id = stack.pop()
            node = self.by_id.get(node_id)
            if node is None or node_id in seen:
                continue
            seen.add(node_id)
            if node.is_root:
                found.add(node_id)
            stack.extend(node.caused_by)
        result = frozenset(found)
        self._roots[key] = result
        return result

    def root_causes_of(self, chosen: Iterable[Finding]) -> list[Finding]:
        """The root causes that `chosen` lead back to, in the findings' order."""
        found: set[str] = set()
        for f in chosen:
            found |= self.root_ids(f.id)
        return sorted((self.by_id[k] for k in found), key=lambda f: self.order[f.id])
