"""run_checks: every check's findings, most severe first, a crashing check reported as a finding that names it,
and the same results with a check memo (the TUI) as without (`kftui check`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

from kftui.checks.memo import CheckMemo
from kftui.checks.registry import CHECKS, Check, run_checks
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.profile import Profile, builtin_profile

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PROFILE = builtin_profile("kubeflow")
EMPTY = ClusterSnapshot.from_objects([], now=NOW)


def finding(check: str, severity: Severity, app: str | None, name: str) -> Finding:
    return Finding(check, severity, app, ObjectRef("Pod", "ns", name), f"{name} is broken", "e", "x")


def fixed(*found: Finding) -> Check:
    def run(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
        """Yields a fixed list."""
        yield from found

    return Check(found[0].check if found else "none", run)


def crashing(check_id: str) -> Check:
    def run(snapshot: ClusterSnapshot, profile: Profile) -> Iterable[Finding]:
        """Always fails."""
        raise ValueError(f"no field {check_id!r}")

    return Check(check_id, run)


def test_findings_come_most_severe_first_then_by_app_check_and_subject() -> None:
    """An app-less finding sorts after the named apps of its severity."""
    info = finding("b-check", Severity.INFO, "alpha", "p1")
    loose_error = finding("a-check", Severity.ERROR, None, "p2")
    error_b = finding("z-check", Severity.ERROR, "beta", "p3")
    error_a2 = finding("b-check", Severity.ERROR, "alpha", "p5")
    error_a1 = finding("a-check", Severity.ERROR, "alpha", "p9")
    error_a1_first = finding("a-check", Severity.ERROR, "alpha", "p1")
    warning = finding("a-check", Severity.WARNING, "alpha", "p4")
    checks = [fixed(info, loose_error), fixed(error_b, warning), fixed(error_a2, error_a1, error_a1_first)]
    # (run_checks also links them, which test_causes covers: compared here without the links.)
    assert [replace(f, id="") for f in run_checks(EMPTY, PROFILE, checks)] == [
        error_a1_first,
        error_a1,
        error_a2,
        error_b,
        loose_error,
        warning,
        info,
    ]


def test_a_crashing_check_becomes_a_warning_naming_it_and_the_others_still_run() -> None:
    healthy = finding("other", Severity.ERROR, "app", "p")
    for memo in (None, CheckMemo()):
        found = run_checks(EMPTY, PROFILE, [crashing("broken-check"), fixed(healthy)], memo=memo)
        assert found[0] == replace(healthy, id="other:Pod/ns/p")
        crash = found[1]
        assert crash.check == "broken-check"
        assert crash.severity is Severity.WARNING
        assert crash.app is None
        assert crash.subject == ObjectRef("Check", None, "broken-check")
        assert crash.title == "check broken-check could not run"
        assert crash.evidence == "ValueError: no field 'broken-check'"
        assert crash.explanation.startswith("This is a bug in kftui, not in your cluster")
        assert crash.explanation.endswith("the other checks still ran.")
        assert crash.fixes == ()


def test_a_memo_gives_every_registered_check_the_results_of_a_fresh_run() -> None:
    """Plain checks go through memo.run, pod-failing through its incremental pass; the findings are the same."""
    from tests.unit.fixtures.builders import find, fresh, snapshot

    objects = fresh()
    broken = find(objects, "Pod", "ml-pipeline-5c8d7f9b6-abcde")
    broken["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    snap = snapshot(objects)
    fresh_run = run_checks(snap, PROFILE)
    memo = CheckMemo()
    assert run_checks(snap, PROFILE, memo=memo) == fresh_run
    assert run_checks(snap, PROFILE, memo=memo) == fresh_run
    assert any(f.check == "pod-failing" for f in fresh_run)


def test_the_incremental_pass_of_a_check_is_used_with_a_memo_only() -> None:
    calls: list[str] = []

    def plain(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
        """Plain."""
        calls.append("plain")
        yield finding("inc", Severity.INFO, None, "plain")

    def incremental(
        snapshot: ClusterSnapshot, profile: Profile, last: object
    ) -> tuple[list[Finding], object]:
        calls.append(f"incremental after {last}")
        return [finding("inc", Severity.INFO, None, "incremental")], f"pass at {snapshot.now:%d}"

    check = Check("inc", plain, incremental)
    assert [f.subject.name for f in run_checks(EMPTY, PROFILE, [check])] == ["plain"]
    memo = CheckMemo()
    assert [f.subject.name for f in run_checks(EMPTY, PROFILE, [check], memo=memo)] == ["incremental"]
    later = ClusterSnapshot.from_objects([], now=datetime(2026, 1, 2, tzinfo=UTC))
    run_checks(later, PROFILE, [check], memo=memo)
    assert calls == ["plain", "incremental after None", "incremental after pass at 01"]


def test_pod_failing_is_the_registered_check_with_an_incremental_pass() -> None:
    """The TUI re-diagnoses only changed pods because pod-failing continues from its last pass."""
    assert [c.id for c in CHECKS if c.incremental is not None] == ["pod-failing"]


def test_each_check_keeps_its_own_entry_in_the_memo() -> None:
    """Checks that read the same (or no) snapshot fields must not be handed each other's findings."""

    def incremental(name: str) -> Check:
        def plain(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
            """Plain."""
            yield finding(name, Severity.INFO, None, name)

        def continued(
            snapshot: ClusterSnapshot, profile: Profile, last: object
        ) -> tuple[list[Finding], object]:
            return [finding(name, Severity.INFO, None, name)], None

        return Check(name, plain, continued)

    plain_checks = [
        fixed(finding("first", Severity.INFO, None, "a")),
        fixed(finding("second", Severity.INFO, None, "b")),
    ]
    incremental_checks = [incremental("third"), incremental("fourth")]
    memo = CheckMemo()
    for _ in range(2):
        found = run_checks(EMPTY, PROFILE, [*plain_checks, *incremental_checks], memo=memo)
        assert sorted(f.check for f in found) == ["first", "fourth", "second", "third"]
