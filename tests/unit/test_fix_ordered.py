"""OrderedSync: the chain in order, each Synced + Healthy first; a clear reason when it stops."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from kftui.cluster.ops import SyncRequest
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.ordered import CANCELLED, DONE, FAILED, PENDING, OrderedSync, StepStatus
from kftui.fixes.run import FixRunner
from tests.fix_fakes import FakeArgo, SteppingClock

CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")


def make(tmp_path: Path, read_only: bool = False, **per_app: dict[str, object]) -> tuple[FakeArgo, FixRunner]:
    argo = FakeArgo()
    for name in CHAIN:
        argo.add(name, **per_app.get(name.replace("-", "_"), {}))
    gate = Gate(read_only, AuditLog(tmp_path / "audit.jsonl", user="t"), "lab")
    return argo, FixRunner(gate, argo, poll_interval=0)


def test_syncs_in_order_and_waits_for_each(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    seen: list[StepStatus] = []
    result = OrderedSync(runner, CHAIN, step_timeout=5, interval=0, on_step=seen.append).run()
    assert result.ok, result.reason
    assert [c[1] for c in argo.calls] == list(CHAIN)
    assert [s.state for s in result.steps] == [DONE] * 3
    # every step finished before the next one started
    for earlier, later in itertools.pairwise(result.steps):
        assert earlier.finished is not None and later.started is not None
        assert earlier.finished <= later.started
    # and Argo CD's own timestamps agree: each sync started after the previous one finished
    states = [argo.apps[n].app.operation_state for n in CHAIN]
    for a, b in itertools.pairwise(states):
        assert a is not None and b is not None and a.finished_at is not None and b.started_at is not None
        assert a.finished_at < b.started_at
    assert {s.app for s in seen} == set(CHAIN)


def test_stops_at_a_failing_step_with_argo_cds_message(tmp_path: Path) -> None:
    argo, runner = make(tmp_path, kubeflow_seaweedfs={"fail_with": "one or more objects failed to apply"})
    result = OrderedSync(runner, CHAIN, step_timeout=5, interval=0).run()
    assert not result.ok
    assert result.stopped_at == "kubeflow-seaweedfs"
    assert "one or more objects failed to apply" in result.reason
    assert [s.state for s in result.steps] == [DONE, FAILED, PENDING]
    assert [c[1] for c in argo.calls] == ["kubeflow", "kubeflow-seaweedfs"]


def test_times_out_when_an_app_never_gets_healthy(tmp_path: Path) -> None:
    argo, runner = make(tmp_path, kubeflow={"stay_progressing": True})
    result = OrderedSync(runner, CHAIN, step_timeout=30, interval=0, monotonic=SteppingClock(1.0)).run()
    assert not result.ok and result.stopped_at == "kubeflow"
    assert "not Synced and Healthy within" in result.reason and "Progressing" in result.reason
    assert len(argo.calls) == 1


def test_missing_app_times_out_with_the_reason(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    del argo.apps["kubeflow-pipelines"]
    result = OrderedSync(runner, CHAIN, step_timeout=30, interval=0, monotonic=SteppingClock(1.0)).run()
    assert result.stopped_at == "kubeflow-pipelines"
    assert "not found" in result.reason


def test_cancel_stops_before_the_next_step(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    cancel = threading.Event()

    def on_step(step: StepStatus) -> None:
        if step.app == "kubeflow" and step.state == DONE:
            cancel.set()

    result = OrderedSync(runner, CHAIN, step_timeout=5, interval=0, on_step=on_step).run(cancel)
    assert not result.ok and result.reason.startswith("cancelled at kubeflow-seaweedfs")
    assert [s.state for s in result.steps] == [DONE, CANCELLED, PENDING]
    assert [c[1] for c in argo.calls] == ["kubeflow"]


def test_read_only_stops_at_the_first_step_without_writing(tmp_path: Path) -> None:
    argo, runner = make(tmp_path, read_only=True)
    result = OrderedSync(runner, CHAIN, step_timeout=5, interval=0).run()
    assert not result.ok and result.stopped_at == "kubeflow"
    assert READ_ONLY_REASON in result.reason
    assert argo.calls == []


def test_waits_for_a_running_operation_before_syncing(tmp_path: Path) -> None:
    argo, runner = make(tmp_path)
    runner.sync_app("kubeflow", SyncRequest())
    result = OrderedSync(runner, CHAIN, step_timeout=5, interval=0).run()
    assert result.ok, result.reason
    assert [c[1] for c in argo.calls] == ["kubeflow", *CHAIN]
