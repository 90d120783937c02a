"""The sync view's content (`S` in the TUI): one Application's sync operation, its waves and hooks, and its blocker.

Pure: everything comes from Argo CD's own status as the snapshot holds it. status.operationState gives the
phase, the start, the retries, the message and the results (with each hook's type and phase); status.resources
gives each resource's sync wave (Argo CD reads it from the live object's argocd.argoproj.io/sync-wave
annotation), its sync status and health; the live workload and its pods say why the blocker is not healthy.
Time comes from the snapshot, never the clock. The blocker and the finding that explains it come from
kftui/syncblocker.py. Every row passes through textsafe.one_line: names and messages are cluster text.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from kftui.checks.sync_ops import span
from kftui.model import Application, ClusterSnapshot, Finding, ManagedResource, OperationState, ResourceResult
from kftui.syncblocker import BAD_HOOK, Blocker, argo_path, find_blocker
from kftui.textsafe import one_line

HOOK_ORDER = ("PreSync", "Sync", "PostSync", "SyncFail", "PostDelete")
"""The order Argo CD runs hook types in (SyncFail only when the sync failed)."""
RUNNING = ("Running", "Terminating")
BAD_HEALTH = ("Degraded", "Missing")
WAITING_HEALTH = ("Progressing", "Suspended")


class Tone(enum.Enum):
    """What a row says, for its colour: the screen maps each tone to one style."""

    HEADING = "heading"
    PLAIN = "plain"
    DONE = "done"
    ACTIVE = "active"
    PENDING = "pending"
    FAILED = "failed"
    BLOCKER = "blocker"
    LINK = "link"


MARK = {Tone.DONE: "✔", Tone.ACTIVE: "▶", Tone.PENDING: "·", Tone.FAILED: "✖"}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the view; `text` is already inert (one line, controls escaped)."""

    text: str
    tone: Tone = Tone.PLAIN


@dataclass(frozen=True, slots=True)
class SyncView:
    """Everything the sync view shows of one app: a one-line headline, the blocker and the rows."""

    app: str
    headline: str
    running: bool
    blocker: Blocker | None
    rows: tuple[Row, ...]


def _row(text: str, tone: Tone = Tone.PLAIN) -> Row:
    return Row(one_line(text), tone)


def _stamp(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%SZ}" if moment is not None else "(not recorded)"


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    seconds = (now - moment).total_seconds()
    return f", {span(seconds)} ago" if seconds >= 0 else ""


def _where(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def sync_view(snapshot: ClusterSnapshot, name: str, findings: Sequence[Finding] = ()) -> SyncView:
    """The view of Application `name` in `snapshot`; `findings` (linked by checks/causes.py) explain the blocker."""
    app = snapshot.applications.get((snapshot.argocd_namespace, name))
    if app is None:
        text = f"Application {name} is not in the snapshot (deleted, or not listed)."
        return SyncView(name, "not found", False, None, (_row(text, Tone.PENDING),))
    state = app.operation_state
    running = app.operation_phase in RUNNING
    blocker = find_blocker(app, snapshot, findings) if running else None
    rows = [
        *_operation_rows(app, state, running, snapshot.now),
        *_blocker_rows(blocker, running),
        *_hook_rows(app, state),
        *_wave_rows(app, state, running, blocker),
    ]
    return SyncView(app.name, _headline(app, state, running, snapshot.now), running, blocker, tuple(rows))


def _headline(app: Application, state: OperationState | None, running: bool, now: datetime) -> str:
    if running:
        phase = app.operation_phase
        if state is None or state.started_at is None or state.phase not in RUNNING:
            return f"{phase}: requested, not started yet"
        retry = f", retry {state.retry_count}" if state.retry_count else ""
        return f"{phase} for {span((now - state.started_at).total_seconds())}{retry}"
    if state is None:
        return "no sync running, none recorded"
    return f"no sync running; the last one {state.phase or 'ended'}"


def _operation_rows(
    app: Application, state: OperationState | None, running: bool, now: datetime
) -> list[Row]:
    rows = [_row("Operation", Tone.HEADING)]
    if state is None or (running and state.phase not in RUNNING):
        if running:
            return [
                *rows,
                _row("  sync requested (.operation set), not started by the controller yet", Tone.ACTIVE),
            ]
        return [
            *rows,
            _row("  no sync is running, and Argo CD records no operation for this app", Tone.PENDING),
        ]
    if not running:
        rows.append(_row("  no sync is running; the last operation:"))
    tone = Tone.ACTIVE if running else (Tone.DONE if state.phase == "Succeeded" else Tone.FAILED)
    rows.append(_row(f"  phase     {state.phase}{_operation_of(state)}", tone))
    rows.append(_row(f"  started   {_stamp(state.started_at)}{_ago(state.started_at, now)}"))
    if running and state.started_at is not None:
        rows.append(_row(f"  elapsed   {span((now - state.started_at).total_seconds())}"))
    elif state.finished_at is not None:
        took = (
            f" (took {span((state.finished_at - state.started_at).total_seconds())})"
            if state.started_at
            else ""
        )
        rows.append(_row(f"  finished  {_stamp(state.finished_at)}{took}{_ago(state.finished_at, now)}"))
    rows.append(_row(f"  retries   {state.retry_count}"))
    rows.append(
        _row(f"  message   {state.message or '(none)'}", Tone.FAILED if tone is Tone.FAILED else Tone.PLAIN)
    )
    return rows


def _operation_of(state: OperationState) -> str:
    op = state.operation
    if op is None:
        return ""
    parts = [f"sync to {op.revision}" if op.revision else "sync"]
    if op.initiated_by or op.automated:
        parts.append(f"by {op.initiated_by or 'automated sync'}")
    flags = [word for word, on in (("prune", op.prune), ("force", op.force), ("dry run", op.dry_run)) if on]
    return f" ({' '.join(parts)}{', ' + ', '.join(flags) if flags else ''})"


def _blocker_rows(blocker: Blocker | None, running: bool) -> list[Row]:
    if not running:
        return []
    rows = [_row(""), _row("Blocker", Tone.HEADING)]
    if blocker is None:
        rows.append(
            _row("  Argo CD's status names nothing the sync waits for (it may be applying, or about to end)")
        )
        return rows
    rows.append(_row(f"  {blocker.text}", Tone.BLOCKER))
    if blocker.finding is None:
        rows.append(_row("  no finding explains it yet (the checks see nothing wrong with it)", Tone.PENDING))
        return rows
    rows.append(_row(f"  explained by {blocker.finding.id}: {blocker.finding.title}", Tone.LINK))
    if blocker.root is not None:
        rows.append(_row(f"  root cause   {blocker.root.id}: {blocker.root.title}", Tone.LINK))
    rows.append(_row("  (enter shows it in the findings)", Tone.PENDING))
    return rows


# --- hooks and waves -----------------------------------------------------------------------------------


def _hook_tone(phase: str) -> Tone:
    if phase == "Succeeded":
        return Tone.DONE
    if phase in BAD_HOOK:
        return Tone.FAILED
    return Tone.ACTIVE if phase in ("Running", "Pending") else Tone.PENDING


def _hook_rows(app: Application, state: OperationState | None) -> list[Row]:
    results = [r for r in (state.results if state else ()) if r.hook_type]
    order = {t: n for n, t in enumerate(HOOK_ORDER)}
    results.sort(key=lambda r: order.get(r.hook_type, len(HOOK_ORDER)))
    seen = {r.ref for r in results}
    live = [r for r in app.resources if r.hook and r.ref not in seen]
    rows = [_row(""), _row("Hooks", Tone.HEADING)]
    if not results and not live:
        rows.append(_row("  none in this operation"))
    for r in results:
        tone = _hook_tone(r.hook_phase)
        phase = r.hook_phase or "not started"
        message = f"  {r.message}" if r.message else ""
        where = argo_path(r.group, r.kind, r.namespace, r.name)
        rows.append(_row(f"  {MARK[tone]} {r.hook_type:<9} {where}  {phase}{message}", tone))
    for res in live:
        tone = Tone.FAILED if res.health_status in BAD_HEALTH else Tone.PENDING
        health = res.health_status or "no health"
        rows.append(
            _row(
                f"  {MARK[tone]} {'hook':<9} {argo_path(res.group, res.kind, res.namespace, res.name)}  {health}",
                tone,
            )
        )
    return rows


def _resource_tone(res: ManagedResource, result: ResourceResult | None) -> Tone:
    if res.health_status in BAD_HEALTH or (result is not None and result.status == "SyncFailed"):
        return Tone.FAILED
    if res.health_status in WAITING_HEALTH:
        return Tone.ACTIVE
    if res.sync_status in ("OutOfSync", "Unknown"):
        return Tone.PENDING
    return Tone.DONE


def _resource_text(res: ManagedResource, result: ResourceResult | None, tone: Tone, blocker: bool) -> str:
    status = " ".join(s for s in (res.sync_status, res.health_status) if s)
    text = f"    {MARK[tone]} {res.kind} {_where(res.namespace, res.name)}  {status}"
    if res.health_message and tone is not Tone.DONE:
        text += f": {res.health_message}"
    if result is not None and result.status == "SyncFailed":
        text += f"; apply failed: {result.message}"
    if res.requires_pruning:
        text += "  (to prune)"
    return text + ("   <- blocker" if blocker else "")


def _wave_state(tones: list[Tone], running: bool, earlier_open: bool, has_blocker: bool) -> tuple[str, Tone]:
    """A running sync applies no wave before the ones above it are healthy: those after an open wave are
    pending, whatever their resources' state from an earlier sync."""
    if running and has_blocker:
        return "waiting: Argo CD applies the next wave once this one is healthy", Tone.BLOCKER
    if running and earlier_open:
        return "pending: applied after the waves above", Tone.PENDING
    if all(t is Tone.DONE for t in tones):
        return "done", Tone.DONE
    if running:
        return "in progress", Tone.ACTIVE
    bad = sum(1 for t in tones if t is not Tone.DONE)
    return f"{bad} not Synced and Healthy", Tone.FAILED if Tone.FAILED in tones else Tone.PENDING


def _wave_rows(
    app: Application, state: OperationState | None, running: bool, blocker: Blocker | None
) -> list[Row]:
    results = {
        (r.group, r.kind, r.namespace, r.name): r for r in (state.results if state else ()) if not r.hook_type
    }
    plain = sorted((r for r in app.resources if not r.hook), key=lambda r: r.sync_wave)
    rows = [
        _row(""),
        _row("Waves (in the order Argo CD applies them; each must be healthy before the next)", Tone.HEADING),
    ]
    if not plain:
        rows.append(_row("  Argo CD lists no resources for this app"))
        return rows
    # A PreSync hook the sync waits for holds every wave (a PostSync one runs once they are all done).
    pre_sync = {r.ref for r in (state.results if state else ()) if r.hook_type == "PreSync"}
    earlier_open = blocker is not None and blocker.ref in pre_sync
    for wave, members in groupby(plain, key=lambda r: r.sync_wave):
        listed = list(members)
        found = [results.get((r.group, r.kind, r.namespace, r.name)) for r in listed]
        tones = [_resource_tone(r, res) for r, res in zip(listed, found, strict=True)]
        marks = [blocker is not None and r.ref == blocker.ref for r in listed]
        state_text, tone = _wave_state(tones, running, earlier_open, any(marks))
        earlier_open = earlier_open or tone is not Tone.DONE
        count = f"{len(listed)} resource{'' if len(listed) == 1 else 's'}"
        rows.append(_row(f"  wave {wave:>3}  {count}, {state_text}", tone))
        for res, result, res_tone, mark in zip(listed, found, tones, marks, strict=True):
            rows.append(_row(_resource_text(res, result, res_tone, mark), Tone.BLOCKER if mark else res_tone))
    return rows
