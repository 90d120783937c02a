"""Ordered sync: sync a dependency chain one app at a time, each Synced and Healthy before the next.

A plain class with callbacks, so it is tested without Textual and driven by the e2e tests directly;
ui/screens/ordered_sync.py shows its progress. Each step's sync goes through FixRunner.sync_app and so
through the gate (read-only refuses the first step, and every request is audited). A step fails when
Argo CD reports the operation Failed/Error, or when the app is not Synced and Healthy within the
step timeout; the run then stops and says why. Cancel stops waiting; a sync already requested is
left to Argo CD (terminate it from the panel if needed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from kftui.cluster.ops import ActionError, SyncRequest
from kftui.fixes.run import FixRunner
from kftui.fixes.waiting import operation_started_at, wait_operation
from kftui.model import Application

PENDING, WAITING, SYNCING, SETTLING, DONE, FAILED, CANCELLED = (
    "pending",
    "waiting",
    "syncing",
    "settling",
    "done",
    "failed",
    "cancelled",
)


@dataclass(frozen=True)
class StepStatus:
    """One app of the chain: where it is, what was last seen, when it started and finished."""

    index: int
    app: str
    state: str = PENDING
    detail: str = ""
    started: datetime | None = None
    finished: datetime | None = None


@dataclass(frozen=True)
class OrderedResult:
    ok: bool
    steps: tuple[StepStatus, ...]
    reason: str = ""
    stopped_at: str | None = None


class StepFailed(Exception):
    pass


def _status_line(app: Application) -> str:
    op = app.operation_phase or "-"
    health = app.health_status + (f" ({app.health_message})" if app.health_message else "")
    return f"sync {app.sync_status}, health {health}, operation {op}"


class OrderedSync:
    """Drive one ordered sync. Call `run(cancel)` from a worker thread; callbacks fire on that thread."""

    def __init__(
        self,
        runner: FixRunner,
        chain: tuple[str, ...],
        step_timeout: float,
        interval: float,
        on_step: Callable[[StepStatus], None] | None = None,
        request: SyncRequest | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runner = runner
        self.chain = chain
        self.step_timeout = step_timeout
        self.interval = interval
        self.on_step = on_step
        self.request = request or SyncRequest()
        self.clock = clock
        self.monotonic = monotonic  # the step deadlines' clock (tests step it instead of waiting)
        self.steps: list[StepStatus] = [StepStatus(i, a) for i, a in enumerate(chain)]

    def _update(self, index: int, **changes: object) -> StepStatus:
        step = replace(self.steps[index], **changes)  # type: ignore[arg-type]
        self.steps[index] = step
        if self.on_step is not None:
            self.on_step(step)
        return step

    def run(self, cancel: threading.Event | None = None) -> OrderedResult:
        cancel = cancel or threading.Event()
        if not self.chain:
            return OrderedResult(False, (), "the dependency chain is empty")
        argo = self.runner.argo
        if argo is None:
            return OrderedResult(False, tuple(self.steps), "no Argo CD backend (offline snapshot)")
        for index, name in enumerate(self.chain):
            if cancel.is_set():
                return self._stop(index, CANCELLED, "cancelled before this step started")
            self._update(index, state=WAITING, started=self.clock(), detail="waiting for the app to be free")
            deadline = self.monotonic() + self.step_timeout
            try:
                app = self._wait_free(name, deadline, cancel)
            except StepFailed as exc:
                return self._stop(index, CANCELLED if cancel.is_set() else FAILED, str(exc))
            before = operation_started_at(app)
            self._update(index, state=SYNCING, detail="requesting the sync")
            total = len(self.chain)
            result = self.runner.sync_app(
                name, self.request, fix_id="ordered-sync", step=f"step {index + 1}/{total}"
            )
            if not result.ok:
                return self._stop(index, FAILED, result.message)
            settled = wait_operation(
                argo,
                name,
                before,
                max(0.0, deadline - self.monotonic()),
                cancel,
                self.interval,
                on_poll=self._poller(index),
                clock=self.monotonic,
            )
            if not settled.ok:
                state = CANCELLED if settled.reason == "cancelled" else FAILED
                reason = settled.reason
                if state == CANCELLED:
                    reason = "cancelled while the sync ran (Argo CD finishes it on its own)"
                return self._stop(index, state, reason)
            self._update(index, state=SETTLING, detail="waiting for Synced and Healthy")
            try:
                self._wait_healthy(index, name, deadline, cancel)
            except StepFailed as exc:
                return self._stop(index, CANCELLED if cancel.is_set() else FAILED, str(exc))
            # The detail stays the status line _wait_healthy showed last: Synced and Healthy.
            self._update(index, state=DONE, finished=self.clock())
        return OrderedResult(True, tuple(self.steps))

    def _stop(self, index: int, state: str, reason: str) -> OrderedResult:
        name = self.chain[index]
        self._update(index, state=state, detail=reason, finished=self.clock())
        verb = "cancelled" if state == CANCELLED else "stopped"
        return OrderedResult(False, tuple(self.steps), f"{verb} at {name}: {reason}", stopped_at=name)

    def _poller(self, index: int) -> Callable[[Application], None]:
        def on_poll(app: Application) -> None:
            self._update(index, detail=_status_line(app))

        return on_poll

    def _sleep(self, cancel: threading.Event) -> None:
        cancel.wait(self.interval)

    def _wait_free(self, name: str, deadline: float, cancel: threading.Event) -> Application:
        """The app once it exists and runs no operation (an app of apps may create it a moment late)."""
        argo = self.runner.argo
        assert argo is not None
        while True:
            try:
                app = argo.get_app(name)
                if app.operation is None:
                    return app
                last = f"an operation is running ({_status_line(app)})"
            except ActionError as exc:
                last = str(exc)
            if cancel.is_set():
                raise StepFailed("cancelled")
            if self.monotonic() >= deadline:
                raise StepFailed(f"{name} not ready to sync within {self.step_timeout:.0f}s: {last}")
            self._sleep(cancel)

    def _wait_healthy(self, index: int, name: str, deadline: float, cancel: threading.Event) -> None:
        argo = self.runner.argo
        assert argo is not None
        while True:
            try:
                app = argo.get_app(name)
            except ActionError as exc:
                raise StepFailed(str(exc)) from None
            self._update(index, detail=_status_line(app))
            if app.sync_status == "Synced" and app.health_status == "Healthy":
                return
            if cancel.is_set():
                raise StepFailed("cancelled while waiting for Synced and Healthy")
            if self.monotonic() >= deadline:
                raise StepFailed(
                    f"{name} not Synced and Healthy within {self.step_timeout:.0f}s ({_status_line(app)})"
                )
            self._sleep(cancel)
