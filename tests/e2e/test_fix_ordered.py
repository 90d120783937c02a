"""Ordered sync on the lab: the Kubeflow chain in order (Argo CD's own timestamps prove it), and a stop."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from kftui.fixes.ordered import DONE, FAILED, PENDING, OrderedSync
from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef
from kftui.profile import builtin_profile
from tests.e2e.fix_helpers import BACKENDS, make_runner, now, op_state, parse, snapshot, status, wait_idle

pytestmark = pytest.mark.e2e

CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")


@pytest.mark.parametrize("backend", BACKENDS)
def test_ordered_sync_of_the_kubeflow_chain(lab: Any, tmp_path: Path, backend: str) -> None:
    lab.wait_for(
        lambda: all(status(lab.app(n)) == ("Synced", "Healthy") for n in CHAIN), 240, "the kubeflow chain up"
    )
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    plan = plan_action(
        "ordered-sync", ObjectRef("Application", "argocd", "kubeflow"), snapshot(kube), builtin_profile()
    )
    assert plan.chain == CHAIN and plan.blocked is None
    since = now()
    result = OrderedSync(runner, plan.chain, step_timeout=180, interval=0.5).run()
    assert result.ok, result.reason
    assert [s.state for s in result.steps] == [DONE] * 3
    states = [op_state(lab.app(n)) for n in CHAIN]
    for name, state in zip(CHAIN, states, strict=True):
        assert parse(state["startedAt"]) >= since.replace(microsecond=0), (name, state["startedAt"])
        assert state["phase"] == "Succeeded"
        assert not state["operation"].get("initiatedBy", {}).get("automated"), (
            f"{name} was synced by auto-sync"
        )
    # Argo CD's own timestamps: each app's sync started after the previous app's sync had finished.
    for (a, sa), (b, sb) in itertools.pairwise(zip(CHAIN, states, strict=True)):
        assert parse(sb["startedAt"]) >= parse(sa["finishedAt"]), f"{b} started before {a} finished"
    for earlier, later in itertools.pairwise(result.steps):
        assert earlier.finished and later.started and earlier.finished <= later.started
    entries = runner.gate.audit.entries() if runner.gate.audit else []
    assert [(e["target"], e["result"]) for e in entries] == [(f"Application/argocd/{n}", "ok") for n in CHAIN]


@pytest.mark.parametrize("backend", BACKENDS)
def test_ordered_sync_stops_with_the_reason_when_a_step_fails(lab: Any, tmp_path: Path, backend: str) -> None:
    """good -> duplicate -> drift: duplicate cannot be rendered (kustomize duplicate id), so drift is never touched."""
    for name in ("good", "duplicate", "drift"):
        wait_idle(lab, name)
    drift_before = op_state(lab.app("drift")).get("startedAt")
    runner, _ = make_runner(lab, backend, tmp_path / "audit.jsonl")
    result = OrderedSync(runner, ("good", "duplicate", "drift"), step_timeout=90, interval=0.5).run()
    assert not result.ok
    assert result.stopped_at == "duplicate"
    assert [s.state for s in result.steps] == [DONE, FAILED, PENDING]
    assert result.reason.startswith("stopped at duplicate: ")
    assert (
        "already registered id" in result.reason
        or "ComparisonError" in result.reason
        or "failed" in result.reason
    )
    assert op_state(lab.app("drift")).get("startedAt") == drift_before
    wait_idle(lab, "duplicate")


def test_cancel_stops_before_the_next_app(lab: Any, tmp_path: Path) -> None:
    import threading

    from kftui.fixes.ordered import CANCELLED, StepStatus

    for name in CHAIN:
        wait_idle(lab, name)
    before = op_state(lab.app("kubeflow-seaweedfs")).get("startedAt")
    runner, _ = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    cancel = threading.Event()

    def on_step(step: StepStatus) -> None:
        if step.app == "kubeflow" and step.state == DONE:
            cancel.set()

    result = OrderedSync(runner, CHAIN, step_timeout=180, interval=0.5, on_step=on_step).run(cancel)
    assert not result.ok and result.stopped_at == "kubeflow-seaweedfs"
    assert [s.state for s in result.steps] == [DONE, CANCELLED, PENDING]
    state = op_state(lab.app("kubeflow-seaweedfs"))
    # Not synced by us: either untouched, or only by its own auto-sync.
    assert state.get("startedAt") == before or state.get("operation", {}).get("initiatedBy", {}).get(
        "automated"
    )
