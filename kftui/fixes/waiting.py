"""Waiting for an Argo CD operation to finish: the poll loop the sync fixes, the ordered sync and `kftui sync` share.

When a wait ends without success, its reason names what held the sync, as Argo CD's own status says it (the
hook that failed, the resource a wave waits on), so a stop says what to fix and not only that it stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kftui.checks.sync_ops import blocker
from kftui.cluster.ops import ActionError, ArgoOps
from kftui.model import Application

TERMINAL_PHASES = ("Succeeded", "Failed", "Error")


@dataclass(frozen=True)
class Settled:
    """How a wait ended: the last Application seen, and why it stopped waiting when it did not succeed."""

    app: Application | None
    ok: bool
    reason: str = ""


def operation_started_at(app: Application) -> datetime | None:
    return app.operation_state.started_at if app.operation_state else None


def _naming_blocker(app: Application, lead: str) -> str:
    """`; waiting for Deployment ns/api: ...`: the hook or resource a stopped sync is held by, "" if none is named."""
    why = blocker(app)
    return f"; {lead} {why}" if why else ""


def wait_operation(
    argo: ArgoOps,
    name: str,
    before: datetime | None,
    timeout: float,
    cancel: threading.Event | None,
    interval: float,
    on_poll: Callable[[Application], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Settled:
    """Wait until the operation we just requested on `name` has finished.

    Ours is done when `.operation` is gone and operationState is terminal and either we saw the operation
    pending/running, or its startedAt differs from the one before our request (`before`).
    """
    deadline = clock() + timeout
    seen_ours = False
    app: Application | None = None
    while True:
        try:
            app = argo.get_app(name)
        except ActionError as exc:
            return Settled(app, False, str(exc))
        if on_poll is not None:
            on_poll(app)
        state = app.operation_state
        if app.operation is not None:
            seen_ours = True
        elif (
            state is not None and state.phase in TERMINAL_PHASES and (seen_ours or state.started_at != before)
        ):
            if state.phase == "Succeeded":
                return Settled(app, True)
            said = f"sync of {name} {state.phase.lower()}: {state.message or 'no message'}"
            return Settled(app, False, said + _naming_blocker(app, "blocked by"))
        if cancel is not None and cancel.is_set():
            return Settled(app, False, "cancelled")
        if clock() >= deadline:
            phase = state.phase if state else "not started"
            said = f"sync of {name} did not finish within {timeout:.0f}s (phase {phase})"
            return Settled(app, False, said + _naming_blocker(app, "waiting for"))
        if cancel is not None:
            cancel.wait(interval)
        else:
            time.sleep(interval)
