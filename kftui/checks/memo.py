"""Re-running checks on a live cluster without redoing work whose inputs did not change.

apply_events builds each new snapshot by copying only the collections a batch touched and keeping every
untouched object as the same object. Two consequences make incremental checks cheap and safe:

- A check reads some snapshot fields. If each of those fields is the very object it was on the last run,
  the check (a pure function) returns what it returned then. `CheckMemo` notes which fields a check read by
  running it on a `ReadRecorder`, so nothing has to be declared and nothing can be forgotten.
- Within a collection, only the objects a batch changed need looking at again. apply_events records which
  keys it changed (model.changed_keys); pod-failing re-examines just those pods. What it carries from one
  snapshot to the next lives here, in the memo of that stream of snapshots (`run_incremental`), never in
  module state: two streams (two sessions, a test beside the app) cannot see each other's passes, and a
  run without a memo (`kftui check`) always looks at everything.
"""

from __future__ import annotations

import dataclasses
import inspect
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar, cast

from kftui.model import ClusterSnapshot, Finding
from kftui.profile import Profile

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

IncrementalCheckFn = Callable[[ClusterSnapshot, Profile, Any], tuple[Iterable[Finding], Any]]
"""A check that continues from its own last pass: (snapshot, profile, what it carried from the last
snapshot of this stream, or None) -> (findings, what to carry to the next one)."""

SNAPSHOT_FIELDS = frozenset(f.name for f in dataclasses.fields(ClusterSnapshot))


class ReadRecorder:
    """Stands in for a ClusterSnapshot while a check runs and notes which of its fields were read.

    Methods (events_for, collection) run with the recorder as `self`, so the fields they read are noted too.
    """

    def __init__(self, snapshot: ClusterSnapshot) -> None:
        self._snapshot = snapshot
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        if name == "lineage":
            # How the snapshot was derived, not what it says: incremental helpers (changed_keys) follow it
            # to find what changed, and read the collections they compare through the recorder.
            return self._snapshot.lineage
        if name in SNAPSHOT_FIELDS:
            self.read.add(name)
            return getattr(self._snapshot, name)
        # A method or property of the snapshot class, bound to the recorder (its descriptor protocol).
        return inspect.getattr_static(self._snapshot, name).__get__(self)


@dataclasses.dataclass(frozen=True)
class _Run:
    profile: Profile
    inputs: tuple[tuple[str, object], ...]
    findings: tuple[Finding, ...]
    carried: object = None


class CheckMemo:
    """The last run of each check: the profile, the snapshot fields it read, and what it found.

    One memo belongs to one stream of snapshots (a kftui session). A check reading `now` reruns on every
    snapshot, as time-dependent checks must; the others rerun only when something they read changed.
    """

    def __init__(self) -> None:
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()

    def run(
        self,
        check_id: str,
        fn: Callable[[ClusterSnapshot, Profile], Iterable[Finding]],
        snapshot: ClusterSnapshot,
        profile: Profile,
    ) -> tuple[Finding, ...]:
        return self.run_incremental(check_id, lambda s, p, _: (fn(s, p), None), snapshot, profile)

    def run_incremental(
        self, check_id: str, fn: IncrementalCheckFn, snapshot: ClusterSnapshot, profile: Profile
    ) -> tuple[Finding, ...]:
        """As `run`, for a check that continues from its own last pass: `fn` gets what it carried from its
        last run in this memo (None on the first) and returns its findings with what to carry next."""
        with self._lock:
            last = self._runs.get(check_id)
        if (
            last is not None
            and last.profile is profile
            and all(getattr(snapshot, name) is value for name, value in last.inputs)
        ):
            return last.findings
        recorder = ReadRecorder(snapshot)
        found, carried = fn(
            cast(ClusterSnapshot, recorder), profile, last.carried if last is not None else None
        )
        findings = tuple(found)
        inputs = tuple((name, getattr(snapshot, name)) for name in sorted(recorder.read))
        with self._lock:
            self._runs[check_id] = _Run(profile, inputs, findings, carried)
        return findings
