"""OrderedSync step by step: what each step shows while it runs, and the reason shown when a run stops.

Over the in-memory Argo CD of tests/fix_fakes.py; the step callbacks are what the ordered-sync screen shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kftui.cluster.ops import ActionError, SyncRequest
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.ordered import (
    CANCELLED,
    DONE,
    FAILED,
    PENDING,
    SETTLING,
    SYNCING,
    WAITING,
    OrderedResult,
    OrderedSync,
    StepStatus,
)
from kftui.fixes.run import FixRunner
from kftui.model import Application
from tests.fix_fakes import FakeArgo, StaleArgo, SteppingClock

CHAIN = ("base", "middle", "top")


def setup(tmp_path: Path, **per_app: dict[str, object]) -> tuple[FakeArgo, FixRunner, AuditLog]:
    argo = FakeArgo()
    for name in CHAIN:
        argo.add(name, **per_app.get(name, {}))
    audit = AuditLog(tmp_path / "audit.jsonl", user="t")
    return argo, FixRunner(Gate(False, audit, "lab"), argo, poll_interval=0), audit


class Ticks:
    """A wall clock for started/finished that moves one minute a read."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def ordered(
    runner: FixRunner,
    chain: tuple[str, ...] = CHAIN,
    *,
    step_timeout: float = 5,
    interval: float = 0,
    on_step: Callable[[StepStatus], None] | None = None,
    request: SyncRequest | None = None,
    clock: Callable[[], datetime] | None = None,
    monotonic: Callable[[], float] | None = None,
) -> OrderedSync:
    kw: dict[str, object] = {"clock": clock} if clock is not None else {}
    if monotonic is not None:
        kw["monotonic"] = monotonic
    return OrderedSync(runner, chain, step_timeout, interval, on_step=on_step, request=request, **kw)  # type: ignore[arg-type]


def cancel_when(cancel: threading.Event, app: str, state: str) -> Callable[[StepStatus], None]:
    def on_step(step: StepStatus) -> None:
        if step.app == app and step.state == state:
            cancel.set()

    return on_step


# ---- nothing to do -------------------------------------------------------------------------------------


def test_an_empty_chain_or_no_argocd_says_why_nothing_ran(tmp_path: Path) -> None:
    """Before any step: an empty chain, or an offline session without an Argo CD backend."""
    argo, runner, _ = setup(tmp_path)
    assert ordered(runner, ()).run() == OrderedResult(False, (), "the dependency chain is empty")
    offline = FixRunner(Gate(False, None), None)
    result = ordered(offline).run()
    assert result == OrderedResult(
        False, tuple(StepStatus(i, a) for i, a in enumerate(CHAIN)), "no Argo CD backend (offline snapshot)"
    )
    assert argo.calls == []


# ---- a step as the screen sees it ----------------------------------------------------------------------


def test_each_step_goes_waiting_syncing_settling_done_with_what_it_saw(tmp_path: Path) -> None:
    """The screen sees every state of a step, the app's last status line, and its start and end times."""
    _, runner, _ = setup(tmp_path)
    seen: list[StepStatus] = []
    clock = Ticks()
    result = ordered(runner, ("base",), on_step=seen.append, clock=clock).run()
    assert result == OrderedResult(True, (seen[-1],))
    # the state column shows these words
    assert [(s.state, s.detail) for s in seen] == [
        ("waiting", "waiting for the app to be free"),
        ("syncing", "requesting the sync"),
        ("syncing", "sync OutOfSync, health Healthy, operation Running"),
        ("syncing", "sync Synced, health Healthy, operation Succeeded"),
        ("settling", "waiting for Synced and Healthy"),
        ("settling", "sync Synced, health Healthy, operation Succeeded"),
        ("done", "sync Synced, health Healthy, operation Succeeded"),
    ]
    assert {s.index for s in seen} == {0}
    started = datetime(2026, 12, 1, 8, 1, tzinfo=UTC)
    assert all(s.started == started for s in seen)
    assert [s.finished for s in seen if s.finished] == [datetime(2026, 12, 1, 8, 2, tzinfo=UTC)]
    assert seen[-1].finished == seen[-1].started + timedelta(minutes=1)  # type: ignore[operator]


def test_the_status_line_shows_the_health_message(tmp_path: Path) -> None:
    """ "sync S, health H (message), operation P": Argo CD's health message is shown in parentheses."""
    argo, runner, _ = setup(tmp_path, base={"stay_progressing": True})
    fake = argo.apps["base"]
    fake.app = replace(fake.app, health_message="Waiting for rollout")
    result = ordered(runner, ("base",), step_timeout=0.05, monotonic=SteppingClock(0.001)).run()
    assert result.reason == (
        "stopped at base: base not Synced and Healthy within 0s "
        "(sync Synced, health Progressing (Waiting for rollout), operation Succeeded)"
    )


class LateArgo(FakeArgo):
    """An Argo CD whose first read after a sync shows neither the operation nor its state yet."""

    def __init__(self) -> None:
        super().__init__()
        self.late = False

    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        self.late = True
        return super().sync(name, request, initiated_by)

    def get_app(self, name: str) -> Application:
        app = super().get_app(name)
        if self.late:
            self.late = False
            return replace(app, operation=None, operation_state=None)
        return app


def test_the_status_line_shows_a_dash_while_no_operation_is_known(tmp_path: Path) -> None:
    """A read that shows no operation at all is shown as "operation -", and the wait goes on."""
    argo = LateArgo()
    argo.add("base")
    seen: list[StepStatus] = []
    runner = FixRunner(Gate(False, None, "lab"), argo, poll_interval=0)
    assert ordered(runner, ("base",), on_step=seen.append).run().ok
    assert (SYNCING, "sync OutOfSync, health Healthy, operation -") in [(s.state, s.detail) for s in seen]


def test_every_step_is_audited_as_the_ordered_sync_with_its_position(tmp_path: Path) -> None:
    """Each step's request is recorded as fix "ordered-sync", "step i/n", with the request given."""
    argo, runner, audit = setup(tmp_path)
    request = SyncRequest(prune=True)
    assert ordered(runner, request=request).run().ok
    assert [c[2] for c in argo.calls] == [request] * 3
    entries = audit.entries()
    assert [e["action"] for e in entries] == ["ordered-sync"] * 3
    assert [e["detail"].split(" sync of")[0] for e in entries] == ["step 1/3", "step 2/3", "step 3/3"]
    assert [e["target"] for e in entries] == [f"Application/argocd/{a}" for a in CHAIN]


def test_without_a_request_each_step_is_a_plain_sync(tmp_path: Path) -> None:
    """No request given: a plain sync (no prune, no force, no options)."""
    argo, runner, _ = setup(tmp_path)
    assert ordered(runner, ("base",)).run().ok
    assert argo.calls == [("sync", "base", SyncRequest())]


def test_the_default_clock_is_utc_wall_time(tmp_path: Path) -> None:
    """Without a clock, started/finished are the current time in UTC (the screen shows durations)."""
    _, runner, _ = setup(tmp_path)
    before = datetime.now(UTC)
    (step,) = OrderedSync(runner, ("base",), 5, 0).run().steps
    assert step.started is not None and step.finished is not None
    assert step.started.tzinfo is UTC
    assert before <= step.started <= step.finished <= datetime.now(UTC)


# ---- stopping ------------------------------------------------------------------------------------------


def test_a_cancel_before_the_first_step_stops_there(tmp_path: Path) -> None:
    """Cancelled before anything ran: the first step is cancelled with its end time, nothing synced."""
    argo, runner, _ = setup(tmp_path)
    cancel = threading.Event()
    cancel.set()
    result = ordered(runner, clock=Ticks()).run(cancel)
    assert (result.ok, result.stopped_at) == (False, "base")
    assert result.reason == "cancelled at base: cancelled before this step started"
    first, *rest = result.steps
    assert (first.state, first.detail) == (CANCELLED, "cancelled before this step started")
    assert first.finished == datetime(2026, 12, 1, 8, 1, tzinfo=UTC)
    assert [s.state for s in rest] == [PENDING, PENDING]
    assert argo.calls == []


def test_a_cancel_while_waiting_for_a_busy_app_stops_without_syncing(tmp_path: Path) -> None:
    """An app busy with another operation is waited for; a cancel then stops the run as cancelled."""
    argo, runner, _ = setup(tmp_path, base={"reads_until_done": 10**6})
    runner.sync_app("base", SyncRequest())  # someone else's sync keeps the app busy
    cancel = threading.Event()
    result = ordered(runner, on_step=cancel_when(cancel, "base", WAITING)).run(cancel)
    assert result.reason == "cancelled at base: cancelled"
    assert result.steps[0].state == CANCELLED
    assert len(argo.calls) == 1


def test_a_busy_app_that_stays_busy_times_out_with_its_status(tmp_path: Path) -> None:
    """Not free within the step timeout: FAILED, naming the app, the timeout and what is running."""
    _, runner, _ = setup(tmp_path, base={"reads_until_done": 10**6})
    runner.sync_app("base", SyncRequest())
    result = ordered(runner, step_timeout=0.05, monotonic=SteppingClock(0.001)).run()
    assert result.reason == (
        "stopped at base: base not ready to sync within 0s: "
        "an operation is running (sync OutOfSync, health Healthy, operation Running)"
    )
    assert result.steps[0].state == FAILED and result.stopped_at == "base"


def test_a_missing_app_is_waited_for_then_reported(tmp_path: Path) -> None:
    """An app not created yet (app of apps) is retried; at the timeout the reason is Argo CD's error."""
    argo, runner, _ = setup(tmp_path)
    del argo.apps["base"]
    result = ordered(runner, ("base",), step_timeout=0.05, monotonic=SteppingClock(0.001)).run()
    assert result.reason == (
        "stopped at base: base not ready to sync within 0s: Application argocd/base not found"
    )
    assert argo.reads > 1


def test_a_cancel_during_the_sync_leaves_it_to_argocd(tmp_path: Path) -> None:
    """Cancelled once the sync was requested: CANCELLED, and the reason says Argo CD finishes it."""
    argo, runner, _ = setup(tmp_path)
    cancel = threading.Event()
    result = ordered(runner, on_step=cancel_when(cancel, "middle", SYNCING)).run(cancel)
    assert (
        result.reason == "cancelled at middle: cancelled while the sync ran (Argo CD finishes it on its own)"
    )
    assert [s.state for s in result.steps] == ["done", "cancelled", "pending"]  # as the state column shows
    assert [c[1] for c in argo.calls] == ["base", "middle"]


def test_a_sync_that_does_not_finish_in_time_fails_the_step(tmp_path: Path) -> None:
    """The step timeout covers the sync too: with none left, the sync's own timeout is the reason."""
    _, runner, _ = setup(tmp_path)
    result = ordered(runner, ("base",), step_timeout=0).run()
    assert result.reason == "stopped at base: sync of base did not finish within 0s (phase Running)"
    assert result.steps[0].state == "failed"


class PatientArgo(FakeArgo):
    """An Argo CD whose sync never finishes, and which stops answering after `budget` reads (so a wait timed
    on another clock than the run's ends with its error, instead of going on for minutes)."""

    budget = 100

    def get_app(self, name: str) -> Application:
        if self.reads >= self.budget:
            raise ActionError("read budget spent")
        return super().get_app(name)


def test_the_sync_of_a_step_is_timed_on_the_runs_clock(tmp_path: Path) -> None:
    """A 10-minute step on a clock moving a minute a read: the sync that never finishes fails the step at the
    step's deadline, after a few reads, however little real time passed."""
    argo = PatientArgo()
    argo.add("base", reads_until_done=10**6)
    runner = FixRunner(
        Gate(False, AuditLog(tmp_path / "audit.jsonl", user="t"), "lab"), argo, poll_interval=0
    )
    result = ordered(runner, ("base",), step_timeout=600, monotonic=SteppingClock(60)).run()
    assert result.reason == "stopped at base: sync of base did not finish within 540s (phase Running)"
    assert argo.reads < 20


def test_a_cancel_while_settling_stops_the_run(tmp_path: Path) -> None:
    """Synced but still Progressing when cancelled: CANCELLED with the settling reason."""
    _, runner, _ = setup(tmp_path, base={"stay_progressing": True})
    cancel = threading.Event()
    result = ordered(runner, on_step=cancel_when(cancel, "base", SETTLING)).run(cancel)
    assert result.reason == "cancelled at base: cancelled while waiting for Synced and Healthy"
    assert result.steps[0].state == CANCELLED


def test_a_healthy_app_is_done_even_if_cancel_came_while_settling(tmp_path: Path) -> None:
    """Cancel is only checked while an app is not yet Synced and Healthy: a healthy step still counts."""
    _, runner, _ = setup(tmp_path)
    cancel = threading.Event()
    result = ordered(runner, on_step=cancel_when(cancel, "base", SETTLING)).run(cancel)
    assert [s.state for s in result.steps] == [DONE, CANCELLED, PENDING]
    assert result.reason == "cancelled at middle: cancelled before this step started"


class VanishingArgo(FakeArgo):
    """An Argo CD where `base` is deleted once its sync has succeeded."""

    def get_app(self, name: str) -> Application:
        app = super().get_app(name)
        if app.operation_state is not None and app.operation_state.phase == "Succeeded":
            del self.apps[name]
        return app


def test_an_app_that_cannot_be_read_while_settling_fails_the_step(tmp_path: Path) -> None:
    """A read error while waiting for Synced and Healthy fails the step with Argo CD's message."""
    argo = VanishingArgo()
    argo.add("base")
    runner = FixRunner(Gate(False, None, "lab"), argo, poll_interval=0)
    result = ordered(runner, ("base",)).run()
    assert result.reason == "stopped at base: Application argocd/base not found"
    assert result.steps[0].state == FAILED


class FailingSyncArgo(FakeArgo):
    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        raise ActionError(f"{name}: the server refused the sync")


def test_a_refused_sync_request_fails_the_step_with_the_backends_message(tmp_path: Path) -> None:
    """The request itself fails: FAILED with that message, and no wait."""
    argo = FailingSyncArgo()
    argo.add("base")
    runner = FixRunner(Gate(False, None, "lab"), argo, poll_interval=0)
    result = ordered(runner, ("base",)).run()
    assert result.reason == "stopped at base: base: the server refused the sync"
    assert result.steps[0].state == FAILED and argo.reads == 1


def test_a_stale_read_of_the_previous_sync_is_not_taken_for_this_step(tmp_path: Path) -> None:
    """The previous, finished sync seen again right after our request is not our step's outcome."""
    argo = StaleArgo()
    argo.add("base")
    runner = FixRunner(Gate(False, None, "lab"), argo, poll_interval=0)
    runner.sync_app("base", SyncRequest())
    argo.stale = None
    argo.get_app("base")
    assert argo.get_app("base").operation_phase == "Succeeded"  # an earlier sync, finished
    argo.apps["base"].fail_with = "hook failed"
    result = ordered(runner, ("base",), step_timeout=0.5, interval=0.01).run()
    assert result.reason == "stopped at base: sync of base failed: hook failed"
