"""The verdict every surface states (TUI summary, `kftui check` text, JSON, JUnit, exit code): its coverage,
its headline's tally and what it says was not seen, and when it may call an install clean."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks.coverage import Coverage, applications_unseen, count, verdict
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def snap(forbidden: dict[str, str] | None = None, argocd_namespace: str = "argocd") -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(
        [], now=NOW, forbidden=forbidden or {}, argocd_namespace=argocd_namespace
    )


def finding(severity: Severity) -> Finding:
    return Finding("c", severity, None, ObjectRef("Pod", "ns", "p"), "t", "e", "x")


def findings(errors: int = 0, warnings: int = 0, infos: int = 0) -> list[Finding]:
    return (
        [finding(Severity.ERROR)] * errors
        + [finding(Severity.WARNING)] * warnings
        + [finding(Severity.INFO)] * infos
    )


def test_findings_are_counted_per_severity_with_every_severity_present() -> None:
    assert count([]) == {"error": 0, "warning": 0, "info": 0}
    assert count(findings(errors=2, infos=1)) == {"error": 2, "warning": 0, "info": 1}


@pytest.mark.parametrize(
    ("errors", "warnings", "infos", "tally"),
    [
        (1, 0, 0, "1 error, 0 warnings, 0 info"),
        (2, 1, 0, "2 errors, 1 warning, 0 info"),
        (0, 0, 3, "0 errors, 0 warnings, 3 info"),
    ],
)
def test_the_headline_tallies_findings_in_words(errors: int, warnings: int, infos: int, tally: str) -> None:
    """One error/warning is singular, other counts plural; info never takes an s."""
    seen = verdict(findings(errors, warnings, infos), snap())
    assert seen.headline == tally
    assert seen.coverage is Coverage.COMPLETE
    assert not seen.clean
    assert seen.unseen == {}
    assert seen.counts == {"error": errors, "warning": warnings, "info": infos}


def test_findings_with_kinds_unseen_are_partial_and_name_the_unseen_kinds_sorted() -> None:
    seen = verdict(findings(warnings=1), snap({"Service": "forbidden", "Pod": "not served"}))
    assert seen.coverage is Coverage.PARTIAL
    assert seen.headline == "0 errors, 1 warning, 0 info; not seen: Pod, Service"
    assert list(seen.unseen) == ["Pod", "Service"]
    assert seen.unseen["Pod"] == "not served"
    assert not seen.clean


def test_no_findings_with_kinds_unseen_is_not_clean() -> None:
    seen = verdict([], snap({"Pod": "forbidden", "Event": "forbidden"}))
    assert seen.coverage is Coverage.PARTIAL
    assert seen.headline == "No problems in what kftui could see; not seen: Event, Pod"
    assert dict(seen.unseen) == {"Event": "forbidden", "Pod": "forbidden"}
    assert seen.counts == {"error": 0, "warning": 0, "info": 0}
    assert not seen.clean


def test_only_everything_listed_and_nothing_found_is_clean() -> None:
    seen = verdict([], snap())
    assert seen.coverage is Coverage.COMPLETE
    assert (
        seen.headline
        == "0 errors, 0 warnings, 0 info: no problems found; every list succeeded and every check passed"
    )
    assert seen.unseen == {}
    assert seen.counts == {"error": 0, "warning": 0, "info": 0}
    assert seen.clean


@pytest.mark.parametrize("key", ["Application", "applications"])
def test_applications_not_listed_make_the_run_blind_whatever_was_found(key: str) -> None:
    """By kind (live source) or by collection (older dumps); the headline names the namespace and the reason."""
    snapshot = snap({key: "forbidden: cannot list", "Pod": "forbidden"}, argocd_namespace="gitops")
    assert applications_unseen(snapshot) == "forbidden: cannot list"
    for found in ([], findings(errors=1)):
        seen = verdict(found, snapshot)
        assert seen.coverage is Coverage.BLIND
        assert seen.headline == (
            "Cannot list the Argo CD Applications in namespace gitops (forbidden: cannot list): "
            "the install was not diagnosed"
        )
        assert list(seen.unseen) == sorted([key, "Pod"])
        assert seen.counts["error"] == len(found)
        assert not seen.clean


def test_applications_unseen_is_none_when_they_were_listed_and_reads_an_empty_reason() -> None:
    assert applications_unseen(snap({"Pod": "forbidden"})) is None
    assert applications_unseen(snap({"applications": ""})) == ""
    assert applications_unseen(snap({"Application": "by kind", "applications": "by collection"})) == "by kind"


def test_coverage_values_are_the_words_reports_print() -> None:
    """JSON reports and the JUnit case carry these values."""
    assert [c.value for c in Coverage] == ["blind", "partial", "complete"]
