"""Restart and delete-pod on a cluster kftui reads directly through a kube context that is not the hub's: they go
through that context (the shown command says `--context`), never through the hub's connection, and the hub's
access review is not asked about another cluster."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from kftui.cluster.remote import FederatedSource
from kftui.cluster.source import StaticSource
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import PlanError, plan_action
from kftui.fixes.plans import DeletePodPlan, RestartPlan
from kftui.fixes.run import FixRunner, no_context
from kftui.model import ClusterSnapshot, ObjectRef
from tests.fix_fakes import FakeAccess, FakeArgo, FakeWorkloads
from tests.unit.fixtures import builders
from tests.unit.test_remote_clusters import SPOKE, hub_snapshot, spoke_app
from tests.unit.test_remote_clusters import FakeArgo as FakeArgoApi

POD_NAME = "ml-pipeline-5c8d7f9b6-abcde"
POD = ObjectRef("Pod", "kubeflow", POD_NAME, "spoke")


class SpokeContext(StaticSource):
    context = "spoke-admin"


def direct_snapshot() -> ClusterSnapshot:
    objects = [
        builders.to_model(raw)
        for raw in (
            builders.namespace("kubeflow"),
            builders.deployment("kubeflow", "ml-pipeline"),
            builders.pod("kubeflow", POD_NAME, "ml-pipeline"),
        )
    ]
    spoke = SpokeContext(lambda: ClusterSnapshot.from_objects(objects, now=builders.NOW))
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    return FederatedSource(hub, FakeArgoApi(), connect=lambda server: spoke).load()


def test_both_are_planned_through_the_context_that_reaches_the_cluster() -> None:
    snapshot = direct_snapshot()
    delete = plan_action("delete-pod", POD, snapshot)
    assert isinstance(delete, DeletePodPlan) and delete.context == "spoke-admin"
    assert shlex.split(delete.command) == [
        "kubectl", "delete", "pod", POD_NAME, "-n", "kubeflow", "--context", "spoke-admin",
    ]  # fmt: skip
    restart = plan_action("restart", POD, snapshot)
    assert isinstance(restart, RestartPlan) and restart.context == "spoke-admin"
    assert restart.target == ObjectRef("Deployment", "kubeflow", "ml-pipeline", "spoke")
    assert (
        restart.command == "kubectl rollout restart deployment/ml-pipeline -n kubeflow --context spoke-admin"
    )
    # The other Kubernetes fixes are not built for a second context yet: refused, saying so.
    with pytest.raises(
        PlanError, match="only delete-pod, port-forward, restart go through a second kube context"
    ):
        plan_action("create-namespaces", ObjectRef("Namespace", None, "kubeflow", "spoke"), snapshot)


def test_they_run_through_that_contexts_connection_not_the_hubs(tmp_path: Path) -> None:
    hub, spoke, access = FakeWorkloads(), FakeWorkloads(), FakeAccess()
    audit = AuditLog(tmp_path / "a.jsonl", user="alice")
    routes = {"spoke-admin": spoke}
    run = FixRunner(Gate(False, audit, "hub", access=access), FakeArgo(), hub, route=routes.get)
    snapshot = direct_snapshot()
    assert run.run(plan_action("delete-pod", POD, snapshot)).ok
    assert run.run(plan_action("restart", POD, snapshot)).ok
    assert [c[:4] for c in spoke.calls] == [
        ("delete-pod", "kubeflow", POD_NAME),
        ("restart", "Deployment", "kubeflow", "ml-pipeline"),
    ]
    assert hub.calls == [] and access.asked == []
    assert [e["context"] for e in audit.entries()] == ["hub (context spoke-admin)"] * 2


def test_without_a_connection_through_that_context_they_say_so(tmp_path: Path) -> None:
    hub = FakeWorkloads()
    run = FixRunner(Gate(False, AuditLog(tmp_path / "a.jsonl")), FakeArgo(), hub, route=lambda context: None)
    plan = plan_action("delete-pod", POD, direct_snapshot())
    assert run.refusal(plan) == no_context("spoke-admin")
    result = run.run(plan)
    assert result.refused and result.message == no_context("spoke-admin") and hub.calls == []


def test_a_context_dropped_between_the_check_and_the_run_is_named(tmp_path: Path) -> None:
    """The cluster was read through that context when the fix was checked, no longer when it runs: the run stops
    with the reason (the fix screen shows it) and nothing goes to the hub instead."""
    hub, spoke = FakeWorkloads(), FakeWorkloads()
    answers = iter([spoke])  # the check finds the connection; by the run it is gone
    run = FixRunner(
        Gate(False, AuditLog(tmp_path / "a.jsonl")), FakeArgo(), hub, route=lambda c: next(answers, None)
    )
    result = run.run(plan_action("delete-pod", POD, direct_snapshot()))
    assert (result.ok, result.refused, result.message) == (False, False, no_context("spoke-admin"))
    assert hub.calls == [] and spoke.calls == []
    (record,) = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert record["result"] == f"error: {no_context('spoke-admin')}"
