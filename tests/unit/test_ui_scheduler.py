"""The analysis scheduler, driven by a clock and timers of our own: no Textual, no waiting on the wall clock.

`Loop` plays the app's part (arm the timer the scheduler asks for, apply a batch when it fires, start and
finish analyses) with time that only moves when a test says so.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from kftui.ui.scheduler import MIN_ANALYSIS_INTERVAL, AnalysisScheduler, Next

Snapshot = tuple[int, ...]  # the changes applied so far, in order: a new tuple per batch, like apply_events


class Loop:
    """The app's glue around the scheduler, with a fake monotonic clock and one flush timer."""

    def __init__(self, analysis_seconds: float = 0.0) -> None:
        self.now = 1000.0
        self.scheduler: AnalysisScheduler[int, Snapshot] = AnalysisScheduler(lambda: self.now)
        self.snapshot: Snapshot = ()
        self.timer_due: float | None = None
        self.batches: list[list[int]] = []
        self.started: list[tuple[float, Snapshot]] = []
        self.shown: list[Snapshot] = []
        self.running: Snapshot | None = None
        self.analysis_seconds = analysis_seconds
        self.analysis_ends: float | None = None
        self.set_snapshot(())

    def arm(self, delay: float | None) -> None:
        if delay is not None:
            assert self.timer_due is None, "the scheduler armed a second timer"
            self.timer_due = self.now + delay

    def arrive(self, *changes: int) -> None:
        self.arm(self.scheduler.changes_arrived(changes))

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.start(self.scheduler.snapshot_changed(snapshot))

    def start(self, snapshot: Snapshot | None) -> None:
        if snapshot is not None:
            assert self.running is None, "two analyses at once"
            self.running = snapshot
            self.started.append((self.now, snapshot))
            self.analysis_ends = self.now + self.analysis_seconds

    def finish(self) -> None:
        assert self.running is not None
        done, self.running, self.analysis_ends = self.running, None, None
        self.shown.append(done)
        step = self.scheduler.analysis_done(done)
        self.arm(step.flush_in)
        self.start(step.analyse)

    def advance(self, seconds: float) -> None:
        """Let time pass, firing the timer and finishing analyses in the order they fall due."""
        until = self.now + seconds
        while True:
            due = [t for t in (self.timer_due, self.analysis_ends) if t is not None and t <= until]
            if not due:
                break
            self.now = min(due)
            if self.analysis_ends is not None and self.analysis_ends <= self.now:
                self.finish()
            elif self.timer_due is not None and self.timer_due <= self.now:
                self.timer_due = None
                batch = self.scheduler.take_changes()
                if batch:
                    self.batches.append(batch)
                    self.set_snapshot(self.snapshot + tuple(batch))
        self.now = until


def test_a_burst_becomes_one_batch_in_arrival_order() -> None:
    loop = Loop()
    loop.finish()  # the first snapshot is on screen
    loop.advance(1.0)
    for i in range(1000):
        loop.arrive(i)
    assert loop.timer_due == pytest.approx(loop.now + loop.scheduler.coalesce)
    loop.advance(1.0)
    assert loop.batches == [list(range(1000))]
    assert loop.shown[-1] == tuple(range(1000))


def test_changes_during_an_analysis_wait_for_it_and_then_go_together() -> None:
    loop = Loop(analysis_seconds=0.3)
    loop.advance(1.0)
    loop.arrive(1)
    loop.advance(0.01)  # batch [1] applied, its analysis running
    assert loop.running == (1,)
    loop.arrive(2)
    loop.arrive(3)
    assert loop.timer_due is None, "no flush while an analysis runs"
    loop.advance(0.2)
    assert loop.batches == [[1]], "queued, not applied, until the analysis ends"
    loop.advance(1.0)
    assert loop.batches == [[1], [2, 3]]
    assert loop.shown[-1] == (1, 2, 3)


def test_no_analysis_starts_sooner_than_the_interval_after_the_last_one() -> None:
    loop = Loop(analysis_seconds=0.02)
    loop.advance(1.0)  # first analysis done long ago: the next change waits only the coalescing delay
    loop.arrive(1)
    assert loop.timer_due == pytest.approx(loop.now + loop.scheduler.coalesce)
    loop.advance(0.03)
    started_at = loop.started[-1][0]
    loop.arrive(2)  # just after that analysis ended
    assert loop.timer_due == pytest.approx(started_at + MIN_ANALYSIS_INTERVAL)


def test_a_steady_stream_is_analysed_at_most_once_per_interval_and_all_of_it_shown() -> None:
    """100 changes a second for half a second, each analysis taking 5 ms: without the interval every change
    got an analysis of its own (50)."""
    loop = Loop(analysis_seconds=0.005)
    loop.advance(1.0)
    begin = loop.now
    for i in range(50):
        loop.arrive(i)
        loop.advance(0.01)
    loop.advance(1.0)
    starts = [t for t, _ in loop.started if t >= begin]
    assert len(starts) <= 0.5 / MIN_ANALYSIS_INTERVAL + 2, starts
    assert all(b - a >= MIN_ANALYSIS_INTERVAL - 1e-9 for a, b in itertools.pairwise(starts))
    assert loop.shown[-1] == tuple(range(50))
    assert sum(len(b) for b in loop.batches) == 50


def test_the_latest_snapshot_wins() -> None:
    loop = Loop()
    first = loop.running
    loop.set_snapshot((1,))
    loop.set_snapshot((1, 2))
    loop.set_snapshot((1, 2, 3))
    assert loop.running is first, "one analysis at a time"
    loop.finish()
    assert loop.running == (1, 2, 3), "the newest, not the one that came next"
    loop.finish()
    assert loop.shown == [(), (1, 2, 3)]


def test_an_analysed_snapshot_is_not_analysed_again() -> None:
    scheduler: AnalysisScheduler[int, Snapshot] = AnalysisScheduler(lambda: 0.0)
    snapshot: Snapshot = (1,)
    assert scheduler.snapshot_changed(snapshot) is snapshot
    assert scheduler.analysis_done(snapshot) == Next()
    assert scheduler.snapshot_changed(snapshot) is None
    assert scheduler.analysing is None
    other: Snapshot = (1, 2)
    assert scheduler.snapshot_changed(other) is other


def test_a_failed_analysis_does_not_block_the_next() -> None:
    scheduler: AnalysisScheduler[int, Snapshot] = AnalysisScheduler(lambda: 0.0)
    assert scheduler.snapshot_changed((1,)) == (1,)
    assert scheduler.snapshot_changed((2,)) is None
    scheduler.analysis_failed()
    assert scheduler.analysing is None
    assert scheduler.snapshot_changed((3,)) == (3,)


def test_queued_changes_go_before_a_newer_snapshot_when_an_analysis_ends() -> None:
    """Applying the queued changes makes the newest snapshot anyway: analysing the one in between first
    would be wasted."""
    scheduler: AnalysisScheduler[int, Snapshot] = AnalysisScheduler(lambda: 0.0)
    scheduler.snapshot_changed((1,))
    scheduler.snapshot_changed((2,))
    assert scheduler.changes_arrived([7]) is None
    step = scheduler.analysis_done((1,))
    assert step.analyse is None and step.flush_in == MIN_ANALYSIS_INTERVAL
    assert scheduler.pending == (7,)
    assert scheduler.take_changes() == [7] and scheduler.pending == ()


def test_only_one_flush_timer_is_armed_at_a_time() -> None:
    scheduler: AnalysisScheduler[int, Snapshot] = AnalysisScheduler(lambda: 0.0)
    assert scheduler.changes_arrived([1]) is not None
    assert scheduler.changes_arrived([2]) is None
    assert scheduler.take_changes() == [1, 2]
    assert scheduler.changes_arrived([3]) is not None


def test_the_scheduler_loads_without_textual() -> None:
    code = (
        "import sys, kftui.ui.scheduler\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
