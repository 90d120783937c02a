"""wait_operation: when a sync we asked for counts as finished, and the reason users read when it did not.

A scripted Argo CD (our ArgoOps seam) answers each read with the next Application of a list, and a fake
clock makes the timeout exact, so every rule is shown without sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kftui.cluster.ops import ActionError
from kftui.fixes.waiting import Settled, operation_started_at, wait_operation
from kftui.model import Application, ManagedResource, OperationState, ResourceResult, SyncOperation
from tests.fix_fakes import SteppingClock

BEFORE = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 26, 9, 5, tzinfo=UTC)


def app(
    phase: str | None = None,
    *,
    requested: bool = False,
    started: datetime | None = LATER,
    message: str = "",
) -> Application:
    """The app `web` with an operation requested (`.operation` set) and/or a last operationState."""
    state = None if phase is None else OperationState(phase, message=message, started_at=started)
    return Application(
        name="web",
        namespace="argocd",
        operation=SyncOperation() if requested else None,
        operation_state=state,
    )


class ScriptedArgo:
    """Answers get_app with the next item of `script` (the last one repeats); an exception is raised."""

    name = "scripted"
    endpoint = "scripted://argocd"

    def __init__(self, script: Sequence[Application | ActionError]) -> None:
        self.script = list(script)
        self.asked: list[str] = []

    def get_app(self, name: str) -> Application:
        self.asked.append(name)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, ActionError):
            raise item
        return item


def wait(
    script: Sequence[Application | ActionError],
    *,
    before: datetime | None = BEFORE,
    timeout: float = 100.0,
    cancel: threading.Event | None = None,
    clock: SteppingClock | None = None,
    polled: list[Application] | None = None,
) -> Settled:
    return wait_operation(
        ScriptedArgo(script),  # type: ignore[arg-type]
        "web",
        before,
        timeout,
        cancel,
        interval=0,
        on_poll=polled.append if polled is not None else None,
        clock=clock or SteppingClock(),
    )


def test_a_sync_seen_running_then_succeeded_is_done() -> None:
    """Seeing our operation pending, then a terminal Succeeded state, ends the wait successfully."""
    final = app("Succeeded", started=BEFORE)
    settled = wait([app(requested=True), app("Running", requested=True), final])
    assert settled == Settled(final, True, "")


def test_a_new_terminal_state_counts_even_if_the_operation_was_never_seen() -> None:
    """A fast sync may finish between two reads: a startedAt other than the one before ours is ours."""
    final = app("Succeeded", started=LATER)
    assert wait([final]) == Settled(final, True, "")


def test_the_previous_operation_state_is_not_taken_for_ours() -> None:
    """The operationState from before our request (same startedAt, nothing pending) is waited past."""
    old = app("Succeeded", started=BEFORE)
    ours = app("Failed", started=LATER, message="hook failed")
    settled = wait([old, old, ours])
    assert not settled.ok and settled.reason == "sync of web failed: hook failed"


@pytest.mark.parametrize(
    ("phase", "message", "reason"),
    [
        (
            "Failed",
            "one or more objects failed to apply",
            "sync of web failed: one or more objects failed to apply",
        ),
        ("Error", "", "sync of web error: no message"),
    ],
)
def test_a_failed_or_errored_sync_says_so_with_argo_cds_message(
    phase: str, message: str, reason: str
) -> None:
    """Failed and Error are terminal; the reason names the app, the phase and Argo CD's message."""
    final = app(phase, message=message)
    assert wait([app(requested=True), final]) == Settled(final, False, reason)


def test_a_running_phase_without_operation_is_not_terminal() -> None:
    """Running (or Terminating) with `.operation` gone is still in flight: the wait goes on."""
    settled = wait([app("Running"), app("Terminating"), app("Succeeded")])
    assert settled.ok and settled.app == app("Succeeded")


def test_timeout_names_the_last_phase_or_that_nothing_started() -> None:
    """Past the deadline the reason gives the timeout in whole seconds and the phase last seen."""
    running = wait([app("Running", requested=True)], timeout=2.4)
    assert running == Settled(
        app("Running", requested=True), False, "sync of web did not finish within 2s (phase Running)"
    )
    never = wait([app()], timeout=3)
    assert never.reason == "sync of web did not finish within 3s (phase not started)"


def test_the_deadline_is_inclusive_and_counted_from_the_start() -> None:
    """With a clock moving 1 s a read, a 3 s timeout allows exactly the reads before the deadline."""
    polled: list[Application] = []
    settled = wait([app(requested=True)], timeout=3, clock=SteppingClock(1.0), polled=polled)
    # deadline = 0 + 3; checks at 1, 2 and 3: the third one (3 >= 3) stops.
    assert not settled.ok and len(polled) == 3
    polled.clear()
    wait([app(requested=True)], timeout=3.5, clock=SteppingClock(1.0), polled=polled)
    assert len(polled) == 4  # checks at 1, 2 and 3 go on; 4 >= 3.5 stops
    # a success found on the last permitted read still counts
    last = app("Succeeded")
    script = [app(requested=True), app(requested=True), last]
    assert wait(script, timeout=3, clock=SteppingClock(1.0)) == Settled(last, True, "")


def test_each_read_is_reported_to_the_caller() -> None:
    """on_poll sees every Application read, in order, including the final one."""
    script = [app(requested=True), app("Running", requested=True), app("Succeeded")]
    polled: list[Application] = []
    wait(script, polled=polled)
    assert polled == script


def test_cancel_stops_the_wait_and_says_so() -> None:
    """A cancel set while our sync runs ends the wait with reason "cancelled", keeping the last app."""
    cancel = threading.Event()
    cancel.set()
    running = app("Running", requested=True)
    assert wait([running], cancel=cancel) == Settled(running, False, "cancelled")


def test_a_finished_sync_wins_over_cancel() -> None:
    """If the sync is already over when cancel is set, the outcome is reported, not a cancel."""
    cancel = threading.Event()
    cancel.set()
    final = app("Succeeded")
    assert wait([final], cancel=cancel) == Settled(final, True, "")


def test_a_read_error_ends_the_wait_with_its_message_and_the_last_app() -> None:
    """An Argo CD read that fails stops the wait at once with the backend's one-line message."""
    first = app(requested=True)
    settled = wait([first, ActionError("Application argocd/web not found")])
    assert settled == Settled(first, False, "Application argocd/web not found")
    assert wait([ActionError("forbidden")]) == Settled(None, False, "forbidden")


def test_the_wait_without_cancel_sleeps_the_interval() -> None:
    """Without a cancel event the poll still sleeps `interval` between reads (real time, no clock)."""
    argo = ScriptedArgo([app(requested=True), app("Succeeded")])
    settled = wait_operation(argo, "web", BEFORE, 5, None, interval=0.05)  # type: ignore[arg-type]
    assert settled.ok and argo.asked == ["web", "web"]


def test_operation_started_at_is_the_last_operations_start() -> None:
    """The startedAt remembered before a request, or None when the app never ran an operation."""
    assert operation_started_at(app("Succeeded", started=BEFORE)) == BEFORE
    assert operation_started_at(app()) is None


def test_a_stop_names_the_hook_that_failed_or_the_resource_still_waited_for() -> None:
    """Argo CD's own status names the blocker: the stop reason carries it (a failed PostSync hook; a
    Deployment the wave waits on), so `kftui sync` says what to fix, not only that it stopped."""
    hook = ResourceResult(
        "batch", "v1", "Job", "demo", "smoke-test", status="Synced",
        message="Job has reached the specified backoff limit", hook_phase="Failed", hook_type="PostSync",
    )  # fmt: skip
    failed = replace(
        app("Failed", message="one or more synchronization tasks completed unsuccessfully"),
        operation_state=OperationState(
            "Failed", message="one or more synchronization tasks completed unsuccessfully", started_at=LATER,
            results=(hook,),
        ),
    )  # fmt: skip
    assert wait([app(requested=True), failed]).reason == (
        "sync of web failed: one or more synchronization tasks completed unsuccessfully; blocked by PostSync "
        "hook Job demo/smoke-test: Job has reached the specified backoff limit"
    )
    deployment = ManagedResource(
        "apps", "v1", "Deployment", "demo", "api", health_status="Progressing",
        health_message="Waiting for rollout to finish: 0 of 1 updated replicas are available...",
    )  # fmt: skip
    stuck = replace(app("Running", requested=True), resources=(deployment,))
    assert wait([stuck], timeout=2).reason == (
        "sync of web did not finish within 2s (phase Running); waiting for Deployment demo/api: Progressing "
        "(Waiting for rollout to finish: 0 of 1 updated replicas are available...)"
    )
