"""The cron subset of Argo CD's sync windows (robfig/cron's standard parser) and Go's durations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kftui.cronspec import Cron, CronError, next_fire, parse, parse_duration


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("schedule", "after", "fires"),
    [
        ("0 22 * * *", "2026-11-20T21:59:30", "2026-11-20T22:00"),
        ("0 22 * * *", "2026-11-20T22:00:00", "2026-11-21T22:00"),  # strictly after
        ("*/15 * * * *", "2026-11-20T03:12:00", "2026-11-20T03:15"),
        ("5/20 * * * *", "2026-11-20T03:30:00", "2026-11-20T03:45"),  # 5-59/20: 5, 25, 45
        ("0 9-17/4 * * *", "2026-11-20T10:00:00", "2026-11-20T13:00"),  # 9, 13, 17
        ("30 1,23 * * *", "2026-11-20T02:00:00", "2026-11-20T23:30"),
        ("0 0 1 * *", "2026-11-20T00:00:00", "2026-12-01T00:00"),  # across the month
        ("0 0 1 JAN *", "2026-11-20T00:00:00", "2027-01-01T00:00"),  # across the year, by name
        ("0 8 * * MON-FRI", "2026-11-20T09:00:00", "2026-11-23T08:00"),  # Friday 20th -> Monday 23rd
        ("0 8 * * 0", "2026-11-20T09:00:00", "2026-11-22T08:00"),  # 0 is Sunday
        # Both day fields restricted: either matches (the 1st, or any Sunday); one a star: both must.
        ("0 0 1 * 0", "2026-11-20T00:00:00", "2026-11-22T00:00"),
        ("0 0 * 12 0", "2026-11-20T00:00:00", "2026-12-06T00:00"),
        ("0 0 */2 * 0", "2026-11-20T00:00:00", "2026-11-21T00:00"),  # */2 is no star: 21st is odd
        ("0 22 * * *", "2026-11-20T21:59:30.250000", "2026-11-20T22:00"),  # whole minutes, no microseconds
        ("*/1 * * * *", "2026-11-20T03:12:00", "2026-11-20T03:13"),
        ("5-5 * * * *", "2026-11-20T03:12:00", "2026-11-20T04:05"),  # a range of one value
        ("0 0 ? * MON", "2026-11-20T09:00:00", "2026-11-23T00:00"),  # ? is a star (day fields)
        # robfig/cron searches to the end of the year five years on: the leap day of 2104 from 2099 ...
        ("0 0 29 2 *", "2099-03-01T00:00:00", "2104-02-29T00:00"),
    ],
)
def test_next_fire(schedule: str, after: str, fires: str) -> None:
    assert next_fire(parse(schedule), at(after)) == at(fires)


def test_a_schedule_that_never_fires_gives_up() -> None:
    assert next_fire(parse("0 0 30 2 *"), at("2026-11-20T00:00")) is None
    # ... but not from 2096 (2100 is no leap year): 2104 is past 2101.
    assert next_fire(parse("0 0 29 2 *"), at("2096-03-01T00:00")) is None


@pytest.mark.parametrize(
    "schedule",
    [
        "0 22 * *",
        "60 * * * *",
        "* 24 * * *",
        "0 0 0 * *",
        "* * * 13 *",
        "* * * * 7",
        "5-1 * * * *",
        "x * * * *",
        "@daily",
        "*/0 * * * *",
        "0 0 32 * *",
    ],
)
def test_what_argo_cd_refuses_is_an_error(schedule: str) -> None:
    with pytest.raises(CronError):
        parse(schedule)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("0 22 * *", "expected 5 fields (minute hour day month weekday), found 4: '0 22 * *'"),
        ("5-1 * * * *", "range '5-1' runs backwards"),
        ("1-2-3 * * * *", "not a number: '2-3'"),
        ("60 * * * *", "60 is outside 0-59"),
    ],
)
def test_what_is_wrong_is_named(schedule: str, message: str) -> None:
    """The message a sync-window finding quotes when Argo CD cannot parse the schedule."""
    with pytest.raises(CronError) as refused:
        parse(schedule)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600), ("30m", 1800), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("0", 0), ("500ms", 0.5)],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "1", "1d", "h", "1h 30m"])
def test_durations_go_refuses(text: str) -> None:
    with pytest.raises(CronError):
        parse_duration(text)


def test_a_schedule_parses_to_the_values_of_each_field() -> None:
    assert parse("0,30 9-17/4 1 JAN-MAR MON") == Cron(
        minutes=frozenset({0, 30}),
        hours=frozenset({9, 13, 17}),
        days=frozenset({1}),
        months=frozenset({1, 2, 3}),
        weekdays=frozenset({1}),
        any_day=False,  # both day fields restricted: either one is enough
    )
    assert parse("0 0 * * *").any_day is True
