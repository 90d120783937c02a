"""`kftui sync`: Argo CD syncs for install scripts and CI, one progress line per step, the blocker named.

What people write shell loops of `argocd app sync && argocd app wait` for: sync the apps (in the profile's
dependency order with --ordered, each Synced and Healthy before the next), wait, and end with an exit code a
script can act on: 0 every app Synced and Healthy (or, without --wait, every sync accepted), 1 stopped (the
step that stopped, why, and the findings about that app), 2 cannot run (no live cluster, unknown app,
read-only, bad flags). Every sync goes through the same gate and audit log as the TUI's fixes.

The pure parts (durations, ordering, the blocker of an app, the lines) are functions; `run_sync` drives a
FixRunner (its Argo CD backend may be the real REST or Kubernetes one, or the tests' fake of our seam).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from kftui.checks.sync_ops import blocker
from kftui.checks.sync_windows import sync_denied
from kftui.cluster.ops import ActionError, SyncRequest
from kftui.fixes.ordered import FAILED, SETTLING, SYNCING, WAITING, OrderedResult, OrderedSync, StepStatus
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import Application, Chains, ClusterSnapshot, Finding, ObjectRef
from kftui.profile import Profile
from kftui.textsafe import one_line
from kftui.wording import plural

REQUESTED = "requested"
"""The state of a step whose sync was only asked for (no --wait)."""
REPEAT_AFTER = 10.0
"""While a step waits, the same state is printed again at most this often (seconds), with the blocker."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)?")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, None: 1.0}


def parse_duration(text: str) -> float:
    """Seconds in `300`, `90s`, `5m`, `1h`, `1m30s` (Go's spelling, as kubectl's --timeout); ValueError else."""
    spec = text.strip()
    pos, total = 0, 0.0
    while pos < len(spec):
        match = _DURATION.match(spec, pos)
        bare = match is not None and match.group(2) is None  # a plain number is only ever the whole text
        if match is None or (bare and (pos, match.end()) != (0, len(spec))):
            raise ValueError(f"not a duration: {text!r} (examples: 300, 90s, 5m, 1h30m)")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not spec or total <= 0:
        raise ValueError(f"not a duration: {text!r} (examples: 300, 90s, 5m, 1h30m)")
    return total


def order_apps(requested: Sequence[str], profile: Profile, known: set[str]) -> tuple[str, ...]:
    """The apps to sync, in the profile's dependency order, the others after them in the order given.

    Without names: every app of the profile's chain that exists. Unknown names are a ValueError.
    """
    chain = profile.chain()
    if not requested:
        return tuple(name for name in chain if name in known)
    unknown = [name for name in requested if name not in known]
    if unknown:
        raise ValueError(f"no Application named {', '.join(one_line(n) for n in unknown)}")
    wanted = dict.fromkeys(requested)
    return tuple(n for n in chain if n in wanted) + tuple(n for n in wanted if n not in chain)


def step_line(step: StepStatus, total: int, waiting_for: str = "") -> str:
    """One progress line: `[2/3] kubeflow-seaweedfs: settling: sync Synced, health Progressing; waiting for ...`."""
    text = f"[{step.index + 1}/{total}] {step.app}: {step.state}"
    if step.detail:
        text += f": {step.detail}"
    if waiting_for:
        text += f"; waiting for {waiting_for}"
    return one_line(text)


@dataclass
class SyncOutcome:
    """What the command found: each app's last step, why it stopped, and the findings that explain it."""

    ok: bool
    steps: list[StepStatus]
    reason: str = ""
    stopped_at: str | None = None
    explained_by: list[Finding] = field(default_factory=list)

    @property
    def root_cause(self) -> Finding | None:
        """The root cause among the explaining findings (explain puts it first), None when none is known."""
        return next((f for f in self.explained_by if f.id and f.is_root), None)

    def to_json(self) -> str:
        def step(s: StepStatus) -> dict[str, Any]:
            return {
                "app": s.app,
                "state": s.state,
                "detail": s.detail,
                "started": s.started.isoformat() if s.started else None,
                "finished": s.finished.isoformat() if s.finished else None,
            }

        root = self.root_cause
        doc = {
            "ok": self.ok,
            "reason": self.reason,
            "stopped_at": self.stopped_at,
            "root_cause": root.id if root is not None else None,
            "steps": [step(s) for s in self.steps],
            "explained_by": [
                {
                    "id": f.id,
                    "check": f.check,
                    "severity": f.severity.value,
                    "title": f.title,
                    "evidence": list(f.evidence_lines),
                    "caused_by": list(f.caused_by),
                }
                for f in self.explained_by
            ],
        }
        return json.dumps(doc, indent=2) + "\n"


class ProgressPrinter:
    """Prints a step when its state changes, and while it waits at most every REPEAT_AFTER seconds.

    Called from the sync threads; one lock keeps lines whole. The blocker is read from Argo CD when printed.
    """

    def __init__(
        self,
        out: TextIO,
        total: int,
        read_app: Callable[[str], Application] | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out, self.total, self.read_app, self.clock = out, total, read_app, clock
        self._lock = threading.Lock()
        self._last: dict[int, tuple[str, float]] = {}

    def __call__(self, step: StepStatus) -> None:
        now = self.clock()
        with self._lock:
            last = self._last.get(step.index)
            repeat = last is not None and last[0] == step.state
            if repeat and last is not None and now - last[1] < REPEAT_AFTER:
                return
            self._last[step.index] = (step.state, now)
        waiting_for = ""
        # Still in the same waiting state after a while: say what it waits for (one GET, at most every 10 s).
        if repeat and step.state in (WAITING, SYNCING, SETTLING) and self.read_app is not None:
            try:
                waiting_for = blocker(self.read_app(step.app))
            except ActionError:
                waiting_for = ""
        line = step_line(step, self.total, waiting_for)
        with self._lock:
            self.out.write(line + "\n")
            self.out.flush()


def run_sync(
    runner: FixRunner,
    apps: tuple[str, ...],
    *,
    ordered: bool,
    wait: bool,
    timeout: float,
    out: TextIO,
    interval: float = 1.0,
    cancel: threading.Event | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> SyncOutcome:
    """Sync `apps`: one chain with `ordered`, else all at once (each waited for with `wait`); `monotonic` is
    the clock of the steps' deadlines."""
    argo = runner.argo
    printer = ProgressPrinter(out, len(apps), argo.get_app if argo is not None else None)
    if ordered:
        result = OrderedSync(runner, apps, timeout, interval, on_step=printer, monotonic=monotonic).run(
            cancel
        )
        return SyncOutcome(result.ok, list(result.steps), result.reason, result.stopped_at)
    if not wait:
        return _request_all(runner, apps, printer)
    results: list[OrderedResult | None] = [None] * len(apps)

    def one(index: int, name: str) -> None:
        def renumbered(step: StepStatus) -> None:
            printer(replace(step, index=index))

        results[index] = OrderedSync(
            runner, (name,), timeout, interval, on_step=renumbered, monotonic=monotonic
        ).run(cancel)

    threads = [threading.Thread(target=one, args=(i, n), daemon=True) for i, n in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    steps = [replace(r.steps[0], index=i) for i, r in enumerate(results) if r is not None and r.steps]
    failed = [r for r in results if r is None or not r.ok]
    if not failed:
        return SyncOutcome(True, steps)
    first = failed[0]
    reason = first.reason if first is not None else "a sync thread ended without a result"
    return SyncOutcome(False, steps, reason, first.stopped_at if first is not None else None)


def window_stop(
    runner: FixRunner, snapshot: ClusterSnapshot, apps: tuple[str, ...], profile: Profile, out: TextIO
) -> SyncOutcome | None:
    """Before anything is synced: the first app a sync window denies now, as a stopped outcome naming the
    window and when it opens (None when no window stands in the way).

    Nothing is requested: Argo CD would refuse the sync, or hold it Running until the window opens. The
    refusal still goes through the gate (the sync's plan is blocked by the window), so the audit log has it.
    """
    for index, name in enumerate(apps):
        why = sync_denied(snapshot, name)
        if why is None:
            continue
        plan = plan_action(
            "sync", ObjectRef("Application", snapshot.argocd_namespace, name), snapshot, profile
        )
        runner.run(plan)  # refused: the plan is blocked (by the window, or an operation already running)
        step = StepStatus(index, name, FAILED, why)
        out.write(step_line(step, len(apps)) + "\n")
        return SyncOutcome(False, [step], f"stopped at {name}: {why}", name)
    return None


def _request_all(runner: FixRunner, apps: tuple[str, ...], printer: ProgressPrinter) -> SyncOutcome:
    """Without --wait: ask for every sync, report which Argo CD accepted (like `argocd app sync --async`)."""
    steps: list[StepStatus] = []
    for index, name in enumerate(apps):
        result = runner.sync_app(name, SyncRequest(), step=f"{index + 1}/{len(apps)}")
        step = StepStatus(index, name, REQUESTED if result.ok else FAILED, result.message)
        printer(step)
        steps.append(step)
        if not result.ok:
            return SyncOutcome(False, steps, f"stopped at {name}: {result.message}", name)
    return SyncOutcome(True, steps)


def explain(outcome: SyncOutcome, findings: Sequence[Finding], most: int = 3) -> list[Finding]:
    """The findings about the app the sync stopped at, led by the root causes they trace back to (which may
    be another app's: a pod of the dependency), then the app's own symptoms, errors first."""
    if outcome.ok or outcome.stopped_at is None:
        return []
    about = [f for f in findings if f.app == outcome.stopped_at or f.subject.name == outcome.stopped_at]
    linked = [f for f in findings if f.id]  # (findings that did not go through the causes pass have no chain)
    roots = sorted(Chains(linked).root_causes_of(f for f in about if f.id), key=lambda f: f.sort_key)
    rest = sorted((f for f in about if f not in roots), key=lambda f: f.sort_key)
    return (roots + rest)[:most]


def stop_at_root_cause(outcome: SyncOutcome, findings: Sequence[Finding]) -> SyncOutcome:
    """The outcome explained: its findings, and a stop reason that names the root-cause finding, so the
    run ends on the cause (a crash-looping pod) rather than the first symptom (its app Degraded)."""
    outcome.explained_by = explain(outcome, findings)
    root = outcome.root_cause
    if root is not None:
        outcome.reason += f"; root cause: {root.id}: {root.title}"
    return outcome


def summary_lines(outcome: SyncOutcome) -> list[str]:
    """The closing lines of the text output."""
    if outcome.ok:
        if not outcome.steps:
            return ["ok: nothing to sync"]
        if all(step.state == REQUESTED for step in outcome.steps):
            # Without --wait nothing was seen to finish: say what was done, not "synced".
            return [f"ok: {plural(len(outcome.steps), 'sync')} requested, not waited for (--wait waits)"]
        return [f"ok: {plural(len(outcome.steps), 'app')} synced"]
    lines = [one_line(f"stopped: {outcome.reason}")]
    for finding in outcome.explained_by:
        role = ("root cause: " if finding.is_root else "symptom: ") if finding.id else ""
        lines.append(one_line(f"  {finding.severity.value} [{finding.check}] {role}{finding.title}"))
        lines += [one_line(f"    {item}") for item in finding.evidence_lines]
    return lines
