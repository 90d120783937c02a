"""What kftui could not see, and the one verdict every surface states: never "no problems" about the unseen.

The checks can only speak about what was listed. A kind the credentials may not list, or that the API
server does not serve, is noted on the snapshot (`forbidden`); the Argo CD Applications are the one kind
without which there is no diagnosis at all. The TUI's summary, `kftui check`'s text, JSON and JUnit
reports and its exit code all take their verdict from `verdict()`, so no surface can say "clean" while
another says "blind".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kftui.model import ClusterSnapshot, Finding, Severity
from kftui.wording import plural

APPLICATION_KINDS = ("Application", "applications")
"""How a snapshot names the Applications in `forbidden`: by kind (live), by collection (older dumps)."""


class Coverage(enum.Enum):
    """How much of the picture the findings speak for."""

    BLIND = "blind"
    """The Applications could not be listed: no diagnosis is possible."""
    PARTIAL = "partial"
    """The Applications were listed, some other kinds were not."""
    COMPLETE = "complete"
    """Every list succeeded."""


@dataclass(frozen=True)
class Verdict:
    """The headline of a run: one line, plus what was not seen (kind -> the API server's reason)."""

    coverage: Coverage
    headline: str
    unseen: Mapping[str, str]
    counts: Mapping[str, int]

    @property
    def clean(self) -> bool:
        """True only for "no problems": everything listed, something checked, nothing found."""
        return self.coverage is Coverage.COMPLETE and not any(self.counts.values())


def applications_unseen(snapshot: ClusterSnapshot) -> str | None:
    """Why the Applications could not be listed, or None when they were."""
    for key in APPLICATION_KINDS:
        reason = snapshot.forbidden.get(key)
        if reason is not None:
            return reason
    return None


def count(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity, every severity present (0 when none)."""
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


def verdict(findings: Iterable[Finding], snapshot: ClusterSnapshot) -> Verdict:
    """The verdict on a snapshot's findings, which leads with what could not be seen."""
    counts = count(findings)
    unseen = dict(sorted(snapshot.forbidden.items()))
    tally = ", ".join(
        (
            plural(counts["error"], "error"),
            plural(counts["warning"], "warning"),
            plural(counts["info"], "info", "info"),
        )
    )
    blind = applications_unseen(snapshot)
    if blind is not None:
        return Verdict(
            Coverage.BLIND,
            f"Cannot list the Argo CD Applications in namespace {snapshot.argocd_namespace} ({blind}): "
            "the install was not diagnosed",
            unseen,
            counts,
        )
    not_seen = f"not seen: {', '.join(unseen)}" if unseen else ""
    if any(counts.values()):
        return Verdict(
            Coverage.PARTIAL if unseen else Coverage.COMPLETE,
            tally + (f"; {not_seen}" if not_seen else ""),
            unseen,
            counts,
        )
    if unseen:
        return Verdict(Coverage.PARTIAL, f"No problems in what kftui could see; {not_seen}", unseen, counts)
    return Verdict(
        Coverage.COMPLETE,
        f"{tally}: no problems found; every list succeeded and every check passed",
        {},
        counts,
    )
