"""Findings: what a check concluded, how severe it is, and the fixes it offers."""

from __future__ import annotations

import enum
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
        return {"error": 0, "warning": 1, "info": 2}[self.value]


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
    """One diagnosis: what is wrong, where, the evidence that says so, and how to fix it."""

    check: str
    severity: Severity
    app: str | None
    subject: ObjectRef
    title: str
    evidence: str
    explanation: str
    fixes: tuple[FixRef, ...] = ()

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.severity.rank, self.app or "~", self.check, str(self.subject))
