"""When watch changes are applied and the checks run again: batching, pacing, one analysis at a time.

The app owns the timers and the analysis worker; this decides what they do. It imports no Textual and
reads time only from the clock it is given, so its tests drive it with a clock of their own and no waits.
The app's side of the contract:

- `changes_arrived(changes)` returns a delay: arm a timer for it, and when it fires apply `take_changes()`.
- `snapshot_changed(snapshot)` returns the snapshot to analyse now, or None.
- `analysis_done(snapshot)` returns the `Next` step; `analysis_failed()` when an analysis gave no result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

C = TypeVar("C")
S = TypeVar("S")

# A burst of watch events (a relist, a rollout) arrives as many messages within a few milliseconds: waiting
# this long after the first one gathers them into one batch, so 1,000 pod events do not mean 1,000 repaints.
COALESCE_SECONDS = 0.005
# At most ten analyses a second. Starting the next one as soon as the last finished meant ~50 a second
# at 100 pod changes/s on 20,000 pods, each copying the changed collections and redrawing: the copies
# kept the garbage collector busy and keypresses waited (figures in README.md, Performance). A tenth of
# a second is still "at once" to a person.
MIN_ANALYSIS_INTERVAL = 0.1


@dataclass(frozen=True)
class Next(Generic[S]):
    """What to do once an analysis ended: arm the flush timer for `flush_in` seconds, start analysing
    `analyse`, or (both None) nothing until the next change arrives."""

    flush_in: float | None = None
    analyse: S | None = None


class AnalysisScheduler(Generic[C, S]):
    """Queues changes of type C and paces analyses of snapshots of type S.

    One analysis runs at a time: starting one per snapshot would, under a steady stream, only ever finish
    analyses that are already stale. Changes that arrive meanwhile wait and are applied in one go when it
    ends; a snapshot that arrived meanwhile is analysed next, and only the newest of several. No analysis
    starts sooner than `min_interval` after the previous one started, so the screen is never more than one
    analysis and one interval behind. Snapshots are compared by identity (each batch makes a new one).
    """

    def __init__(
        self,
        monotonic: Callable[[], float],
        *,
        coalesce: float = COALESCE_SECONDS,
        min_interval: float = MIN_ANALYSIS_INTERVAL,
    ) -> None:
        self._monotonic = monotonic
        self.coalesce = coalesce
        self.min_interval = min_interval
        self._pending: list[C] = []
        self._timer_armed = False
        self._analysing: S | None = None
        self._started: float | None = None
        self._latest: S | None = None
        self._analysed: S | None = None

    @property
    def pending(self) -> Sequence[C]:
        """The changes queued for the next batch, oldest first."""
        return tuple(self._pending)

    @property
    def analysing(self) -> S | None:
        """The snapshot under analysis, if one is."""
        return self._analysing

    # --- changes ---------------------------------------------------------------------------------------

    def changes_arrived(self, changes: Iterable[C]) -> float | None:
        """Queue a batch of changes. Returns the seconds after which to call `take_changes`, or None when no
        timer is needed: one is armed already, or an analysis runs and its end decides (see `Next`)."""
        self._pending.extend(changes)
        if self._analysing is not None:
            return None
        return self._arm()

    def take_changes(self) -> list[C]:
        """The flush timer fired: every queued change, oldest first, to apply as one batch."""
        self._timer_armed = False
        changes, self._pending = self._pending, []
        return changes

    def _arm(self) -> float | None:
        if self._timer_armed:
            return None
        self._timer_armed = True
        since = math.inf if self._started is None else self._monotonic() - self._started
        return max(self.coalesce, self.min_interval - since)

    # --- analyses --------------------------------------------------------------------------------------

    def snapshot_changed(self, snapshot: S) -> S | None:
        """`snapshot` is now the newest. Returns it when it should be analysed now; None while another
        analysis runs (its end picks the newest up) or when this very snapshot was analysed already."""
        self._latest = snapshot
        if self._analysing is not None or snapshot is self._analysed:
            return None
        return self._start(snapshot)

    def analysis_done(self, snapshot: S) -> Next[S]:
        """The analysis of `snapshot` finished. Queued changes come first (applying them makes a newer
        snapshot, which is analysed then); otherwise the newest snapshot, if it is not this one."""
        self._analysing = None
        self._analysed = snapshot
        if self._pending:
            return Next(flush_in=self._arm())
        latest = self._latest
        if latest is not None and latest is not snapshot:
            return Next(analyse=self._start(latest))
        return Next()

    def analysis_failed(self) -> None:
        """The analysis ended without a result (an error, a cancelled worker): it must not block the next
        one, which the next change or snapshot starts."""
        self._analysing = None

    def _start(self, snapshot: S) -> S:
        self._analysing = snapshot
        self._started = self._monotonic()
        return snapshot
