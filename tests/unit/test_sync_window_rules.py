"""sync-window: an AppProject's windows deny syncing an app now, and when they open; the fixes say so too."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kftui.checks.sync_windows import sync_denied, sync_window
from kftui.cluster.convert import to_model
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ObjectRef, Severity, WatchEvent, apply_event
from kftui.profile import builtin_profile
from kftui.synccmd import summary_lines, window_stop
from tests.fix_fakes import FakeArgo
from tests.unit.fixtures.builders import fresh, snapshot

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]
APP = "kubeflow-pipelines"


def project(*windows: Raw, name: str = "default") -> Raw:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"sourceRepos": ["*"], "syncWindows": list(windows)},
    }


def window(kind: str, schedule: str, duration: str, **extra: Any) -> Raw:
    return {"kind": kind, "schedule": schedule, "duration": duration, "applications": [APP], **extra}


def findings(*windows: Raw, now: datetime, automated: bool = False) -> list[Any]:
    objects = [*fresh(), project(*windows)]
    if automated:
        for obj in objects:
            if obj["kind"] == "Application":
                obj["spec"]["syncPolicy"]["automated"] = {}
    return list(sync_window(snapshot(objects, now=now), KUBEFLOW))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_active_deny_window_names_the_project_and_when_it_ends() -> None:
    [finding] = findings(window("deny", "0 22 * * *", "8h"), now=utc("2026-11-20T03:12"))
    assert finding.severity is Severity.WARNING and finding.app == APP
    assert finding.subject == ObjectRef("AppProject", "argocd", "default")
    # Opened at 22:00 the day before, spans midnight, ends at 06:00.
    assert (
        finding.title == f"Sync window of project default denies syncing {APP} now (opens 2026-11-20 06:00Z)"
    )
    assert 'deny window #0 ("0 22 * * *" for 8h) active' in finding.evidence
    assert [f.id for f in finding.fixes] == ["project-windows"]


@pytest.mark.parametrize("now", ["2026-11-20T06:00:30", "2026-11-20T21:59", "2026-11-21T22:00:00"])
def test_outside_the_deny_window_nothing_is_found(now: str) -> None:
    # 22:00:00 itself is not inside yet: Argo CD's windows are open at both ends.
    assert findings(window("deny", "0 22 * * *", "8h"), now=utc(now)) == []


def test_the_time_zone_moves_the_window() -> None:
    # 03:12 UTC is 12:12 in Tokyo (UTC+9): a 09:00-17:00 Tokyo deny window is active, a UTC one is not.
    deny = window("deny", "0 9 * * *", "8h", timeZone="Asia/Tokyo")
    [finding] = findings(deny, now=utc("2026-11-20T03:12"))
    assert "(opens 2026-11-20 08:00Z)" in finding.title  # 17:00 Tokyo
    assert findings(window("deny", "0 9 * * *", "8h"), now=utc("2026-11-20T03:12")) == []


def test_an_unknown_time_zone_is_utc_as_in_argo_cd() -> None:
    [finding] = findings(
        window("deny", "0 3 * * *", "1h", timeZone="Mars/Olympus"), now=utc("2026-11-20T03:12")
    )
    assert "timeZone 'Mars/Olympus' is unknown: Argo CD uses UTC" in finding.evidence


def test_allow_windows_none_open_deny_until_the_next_one_starts() -> None:
    [finding] = findings(window("allow", "0 1 * * SAT", "2h"), now=utc("2026-11-20T03:12"))
    assert finding.title == f"No allow window of project default is open for {APP} (opens 2026-11-21 01:00Z)"
    # Inside the allow window: allowed.
    assert findings(window("allow", "0 1 * * SAT", "2h"), now=utc("2026-11-21T02:00")) == []


def test_manual_sync_lets_manual_syncs_through_and_says_automated_ones_wait() -> None:
    deny = window("deny", "0 22 * * *", "8h", manualSync=True)
    assert findings(deny, now=utc("2026-11-20T03:12")) == []  # no auto-sync: nothing is held
    [finding] = findings(deny, now=utc("2026-11-20T03:12"), automated=True)
    assert finding.severity is Severity.INFO and "manual sync allowed" in finding.title
    assert [f.id for f in finding.fixes] == ["sync"]


def test_a_deny_without_manual_sync_wins_over_one_with_it() -> None:
    both = [window("deny", "0 22 * * *", "8h", manualSync=True), window("deny", "0 3 * * *", "1h")]
    [finding] = findings(*both, now=utc("2026-11-20T03:12"))
    assert finding.severity is Severity.WARNING and "opens 2026-11-20 04:00Z" in finding.title


def test_windows_are_assigned_by_glob_and_with_and_operator_by_every_set_list() -> None:
    by_namespace = {"kind": "deny", "schedule": "* * * * *", "duration": "1h", "namespaces": ["kube*"]}
    assert {f.app for f in findings(by_namespace, now=utc("2026-11-20T03:12"))} >= {APP, "kubeflow"}
    both = {**by_namespace, "applications": ["kubeflow"], "andOperator": True}
    assert [f.app for f in findings(both, now=utc("2026-11-20T03:12"))] == ["kubeflow"]


def test_a_window_argo_cd_cannot_parse_denies_every_sync() -> None:
    [finding] = findings(window("deny", "0 25 * * *", "1h"), now=utc("2026-11-20T03:12"))
    assert "cannot be evaluated" in finding.title


def test_appprojects_that_could_not_be_listed_are_reported_not_cleared() -> None:
    snap = snapshot(fresh(), now=utc("2026-11-20T03:12"))
    snap = replace(snap, forbidden={"AppProject": "forbidden: cannot list AppProject (x)"})
    [finding] = sync_window(snap, KUBEFLOW)
    assert finding.title == "Sync windows not checked: the AppProjects could not be listed"
    assert finding.evidence == "forbidden: cannot list AppProject (x)"


@pytest.mark.parametrize("fix_id", ["sync", "force-sync", "sync-prune", "ordered-sync"])
def test_sync_fixes_are_blocked_with_the_window_and_when_it_ends(fix_id: str) -> None:
    snap = snapshot([*fresh(), project(window("deny", "0 22 * * *", "8h"))], now=utc("2026-11-20T03:12"))
    plan = plan_action(fix_id, ObjectRef("Application", "argocd", APP), snap, KUBEFLOW)
    assert plan.blocked is not None
    assert f"Sync window of project default denies syncing {APP} now" in plan.blocked
    assert plan.blocked.endswith("until 2026-11-20 06:00Z")
    later = snapshot([*fresh(), project(window("deny", "0 22 * * *", "8h"))], now=utc("2026-11-20T07:00"))
    assert plan_action(fix_id, ObjectRef("Application", "argocd", APP), later, KUBEFLOW).blocked is None


def test_sync_denied_is_none_without_a_project_or_window() -> None:
    assert sync_denied(snapshot(fresh(), now=utc("2026-11-20T03:12")), APP) is None
    snap = snapshot([*fresh(), project()], now=utc("2026-11-20T03:12") + timedelta(hours=1))
    assert sync_denied(snap, APP) is None


def test_kftui_sync_stops_before_syncing_naming_the_window_and_the_gate_records_it(tmp_path: Path) -> None:
    snap = snapshot([*fresh(), project(window("deny", "0 22 * * *", "8h"))], now=utc("2026-11-20T03:12"))
    argo = FakeArgo()
    for name in ("kubeflow", APP):
        argo.add(name)
    audit = tmp_path / "audit.jsonl"
    runner = FixRunner(Gate(False, AuditLog(audit, user="t"), "lab"), argo, poll_interval=0)
    out = io.StringIO()
    outcome = window_stop(runner, snap, ("kubeflow", APP), KUBEFLOW, out)
    assert outcome is not None and not outcome.ok and outcome.stopped_at == APP
    assert argo.calls == []  # nothing was synced, not even the app before it
    assert f"Sync window of project default denies syncing {APP} now" in outcome.reason
    assert "until 2026-11-20 06:00Z" in summary_lines(outcome)[0]
    assert out.getvalue().startswith(f"[2/2] {APP}: failed: Sync window of project default")
    [record] = [json.loads(line) for line in audit.read_text().splitlines()]
    assert record["action"] == "sync" and record["result"].startswith(
        "refused: Sync window of project default"
    )
    open_now = snapshot([*fresh(), project(window("deny", "0 22 * * *", "8h"))], now=utc("2026-11-20T07:00"))
    assert window_stop(runner, open_now, ("kubeflow", APP), KUBEFLOW, out) is None


def test_an_appproject_watched_lands_in_the_snapshot_with_its_windows() -> None:
    raw = project(window("deny", "0 22 * * *", "8h", manualSync=True, timeZone="Asia/Tokyo"))
    converted = to_model(raw, "AppProject")
    assert converted is not None
    snap = apply_event(snapshot(fresh(), now=utc("2026-11-20T03:12")), WatchEvent("ADDED", converted))
    [(key, found)] = snap.projects.items()
    assert key == ("argocd", "default") and found.ref == ObjectRef("AppProject", "argocd", "default")
    [w] = found.sync_windows
    assert (w.kind, w.schedule, w.duration, w.applications) == ("deny", "0 22 * * *", "8h", (APP,))
    assert w.manual_sync and w.time_zone == "Asia/Tokyo" and w.index == 0


def _as_json(finding: Any) -> dict[str, Any]:
    from kftui.report import finding_to_dict

    found = finding_to_dict(finding)
    del found["id"], found["caused_by"]  # (the causal pass's: test_causes)
    return found


def test_a_deny_window_in_full() -> None:
    """Every field, as `kftui check -o json` prints it: the windows listed, which is active, the time."""
    quiet = window("allow", "0 9 * * 1-5", "2h", manualSync=True)
    [finding] = findings(window("deny", "0 22 * * *", "8h"), quiet, now=utc("2026-11-20T03:12"))
    assert _as_json(finding) == {
        "check": "sync-window",
        "severity": "warning",
        "app": APP,
        "subject": {"kind": "AppProject", "namespace": "argocd", "name": "default", "cluster": ""},
        "title": f"Sync window of project default denies syncing {APP} now (opens 2026-11-20 06:00Z)",
        "evidence": [
            'AppProject default spec.syncWindows: deny window #0 ("0 22 * * *" for 8h) active, '
            'allow window #1 ("0 9 * * 1-5" for 2h, manualSync)',
            "now 2026-11-20 03:12Z",
        ],
        "explanation": "Argo CD refuses a manual sync while the window denies it and holds a sync already "
        "written to the Application; kftui's sync fixes are disabled until it opens. Wait for it, or change "
        "the project's windows (argocd proj windows ...), which is a policy decision.",
        "fixes": [
            {
                "id": "project-windows",
                "title": "List the sync windows of project default",
                "command": "argocd proj windows list default",
            }
        ],
    }


def test_manual_sync_allowed_in_full_quotes_the_sync_argo_cd_holds() -> None:
    objects = [*fresh(), project(window("deny", "0 22 * * *", "8h", manualSync=True))]
    for obj in objects:
        if obj["kind"] == "Application" and obj["metadata"]["name"] == APP:
            obj["spec"]["syncPolicy"]["automated"] = {}
            obj["status"]["operationState"]["message"] = "Sync operation blocked by sync window"
    [finding] = sync_window(snapshot(objects, now=utc("2026-11-20T03:12")), KUBEFLOW)
    assert _as_json(finding) == {
        "check": "sync-window",
        "severity": "info",
        "app": APP,
        "subject": {"kind": "AppProject", "namespace": "argocd", "name": "default", "cluster": ""},
        "title": f"Sync window of project default holds automated syncs of {APP}; manual sync allowed",
        "evidence": [
            'AppProject default spec.syncWindows: deny window #0 ("0 22 * * *" for 8h, manualSync) active',
            "now 2026-11-20 03:12Z",
            "status.operationState.message: Sync operation blocked by sync window",
        ],
        "explanation": "Auto-sync does not run while the window denies it; a manual sync (fix: sync) is let "
        "through because the window has manualSync.",
        "fixes": [{"id": "sync", "title": f"Sync {APP}", "command": f"argocd app sync {APP}"}],
    }


@pytest.mark.parametrize(
    ("windows", "why"),
    [
        (
            [window("deny", "0 22 * * *", "8h")],
            f'Sync window of project default denies syncing {APP} now: deny window #0 ("0 22 * * *" for 8h); '
            "until 2026-11-20 06:00Z",
        ),
        (
            [window("allow", "0 9 * * *", "2h")],
            f'No allow window of project default is open for {APP}: allow window #0 ("0 9 * * *" for 2h); '
            "next opens 2026-11-20 09:00Z",
        ),
        (
            [window("deny", "61 * * * *", "1h")],
            f"Sync windows of project default cannot be evaluated: Argo CD refuses every sync of {APP} "
            "(61 is outside 0-59)",
        ),
        ([window("deny", "0 22 * * *", "8h", manualSync=True)], None),  # manual syncs go through
    ],
)
def test_the_reason_a_sync_is_refused_in_full(windows: list[Raw], why: str | None) -> None:
    """The one line the disabled sync fixes and `kftui sync` show: the project, the window, and when."""
    assert sync_denied(snapshot([*fresh(), project(*windows)], now=utc("2026-11-20T03:12")), APP) == why
