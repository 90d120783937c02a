"""The sync-window check: an AppProject sync window denies syncing an app now, and when it opens again.

Argo CD assigns a project's windows to an app by glob (applications, namespaces, clusters: any one set list
matching, or every set list with andOperator), and decides as its CanSync does (pkg/apis/application/v1alpha1,
v3.2): an active deny window denies, unless every active deny has manualSync and the sync is manual; else an
active allow window allows; else allow windows that exist but are all inactive deny (manual syncs pass only when
every one of them has manualSync); no windows allow. A window is active from its cron schedule's start, in its
timeZone, for its duration. The same decision disables kftui's sync fixes (`sync_denied`). Time is the
snapshot's: nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kftui import cronspec
from kftui.checks import fixrefs
from kftui.checks.evidence import applications, not_listed
from kftui.model import Application, AppProject, ClusterSnapshot, Finding, ObjectRef, Severity, SyncWindow
from kftui.profile import Profile

BLOCKED_MESSAGE = "Sync operation blocked by sync window"
"""What Argo CD's controller writes into a running operation that a window holds (controller/sync.go)."""
LOOKAHEAD_STEPS = 500
"""How many window starts and ends `opens_at` walks through before it gives up (a deny window that starts
every minute and lasts an hour never ends): a bound on the work, not on the time looked ahead."""


def matches(window: SyncWindow, app: Application) -> bool:
    """Whether Argo CD assigns `window` to `app` (SyncWindows.Matches): by name, destination, namespace."""
    tests = [
        (window.applications, app.name),
        (window.clusters, app.dest_server),
        (window.namespaces, app.dest_namespace),
    ]
    set_lists = [(patterns, value) for patterns, value in tests if patterns]
    hits = [bool(value) and any(fnmatchcase(value, p) for p in patterns) for patterns, value in set_lists]
    if window.and_operator:
        return bool(hits) and all(hits)
    return any(hits)


def zone_offset(window: SyncWindow, now: datetime) -> tuple[timedelta, str]:
    """The window's time zone offset at `now`, and a note when Argo CD would fall back to UTC (unknown zone)."""
    if not window.time_zone or window.time_zone == "UTC":
        return timedelta(0), ""
    try:
        offset = now.astimezone(ZoneInfo(window.time_zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return timedelta(0), f"timeZone {window.time_zone!r} is unknown: Argo CD uses UTC"
    return offset or timedelta(0), ""


@dataclass(frozen=True)
class Timed:
    """A window with its schedule parsed, placed in its time zone."""

    window: SyncWindow
    cron: cronspec.Cron
    duration: timedelta
    offset: timedelta

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(UTC).replace(tzinfo=None) + self.offset

    def _utc(self, local: datetime) -> datetime:
        return (local - self.offset).replace(tzinfo=UTC)

    def active(self, at: datetime) -> bool:
        """Argo CD's SyncWindow.active: a start in (at - duration, at) (open at both ends)."""
        local = self._local(at)
        start = cronspec.next_fire(self.cron, local - self.duration)
        return start is not None and start < local

    def next_change(self, at: datetime) -> datetime | None:
        """The first moment after `at` when the window may open or close: its next start or end."""
        local = self._local(at)
        starts = cronspec.next_fire(self.cron, local)
        running = cronspec.next_fire(self.cron, local - self.duration)
        # next_fire is strictly after local - duration, so this run ends after `local`: a change still ahead.
        ends = running + self.duration if running is not None else None
        found = [t for t in (starts, ends) if t is not None]
        return self._utc(min(found)) if found else None


def timed(window: SyncWindow, now: datetime) -> tuple[Timed, str]:
    """The window ready to evaluate, and a note about its time zone; CronError when Argo CD cannot parse it."""
    offset, note = zone_offset(window, now)
    return Timed(
        window, cronspec.parse(window.schedule), cronspec.parse_duration(window.duration), offset
    ), note


def can_sync(windows: list[Timed], at: datetime, manual: bool) -> bool:
    """Argo CD's SyncWindows.CanSync for the windows assigned to one app (no windows: allowed)."""
    active = [t.window for t in windows if t.active(at)]
    denies = [w for w in active if w.kind == "deny"]
    if denies:
        return manual and all(w.manual_sync for w in denies)
    if any(w.kind == "allow" for w in active):
        return True
    idle_allows = [t.window for t in windows if t.window.kind == "allow" and t.window not in active]
    if idle_allows:
        return manual and all(w.manual_sync for w in idle_allows)
    return True


def opens_at(windows: list[Timed], now: datetime, manual: bool) -> datetime | None:
    """When a sync (manual or automated) is allowed again: the first window start or end after `now` at which
    CanSync says yes. None when it does not within LOOKAHEAD_STEPS changes (or never changes again)."""
    at = now
    for _ in range(LOOKAHEAD_STEPS):
        changes = [c for c in (t.next_change(at) for t in windows) if c is not None]
        if not changes:
            return None
        at = min(changes)
        # Argo CD's windows are open intervals: a second later the change has happened.
        if can_sync(windows, at + timedelta(seconds=1), manual):
            return at
    return None


@dataclass(frozen=True)
class Verdict:
    """What the windows of an app's project say about syncing it now."""

    project: str
    assigned: tuple[SyncWindow, ...]
    active: tuple[SyncWindow, ...]
    manual: bool
    """A manual sync (kftui's, `argocd app sync`) is allowed now."""
    automated: bool
    """An automated sync is allowed now."""
    opens: datetime | None = None
    """When a manual sync is allowed again (None when allowed now, or not within the lookahead)."""
    problem: str = ""
    """Why Argo CD cannot evaluate the windows (a schedule or duration it cannot parse): it then denies."""
    notes: tuple[str, ...] = ()


def describe(window: SyncWindow) -> str:
    """`deny window #0 ("0 22 * * *" for 8h, Europe/Berlin)`: how `argocd proj windows list` shows it, briefly."""
    where = f", {window.time_zone}" if window.time_zone else ""
    manual = ", manualSync" if window.manual_sync else ""
    return f'{window.kind or "?"} window #{window.index} ("{window.schedule}" for {window.duration}{where}{manual})'


def verdict(project: AppProject, app: Application, now: datetime) -> Verdict | None:
    """The windows' verdict for `app` now, or None when no window of its project applies to it."""
    assigned = tuple(w for w in project.sync_windows if matches(w, app))
    if not assigned:
        return None
    windows: list[Timed] = []
    notes: list[str] = []
    try:
        for window in assigned:
            ready, note = timed(window, now)
            windows.append(ready)
            notes += [note] if note else []
    except cronspec.CronError as exc:
        # Argo CD refuses every sync of the app while a window cannot be parsed ("invalid sync windows").
        return Verdict(project.name, assigned, (), False, False, problem=str(exc))
    manual = can_sync(windows, now, manual=True)
    return Verdict(
        project.name,
        assigned,
        tuple(t.window for t in windows if t.active(now)),
        manual,
        can_sync(windows, now, manual=False),
        None if manual else opens_at(windows, now, manual=True),
        notes=tuple(notes),
    )


def app_verdict(snapshot: ClusterSnapshot, app: Application) -> Verdict | None:
    """The verdict for an app from its project in the snapshot (None: no project there, or no window applies)."""
    project = snapshot.projects.get((app.namespace, app.project))
    return verdict(project, app, snapshot.now) if project is not None else None


def _when(opens: datetime | None) -> str:
    return f"{opens:%Y-%m-%d %H:%M}Z" if opens is not None else "no opening found ahead"


def headline(found: Verdict, app: str) -> str:
    """What denies syncing `app`, naming the project (a finding's title, the start of `reason`)."""
    if found.problem:
        return f"Sync windows of project {found.project} cannot be evaluated: Argo CD refuses every sync of {app}"
    if any(w.kind == "deny" for w in found.active):
        return f"Sync window of project {found.project} denies syncing {app} now"
    return f"No allow window of project {found.project} is open for {app}"


def reason(found: Verdict, app: str) -> str:
    """One line naming the project, the window and when it opens (the reason a sync fix is disabled)."""
    if found.problem:
        return f"{headline(found, app)} ({found.problem})"
    denies = [w for w in found.active if w.kind == "deny"]
    which = denies or [w for w in found.assigned if w.kind == "allow"]
    verb = "until" if denies else "next opens"
    return f"{headline(found, app)}: {'; '.join(describe(w) for w in which)}; {verb} {_when(found.opens)}"


def sync_denied(snapshot: ClusterSnapshot, app_name: str) -> str | None:
    """Why a manual sync of `app_name` is refused by its project's sync windows now, or None.

    The planners mark sync fixes blocked with this; `kftui sync` stops on it."""
    app = snapshot.applications.get((snapshot.argocd_namespace, app_name))
    if app is None:
        return None
    found = app_verdict(snapshot, app)
    return reason(found, app.name) if found is not None and not found.manual else None


def sync_window(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An AppProject sync window denies syncing an app now (or lets only manual syncs through), with when it opens.

    Argo CD then refuses a manual sync ("cannot sync: blocked by sync window"), or holds a sync written to
    the Application ("Sync operation blocked by sync window"), and skips automated syncs; nothing else says
    why. Documented in Argo CD's user guide, "Sync Windows". When AppProjects cannot be listed, says so.
    """
    if not_listed(snapshot, "AppProject"):
        reason_text = snapshot.forbidden.get("AppProject") or snapshot.forbidden.get("projects", "")
        yield Finding(
            check="sync-window",
            severity=Severity.INFO,
            app=None,
            subject=ObjectRef("AppProject", snapshot.argocd_namespace, "*"),
            title="Sync windows not checked: the AppProjects could not be listed",
            evidence=reason_text,
            explanation="Whether a project's sync window denies syncing now is unknown, not clear: a sync "
            "may still be refused or held by one. Grant list/watch on appprojects.argoproj.io in "
            f"{snapshot.argocd_namespace} to check them.",
        )
        return
    if not snapshot.projects:
        return
    for app in applications(snapshot):
        found = app_verdict(snapshot, app)
        if found is None or (found.manual and (found.automated or not app.automated)):
            continue
        yield _finding(snapshot, app, found)


def _finding(snapshot: ClusterSnapshot, app: Application, found: Verdict) -> Finding:
    held = app.operation_state is not None and app.operation_state.message.startswith(BLOCKED_MESSAGE)
    evidence = f"AppProject {found.project} spec.syncWindows: " + ", ".join(
        describe(w) + (" active" if w in found.active else "") for w in found.assigned
    )
    evidence += f"\nnow {snapshot.now:%Y-%m-%d %H:%M}Z"
    evidence += "".join(f"\n{note}" for note in found.notes)
    if held and app.operation_state is not None:
        evidence += f"\nstatus.operationState.message: {app.operation_state.message}"
    subject = ObjectRef("AppProject", app.namespace, found.project)
    if found.manual:
        return Finding(
            check="sync-window",
            severity=Severity.INFO,
            app=app.name,
            subject=subject,
            title=f"Sync window of project {found.project} holds automated syncs of {app.name}; manual sync allowed",
            evidence=evidence,
            explanation="Auto-sync does not run while the window denies it; a manual sync (fix: sync) is "
            "let through because the window has manualSync.",
            fixes=(fixrefs.sync(app.name),),
        )
    return Finding(
        check="sync-window",
        severity=Severity.WARNING,
        app=app.name,
        subject=subject,
        title=headline(found, app.name) + (f" (opens {found.opens:%Y-%m-%d %H:%M}Z)" if found.opens else ""),
        evidence=evidence,
        explanation="Argo CD refuses a manual sync while the window denies it and holds a sync already "
        "written to the Application; kftui's sync fixes are disabled until it opens. Wait for it, or change "
        "the project's windows (argocd proj windows ...), which is a policy decision.",
        fixes=(fixrefs.project_windows(found.project),),
    )
