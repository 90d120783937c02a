"""`kftui sync`: durations, app order, the blocker it names, its progress lines and its exit codes.

Driven through a FixRunner over the fake of our own Argo CD seam (tests/fix_fakes.py); the e2e tests run the
command against the lab's real Argo CD.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kftui import cli
from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.ordered import DONE, FAILED, SETTLING, StepStatus
from kftui.fixes.run import FixRunner
from kftui.model import (
    Application,
    Finding,
    ManagedResource,
    ObjectRef,
    OperationState,
    ResourceResult,
    Severity,
)
from kftui.profile import builtin_profile
from kftui.synccmd import (
    ProgressPrinter,
    SyncOutcome,
    blocker,
    explain,
    order_apps,
    parse_duration,
    run_sync,
    step_line,
    stop_at_root_cause,
    summary_lines,
)
from tests.fix_fakes import FakeArgo, SteppingClock

CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")
PROFILE = builtin_profile()


def make(tmp_path: Path, **per_app: dict[str, object]) -> tuple[FakeArgo, FixRunner]:
    argo = FakeArgo()
    for name in CHAIN:
        argo.add(name, **per_app.get(name, {}))
    gate = Gate(False, AuditLog(tmp_path / "audit.jsonl", user="t"), "lab")
    return argo, FixRunner(gate, argo, poll_interval=0)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("300", 300.0), ("90s", 90.0), ("5m", 300.0), ("1h30m", 5400.0), ("1m30s", 90.0), ("1.5s", 1.5)],
)
def test_durations_read_as_kubectl_writes_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m", "-1", "0", "5m junk", "1s2"])
def test_what_is_not_a_duration_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match="examples"):
        parse_duration(text)


def test_apps_follow_the_dependency_chain_whatever_order_they_are_named_in() -> None:
    known = {*CHAIN, "extra"}
    assert order_apps(["kubeflow-pipelines", "extra", "kubeflow"], PROFILE, known) == (
        "kubeflow",
        "kubeflow-pipelines",
        "extra",
    )
    assert order_apps([], PROFILE, {"kubeflow-pipelines", "kubeflow"}) == ("kubeflow", "kubeflow-pipelines")


def test_an_unknown_app_is_named() -> None:
    with pytest.raises(ValueError, match="no Application named nope"):
        order_apps(["kubeflow", "nope"], PROFILE, set(CHAIN))


def test_ordered_sync_runs_the_chain_and_prints_each_step(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    out = io.StringIO()
    outcome = run_sync(runner, CHAIN, ordered=True, wait=True, timeout=5, out=out, interval=0)
    assert outcome.ok, outcome.reason
    assert [c[1] for c in argo.calls] == list(CHAIN)
    assert [s.state for s in outcome.steps] == [DONE] * 3
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/3] kubeflow: waiting")
    assert any(line.startswith("[3/3] kubeflow-pipelines: done") for line in lines)
    assert summary_lines(outcome) == ["ok: 3 apps synced"]


def test_ordered_sync_stops_at_the_failing_app_and_never_syncs_the_rest(tmp_path: Path) -> None:
    argo, runner = make(tmp_path, **{"kubeflow-seaweedfs": {"fail_with": "PreSync hook failed"}})
    outcome = run_sync(runner, CHAIN, ordered=True, wait=True, timeout=5, out=io.StringIO(), interval=0)
    assert not outcome.ok
    assert outcome.stopped_at == "kubeflow-seaweedfs"
    assert "PreSync hook failed" in outcome.reason
    assert [c[1] for c in argo.calls] == ["kubeflow", "kubeflow-seaweedfs"]
    assert summary_lines(outcome)[0].startswith("stopped: stopped at kubeflow-seaweedfs")


def test_without_order_every_app_is_synced_and_waited_for(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    outcome = run_sync(runner, CHAIN, ordered=False, wait=True, timeout=5, out=io.StringIO(), interval=0)
    assert outcome.ok, outcome.reason
    assert sorted(c[1] for c in argo.calls) == sorted(CHAIN)
    assert [s.app for s in outcome.steps] == list(CHAIN)
    assert all(argo.apps[n].app.sync_status == "Synced" for n in CHAIN)


def test_without_wait_the_syncs_are_only_requested(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    out = io.StringIO()
    outcome = run_sync(runner, CHAIN, ordered=False, wait=False, timeout=5, out=out, interval=0)
    assert outcome.ok
    assert [s.state for s in outcome.steps] == ["requested"] * 3
    assert all(argo.apps[n].app.operation is not None for n in CHAIN)  # still running: nobody waited
    assert "[2/3] kubeflow-seaweedfs: requested" in out.getvalue()
    assert summary_lines(outcome) == ["ok: 3 syncs requested, not waited for (--wait waits)"]


def test_a_timeout_stops_with_the_state_the_app_was_left_in(tmp_path: Path) -> None:
    _, runner = make(tmp_path, kubeflow={"stay_progressing": True})
    outcome = run_sync(
        runner,
        CHAIN,
        ordered=True,
        wait=True,
        timeout=5,
        out=io.StringIO(),
        interval=0,
        monotonic=SteppingClock(0.01),
    )
    assert not outcome.ok
    assert outcome.stopped_at == "kubeflow"
    assert "health Progressing" in outcome.reason


def app_with(
    resources: tuple[ManagedResource, ...] = (), results: tuple[ResourceResult, ...] = ()
) -> Application:
    state = OperationState("Running", results=results) if results else None
    return Application(
        name="kubeflow-pipelines", namespace="argocd", resources=resources, operation_state=state
    )


def resource(kind: str, name: str, health: str, wave: int = 0, message: str = "") -> ManagedResource:
    return ManagedResource("apps", "v1", kind, "kubeflow", name, "Synced", health, message, sync_wave=wave)


def test_the_blocker_is_the_first_unhealthy_resource_in_wave_order() -> None:
    app = app_with(
        resources=(
            resource("Deployment", "late", "Progressing", wave=5),
            resource("Deployment", "ml-pipeline", "Degraded", wave=1, message="0/1 available"),
            resource("Deployment", "fine", "Healthy", wave=0),
        )
    )
    assert blocker(app) == "Deployment kubeflow/ml-pipeline: Degraded (0/1 available)"
    assert blocker(app_with(resources=(resource("Deployment", "fine", "Healthy"),))) == ""


def test_a_running_or_failed_hook_is_the_blocker_before_any_resource() -> None:
    hook = ResourceResult(
        "batch", "v1", "Job", "kubeflow", "pre-sync", message="job.batch/pre-sync created", hook_phase="Running",
        hook_type="PreSync",
    )  # fmt: skip
    app = app_with(resources=(resource("Deployment", "x", "Progressing"),), results=(hook,))
    assert blocker(app) == "PreSync hook Job kubeflow/pre-sync: Running"
    failed = ResourceResult(
        "batch",
        "v1",
        "Job",
        "kubeflow",
        "migrate",
        hook_phase="Failed",
        message="exit 1",
        hook_type="PostSync",
    )
    assert blocker(app_with(results=(failed,))) == "PostSync hook Job kubeflow/migrate: exit 1"


def test_progress_repeats_a_waiting_state_at_most_every_ten_seconds_naming_the_blocker() -> None:
    now = [0.0]
    out = io.StringIO()
    stuck = app_with(resources=(resource("Deployment", "ml-pipeline", "Progressing"),))
    printer = ProgressPrinter(out, 3, lambda name: stuck, clock=lambda: now[0])
    step = StepStatus(2, "kubeflow-pipelines", SETTLING, "sync Synced, health Progressing")
    printer(step)
    now[0] = 5.0
    printer(step)  # same state, too soon: not printed again
    now[0] = 12.0
    printer(step)
    lines = out.getvalue().splitlines()
    assert lines == [
        "[3/3] kubeflow-pipelines: settling: sync Synced, health Progressing",
        "[3/3] kubeflow-pipelines: settling: sync Synced, health Progressing; "
        "waiting for Deployment kubeflow/ml-pipeline: Progressing",
    ]
    printer(StepStatus(2, "kubeflow-pipelines", DONE, "sync Synced, health Healthy"))
    assert out.getvalue().splitlines()[-1].endswith("done: sync Synced, health Healthy")


def test_cluster_text_in_a_progress_line_cannot_act_on_the_terminal() -> None:
    line = step_line(StepStatus(0, "app\x1b[2J", FAILED, "boom\nsecond line"), 1)
    assert "\x1b" not in line and "\n" not in line


def finding(app: str, severity: Severity, check: str) -> Finding:
    return Finding(check, severity, app, ObjectRef("Application", "argocd", app), f"{check} on {app}", "", "")


def test_the_findings_about_the_stopped_app_explain_it_errors_first() -> None:
    outcome = SyncOutcome(False, [], "stopped at kubeflow: Degraded", "kubeflow")
    findings = [
        finding("kubeflow", Severity.WARNING, "app-out-of-sync"),
        finding("kubeflow-pipelines", Severity.ERROR, "app-degraded"),
        finding("kubeflow", Severity.ERROR, "app-degraded"),
    ]
    assert [(f.app, f.check) for f in explain(outcome, findings)] == [
        ("kubeflow", "app-degraded"),
        ("kubeflow", "app-out-of-sync"),
    ]
    assert explain(SyncOutcome(True, []), findings) == []
    outcome.explained_by = explain(outcome, findings)
    doc = json.loads(outcome.to_json())
    assert doc["stopped_at"] == "kubeflow" and doc["explained_by"][0]["check"] == "app-degraded"
    assert summary_lines(outcome)[1] == "  error [app-degraded] app-degraded on kubeflow"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sync", "--demo"], "sync needs a live cluster"),
        (["sync", "--demo", "--timeout", "soon"], "--timeout: not a duration"),
        (["sync", "--demo", "--read-only"], "--read-only refuses every sync"),
    ],
)
def test_what_cannot_run_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("kftui: error: ") and message in err and err.count("\n") == 1


def test_a_stop_names_the_root_cause_even_when_it_is_in_the_dependency() -> None:
    """Stopped at kubeflow-seaweedfs, which is only blocked by kubeflow: the explanation leads with the
    crash-looping katib pod that makes kubeflow Degraded, and the stop message names it, not the symptom."""
    findings = run_checks(load_demo(), PROFILE)
    outcome = SyncOutcome(False, [], "stopped at kubeflow-seaweedfs: timed out", "kubeflow-seaweedfs")
    stop_at_root_cause(outcome, findings)
    katib = "pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn"
    assert [f.id for f in outcome.explained_by] == [
        katib,
        "dependency-order:Application/argocd/kubeflow-seaweedfs",
    ]
    assert outcome.reason == (
        f"stopped at kubeflow-seaweedfs: timed out; root cause: {katib}: "
        "Pod kubeflow/katib-controller-7f5b8c9d6-5rjtn is CrashLoopBackOff"
    )
    lines = summary_lines(outcome)
    assert (
        lines[1]
        == "  error [pod-failing] root cause: Pod kubeflow/katib-controller-7f5b8c9d6-5rjtn is CrashLoopBackOff"
    )
    assert (
        lines[2] == "    container katib-controller: CrashLoopBackOff, 7 restarts, last exit Error (code 1)"
    )
    assert lines[4].startswith("  warning [dependency-order] symptom: kubeflow-seaweedfs is Synced")
    doc = json.loads(outcome.to_json())
    assert doc["root_cause"] == katib
    assert doc["explained_by"][1]["caused_by"] == ["app-degraded:Application/argocd/kubeflow"]
