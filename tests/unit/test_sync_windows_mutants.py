"""sync-window at its edges: several windows at once (which change opens the sync, every note and window
listed), a window that never opens or never fires, the second after a change, the machine's own time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from zoneinfo import ZoneInfoNotFoundError

import pytest

from kftui.checks import sync_windows
from kftui.checks.sync_windows import Verdict, sync_denied, sync_window, verdict
from kftui.model import ObjectRef, Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import find, fresh, snapshot
from tests.unit.test_sync_window_rules import APP, Raw, findings, project, utc, window

NOW = utc("2026-11-20T03:12")
KUBEFLOW = builtin_profile("kubeflow")


def denied(*windows: Raw) -> str | None:
    return sync_denied(snapshot([*fresh(), project(*windows)], now=NOW), APP)


def test_two_overlapping_denies_open_when_the_last_one_ends_not_when_the_second_starts() -> None:
    """22:00 for 8h ends at 06:00; 05:00 for 2h starts inside it and ends at 07:00: the sync opens at 07:00."""
    both = [window("deny", "0 22 * * *", "8h"), window("deny", "0 5 * * *", "2h")]
    [finding] = findings(*both, now=NOW)
    assert (
        finding.title == f"Sync window of project default denies syncing {APP} now (opens 2026-11-20 07:00Z)"
    )
    early = [window("deny", "0 22 * * *", "8h"), window("deny", "30 3 * * *", "1h")]
    assert denied(*early) == (
        f'Sync window of project default denies syncing {APP} now: deny window #0 ("0 22 * * *" for 8h); '
        "until 2026-11-20 06:00Z"
    )
    both_active = [window("deny", "0 22 * * *", "8h"), window("deny", "0 3 * * *", "4h")]
    assert denied(*both_active) == (
        f'Sync window of project default denies syncing {APP} now: deny window #0 ("0 22 * * *" for 8h); '
        'deny window #1 ("0 3 * * *" for 4h); until 2026-11-20 07:00Z'
    )


def test_a_deny_that_never_ends_within_the_lookahead_says_no_opening_was_found() -> None:
    """Starts every minute and lasts an hour: always active; the title has no (opens ...), the reason says so."""
    forever = window("deny", "* * * * *", "1h")
    [finding] = findings(forever, now=NOW)
    assert finding.title == f"Sync window of project default denies syncing {APP} now"
    assert denied(forever) == (
        f'Sync window of project default denies syncing {APP} now: deny window #0 ("* * * * *" for 1h); '
        "until no opening found ahead"
    )


def test_an_allow_window_that_never_fires_denies_with_no_opening_ahead() -> None:
    """February 30th never comes (robfig/cron gives up after five years): denied, and never opens."""
    never = window("allow", "0 0 30 2 *", "1h")
    assert denied(never) == (
        f'No allow window of project default is open for {APP}: allow window #0 ("0 0 30 2 *" for 1h); '
        "next opens no opening found ahead"
    )


def test_a_two_second_allow_window_opens_at_its_start() -> None:
    """Open intervals: a second after 04:00 the window is open (a second later again it has closed)."""
    [finding] = findings(window("allow", "0 4 * * *", "2s"), now=NOW)
    assert finding.title == f"No allow window of project default is open for {APP} (opens 2026-11-20 04:00Z)"


def test_every_time_zone_note_is_its_own_evidence_line_and_the_zone_is_named() -> None:
    mars = window("deny", "0 3 * * *", "1h", timeZone="Mars/Olympus")
    venus = window("deny", "0 3 * * *", "1h", timeZone="Venus/Maxwell")
    [finding] = findings(mars, venus, now=NOW)
    assert finding.evidence == (
        'AppProject default spec.syncWindows: deny window #0 ("0 3 * * *" for 1h, Mars/Olympus) active, '
        'deny window #1 ("0 3 * * *" for 1h, Venus/Maxwell) active\n'
        "now 2026-11-20 03:12Z\n"
        "timeZone 'Mars/Olympus' is unknown: Argo CD uses UTC\n"
        "timeZone 'Venus/Maxwell' is unknown: Argo CD uses UTC"
    )


def test_a_window_without_a_kind_is_listed_with_a_question_mark() -> None:
    """Argo CD applies a window of no kind neither way; kftui still lists it, as `?`."""
    odd = {"schedule": "0 3 * * *", "duration": "1h", "applications": [APP]}
    [finding] = findings(window("deny", "0 22 * * *", "8h"), odd, now=NOW)
    assert 'deny window #0 ("0 22 * * *" for 8h) active, ? window #1 ("0 3 * * *" for 1h) active' in (
        finding.evidence
    )


def test_a_schedule_that_is_not_a_number_is_named_in_the_reason() -> None:
    assert denied(window("deny", "x 3 * * *", "1h")) == (
        f"Sync windows of project default cannot be evaluated: Argo CD refuses every sync of {APP} "
        "(not a number: 'x')"
    )


def test_one_allow_window_open_allows_though_another_is_closed() -> None:
    assert findings(window("allow", "0 3 * * *", "1h"), window("allow", "0 9 * * *", "1h"), now=NOW) == []


def test_an_active_window_of_no_kind_opens_nothing_while_an_allow_window_is_closed() -> None:
    odd = {"schedule": "0 3 * * *", "duration": "1h", "applications": [APP]}
    [finding] = findings(odd, window("allow", "0 9 * * *", "1h"), now=NOW)
    assert finding.title == f"No allow window of project default is open for {APP} (opens 2026-11-20 09:00Z)"


@pytest.mark.parametrize(
    ("duration", "why"),
    [("1d", "not a duration: '1d' (examples: 1h, 30m, 1h30m)"), ("", "empty duration")],
)
def test_a_duration_go_refuses_is_named_in_the_reason(duration: str, why: str) -> None:
    assert denied(window("deny", "0 3 * * *", duration)) == (
        f"Sync windows of project default cannot be evaluated: Argo CD refuses every sync of {APP} ({why})"
    )


@pytest.fixture
def berlin_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine kftui runs on is in Europe/Berlin (TZ), as a laptop in Berlin is."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("berlin_machine")
def test_when_a_window_opens_does_not_depend_on_the_machines_time_zone() -> None:
    assert time.localtime(0).tm_hour == 1  # (the fixture took effect: Berlin is UTC+1 in winter)
    [finding] = findings(window("deny", "0 22 * * *", "8h"), now=NOW)
    assert (
        finding.title == f"Sync window of project default denies syncing {APP} now (opens 2026-11-20 06:00Z)"
    )
    # 21:30 UTC is 22:30 in Berlin, but the window is in UTC: it has not started.
    assert findings(window("deny", "0 22 * * *", "8h"), now=utc("2026-11-20T21:30")) == []


def test_a_plain_deny_windows_evidence_has_no_empty_line() -> None:
    [finding] = findings(window("deny", "0 22 * * *", "8h"), now=NOW)
    assert finding.evidence == (
        'AppProject default spec.syncWindows: deny window #0 ("0 22 * * *" for 8h) active\nnow 2026-11-20 03:12Z'
    )


def _verdict(*windows: Raw, automated: bool = False) -> Verdict | None:
    objects = [*fresh(), project(*windows)]
    if automated:
        find(objects, "Application", APP)["spec"]["syncPolicy"]["automated"] = {}
    snap = snapshot(objects, now=NOW)
    return verdict(snap.projects[("argocd", "default")], snap.applications[("argocd", APP)], NOW)


def test_a_window_argo_cd_cannot_parse_refuses_automated_syncs_too_and_names_no_opening() -> None:
    found = _verdict(window("deny", "0 25 * * *", "1h"))
    assert found is not None
    assert (found.manual, found.automated, found.opens, found.problem) == (
        False,
        False,
        None,
        "25 is outside 0-23",
    )


def test_a_manual_sync_window_allows_manual_syncs_now_so_no_opening_is_looked_for() -> None:
    found = _verdict(window("deny", "0 22 * * *", "8h", manualSync=True))
    assert found is not None
    assert (found.manual, found.automated, found.opens) == (True, False, None)


def test_an_automated_app_inside_an_open_allow_window_is_not_held() -> None:
    found = _verdict(window("allow", "0 3 * * *", "1h"), automated=True)
    assert found is not None and (found.manual, found.automated) == (True, True)
    assert findings(window("allow", "0 3 * * *", "1h"), now=NOW, automated=True) == []


def test_an_unknown_time_zone_is_utc_to_the_day_not_a_day_off() -> None:
    """A weekly window (Fridays 03:00 for 1h; 2026-11-20 is a Friday) in an unknown zone is active now."""
    [finding] = findings(window("deny", "0 3 * * FRI", "1h", timeZone="Mars/Olympus"), now=NOW)
    assert finding.title.endswith("(opens 2026-11-20 04:00Z)")


def test_a_zone_at_utc_in_winter_places_the_window_as_utc_without_a_note() -> None:
    [finding] = findings(window("deny", "0 3 * * FRI", "1h", timeZone="Europe/London"), now=NOW)
    assert finding.evidence == (
        'AppProject default spec.syncWindows: deny window #0 ("0 3 * * FRI" for 1h, Europe/London) active\n'
        "now 2026-11-20 03:12Z"
    )


def test_utc_needs_no_time_zone_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """A slim container may have no tz database: a window in UTC still works and gets no note."""

    def missing(key: str) -> None:
        raise ZoneInfoNotFoundError(f"No time zone found with key {key}")

    monkeypatch.setattr(sync_windows, "ZoneInfo", missing)
    [finding] = findings(window("deny", "0 3 * * *", "1h", timeZone="UTC"), now=NOW)
    assert "unknown" not in finding.evidence and finding.title.endswith("(opens 2026-11-20 04:00Z)")


def test_appprojects_forbidden_by_collection_name_are_reported_in_full() -> None:
    """An older dump names what it could not list by collection (`projects`): the same finding, in full."""
    snap = snapshot(fresh(), now=NOW)
    for forbidden, evidence in (
        ({"projects": "forbidden: projects (x)"}, "forbidden: projects (x)"),
        ({"projects": ""}, ""),
        ({"AppProject": ""}, ""),
    ):
        [finding] = sync_window(replace(snap, forbidden=forbidden), KUBEFLOW)
        assert (finding.check, finding.severity, finding.app) == ("sync-window", Severity.INFO, None)
        assert finding.subject == ObjectRef("AppProject", "argocd", "*")
        assert finding.title == "Sync windows not checked: the AppProjects could not be listed"
        assert finding.evidence == evidence
        assert finding.explanation == (
            "Whether a project's sync window denies syncing now is unknown, not clear: a sync may still be "
            "refused or held by one. Grant list/watch on appprojects.argoproj.io in argocd to check them."
        )
