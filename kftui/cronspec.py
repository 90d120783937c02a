"""A 5-field cron evaluator (the subset Argo CD's sync windows use) and Go's duration spelling; pure, no clock.

Argo CD parses a sync window's schedule with robfig/cron's standard parser (minute hour day-of-month month
day-of-week): numbers, `*` (or `?`), lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (from a to the
field's end), and the names JAN-DEC / SUN-SAT. As in robfig/cron, when the day-of-month or the day-of-week is a
bare `*` a day must match both; when both are restricted, either one is enough (Vixie cron's rule).
Times are naive wall-clock datetimes: the caller puts them in the window's time zone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
SEARCH_YEARS = 5
"""robfig/cron gives up on a schedule that has not fired by the end of the year five years on (`0 0 30 2 *`
never fires); so does `next_fire`."""


class CronError(ValueError):
    """A schedule or duration Argo CD would refuse too ("cannot parse schedule ...")."""


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed schedule: the allowed values of each field, and whether the day fields were a bare `*`."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    """Day-of-month or day-of-week was `*`/`?`: a day must then match both fields (else either)."""

    def day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.isoweekday() % 7) in self.weekdays  # cron counts Sunday as 0
        return (dom and dow) if self.any_day else (dom or dow)


def _value(text: str, low: int, high: int, names: dict[str, int]) -> int:
    value = names.get(text.upper())
    if value is None:
        if not text.isdigit():
            raise CronError(f"not a number: {text!r}")
        value = int(text)
    if not low <= value <= high:
        raise CronError(f"{value} is outside {low}-{high}")
    return value


def _field(
    text: str, low: int, high: int, names: dict[str, int] | None = None
) -> tuple[frozenset[int], bool]:
    """The values one field allows, and whether it was a bare star (`*` or `?`, no step)."""
    values: set[int] = set()
    star = False
    for part in text.split(","):
        spec, _, step_text = part.partition("/")
        step = _value(step_text, 1, high, {}) if step_text else 1
        if spec in ("*", "?"):
            start, end = low, high
            star = star or step == 1
        elif "-" in spec:
            first, _, last = spec.partition("-")
            start, end = _value(first, low, high, names or {}), _value(last, low, high, names or {})
            if start > end:
                raise CronError(f"range {spec!r} runs backwards")
        else:
            start = _value(spec, low, high, names or {})
            end = high if step_text else start  # `5/15` means 5-max/15
        values.update(range(start, end + 1, step))
    return frozenset(values), star


def parse(schedule: str) -> Cron:
    """A 5-field schedule; CronError names what is wrong."""
    fields = schedule.split()
    if len(fields) != 5:
        raise CronError(
            f"expected 5 fields (minute hour day month weekday), found {len(fields)}: {schedule!r}"
        )
    minutes, _ = _field(fields[0], 0, 59)
    hours, _ = _field(fields[1], 0, 23)
    days, any_dom = _field(fields[2], 1, 31)
    months, _ = _field(fields[3], 1, 12, MONTHS)
    weekdays, any_dow = _field(fields[4], 0, 6, DAYS)
    return Cron(minutes, hours, days, months, weekdays, any_dom or any_dow)


def next_fire(cron: Cron, after: datetime) -> datetime | None:
    """The first time the schedule fires strictly after `after` (whole minutes); None when that is past the
    end of the year SEARCH_YEARS after `after`'s (robfig/cron's `yearLimit`)."""
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = start  # only its date is read: the time is set on return
    hours, minutes = sorted(cron.hours), sorted(cron.minutes)
    while day.year <= after.year + SEARCH_YEARS:
        if cron.day_matches(day):
            first_day = day.date() == start.date()
            for hour in hours[bisect_left(hours, start.hour) :] if first_day else hours:
                same_hour = first_day and hour == start.hour
                left = minutes[bisect_left(minutes, start.minute) :] if same_hour else minutes
                if left:
                    return day.replace(hour=hour, minute=left[0])
        day += timedelta(days=1)
    return None


_GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> timedelta:
    """Go's time.ParseDuration: `1h`, `30m`, `1h30m`, `90s`, `1.5h` (a unit is required, except for `0`)."""
    spec = text.strip()
    if spec == "0":
        return timedelta(0)
    pos, seconds = 0, 0.0
    while pos < len(spec):
        match = _GO_DURATION.match(spec, pos)
        if match is None:
            raise CronError(f"not a duration: {text!r} (examples: 1h, 30m, 1h30m)")
        seconds += float(match.group(1)) * _GO_UNITS[match.group(2)]
        pos = match.end()
    if not spec:
        raise CronError("empty duration")
    return timedelta(seconds=seconds)
