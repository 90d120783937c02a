"""The gate, the audit log and FixRunner, over a fake of our own backend seam."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kftui.cluster.ops import REPLACE, ResourceSel, SyncRequest
from kftui.fixes.audit import AuditLog, default_audit_path, scrub
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ManagedResource, ObjectRef, Pod, Workload
from tests.fix_fakes import T0, FakeArgo, FakeWorkloads

APP = ObjectRef("Application", "argocd", "drift")


def setup(tmp_path: Path, read_only: bool = False) -> tuple[FixRunner, FakeArgo, FakeWorkloads, AuditLog]:
    argo, work = FakeArgo(), FakeWorkloads()
    argo.add("drift")
    audit = AuditLog(tmp_path / "audit.jsonl", user="alice")
    runner = FixRunner(
        Gate(read_only, audit, context="kftui-lab"), argo, work, step_timeout=5, poll_interval=0
    )
    return runner, argo, work, audit


def snapshot(argo: FakeArgo, *extra: object) -> ClusterSnapshot:
    apps = [f.app for f in argo.apps.values()]
    return ClusterSnapshot.from_objects([*apps, *extra], now=T0)  # type: ignore[list-item]


def pod_of_deployment(argo: FakeArgo) -> tuple[Pod, ClusterSnapshot]:
    """A pod of Deployment kubeflow/d (through ReplicaSet rs), and a snapshot with both and the apps."""
    pod = Pod(
        "kubeflow",
        "p",
        owner_kind="ReplicaSet",
        owner_name="rs",
        workload_kind="Deployment",
        workload_name="d",
    )
    return pod, snapshot(argo, pod, Workload("Deployment", "kubeflow", "d"))


@pytest.mark.parametrize("fix_id", ["sync", "sync-prune", "force-sync", "replace", "server-side-apply"])
def test_sync_family_reaches_the_backend_and_is_audited(tmp_path: Path, fix_id: str) -> None:
    runner, argo, _, audit = setup(tmp_path)
    plan = plan_action(fix_id, APP, snapshot(argo))
    result = runner.run(plan)
    assert result.ok, result.message
    assert argo.calls == [("sync", "drift", plan.sync)]
    (entry,) = audit.entries()
    assert {k: entry[k] for k in ("user", "backend", "action", "target", "result")} == {
        "user": "alice",
        "backend": "fake",
        "action": fix_id,
        "target": "Application/argocd/drift",
        "result": "ok",
    }
    assert entry["context"] == "kftui-lab (fake://argocd)"
    assert entry["time"].endswith("Z")


def test_read_only_refuses_every_mutation_before_the_backend(tmp_path: Path) -> None:
    runner, argo, work, audit = setup(tmp_path, read_only=True)
    pod, snap = pod_of_deployment(argo)
    ids = ["sync", "sync-prune", "force-sync", "replace", "server-side-apply", "refresh", "hard-refresh"]
    plans = [plan_action(i, APP, snap) for i in ids]
    plans += [plan_action("restart", pod.ref, snap), plan_action("delete-pod", pod.ref, snap)]
    for plan in plans:
        assert runner.refusal(plan) == READ_ONLY_REASON
        result = runner.run(plan)
        assert (result.ok, result.refused, result.message) == (False, True, READ_ONLY_REASON)
    assert argo.calls == [] and work.calls == [] and argo.reads == 0
    assert [e["result"] for e in audit.entries()] == [f"refused: {READ_ONLY_REASON}"] * len(plans)
    assert runner.sync_app("drift", SyncRequest()).refused


def test_port_forward_is_not_a_mutation(tmp_path: Path) -> None:
    runner, argo, *_ = setup(tmp_path, read_only=True)
    plan = plan_action("port-forward", APP, snapshot(argo))
    assert runner.refusal(plan) is None


def test_blocked_plan_is_refused_with_its_reason(tmp_path: Path) -> None:
    runner, argo, _, _ = setup(tmp_path)
    plan = plan_action("terminate", APP, snapshot(argo))
    result = runner.run(plan)
    assert result.refused and "no operation is running" in result.message
    assert argo.calls == []


def test_backend_errors_are_results_and_audited(tmp_path: Path) -> None:
    runner, argo, _, audit = setup(tmp_path)
    plan = plan_action("sync", APP, snapshot(argo))
    assert runner.run(plan).ok
    again = runner.run(plan)  # the fake still has our operation set: Argo CD refuses a second one
    assert not again.ok and "another operation is already in progress" in again.message
    assert audit.entries()[-1]["result"].startswith("error: drift: another operation")


def test_refresh_terminate_restart_delete(tmp_path: Path) -> None:
    runner, argo, work, _ = setup(tmp_path)
    pod, snap = pod_of_deployment(argo)
    assert runner.run(plan_action("hard-refresh", APP, snap)).ok
    assert runner.run(plan_action("restart", pod.ref, snap)).ok
    assert runner.run(plan_action("delete-pod", pod.ref, snap)).ok
    runner.sync_app("drift", SyncRequest())
    argo.get_app("drift")  # the controller picks the operation up: Running
    running_snap = snapshot(argo)
    assert runner.run(plan_action("terminate", APP, running_snap)).ok
    assert [c[0] for c in argo.calls] == ["refresh", "sync", "terminate"]
    assert argo.calls[0] == ("refresh", "drift", True)
    assert [c[:4] for c in work.calls] == [
        ("restart", "Deployment", "kubeflow", "d"),
        ("delete-pod", "kubeflow", "p"),
    ]
    assert work.calls[0][4].endswith("Z")


def test_crds_first_waits_for_the_first_sync_then_syncs_everything(tmp_path: Path) -> None:
    runner, argo, _, audit = setup(tmp_path)
    crd = ManagedResource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "x.example.com")
    argo.apps["drift"].app = replace(argo.apps["drift"].app, resources=(crd,))
    result = runner.run(plan_action("sync-crds-first", APP, snapshot(argo)))
    assert result.ok, result.message
    first, second = (c[2] for c in argo.calls)
    assert isinstance(first, SyncRequest) and isinstance(second, SyncRequest)
    assert first.resources == (
        ResourceSel("apiextensions.k8s.io", "CustomResourceDefinition", "x.example.com"),
    )
    assert second.resources == ()
    assert [e["detail"].startswith("then the rest") for e in audit.entries()] == [False, True]


def test_crds_first_stops_when_the_crd_sync_fails(tmp_path: Path) -> None:
    runner, argo, _, _ = setup(tmp_path)
    crd = ManagedResource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "x.example.com")
    fake = argo.apps["drift"]
    fake.app = replace(fake.app, resources=(crd,))
    fake.fail_with = "CRD x.example.com: metadata.annotations: Too long"
    result = runner.run(plan_action("sync-crds-first", APP, snapshot(argo)))
    assert not result.ok
    assert "Too long" in result.message
    assert len(argo.calls) == 1


def test_audit_never_holds_tokens(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "a.jsonl", user="bob")
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
    audit.record(
        context="ctx",
        backend="argocd-rest",
        action="sync",
        target="t",
        result=f"error: Authorization: Bearer {jwt}",
        detail=f"token={jwt} password: hunter2",
    )
    text = (tmp_path / "a.jsonl").read_text()
    assert jwt not in text and "hunter2" not in text
    assert json.loads(text)["user"] == "bob"
    assert scrub("Bearer abc.def") == "Bearer ***"
    assert (tmp_path / "a.jsonl").stat().st_mode & 0o777 == 0o600


def test_default_audit_path() -> None:
    assert default_audit_path({"KFTUI_AUDIT_LOG": "/x/a.jsonl"}) == Path("/x/a.jsonl")
    assert default_audit_path({"XDG_STATE_HOME": "/s", "HOME": "/h"}) == Path("/s/kftui/audit.jsonl")
    assert default_audit_path({"HOME": "/h"}) == Path("/h/.local/state/kftui/audit.jsonl")


def test_replace_request_carries_the_option(tmp_path: Path) -> None:
    runner, argo, _, _ = setup(tmp_path)
    runner.run(plan_action("replace", APP, snapshot(argo)))
    request = argo.calls[0][2]
    assert isinstance(request, SyncRequest) and REPLACE in request.sync_options
    op = argo.apps["drift"].app.operation
    assert op is not None and op.initiated_by == "kftui:alice"


def test_choices_for_the_panel(tmp_path: Path) -> None:
    from kftui.checks.registry import run_checks
    from kftui.profile import builtin_profile

    runner, argo, _, _ = setup(tmp_path, read_only=True)
    snap = snapshot(argo)
    finding = next(f for f in run_checks(snap, builtin_profile()) if f.app == "drift")
    choices = runner.choices(finding, snap, builtin_profile())
    assert [c.fix.id for c in choices] == [f.id for f in finding.fixes]
    assert all(c.plan is not None and c.disabled == READ_ONLY_REASON for c in choices)
    writable, *_ = setup(tmp_path / "w")
    assert all(c.disabled is None for c in writable.choices(finding, snap, builtin_profile()))


def test_sync_create_namespace_adds_the_option_before_syncing(tmp_path: Path) -> None:
    runner, argo, _, audit = setup(tmp_path)
    result = runner.run(plan_action("sync-create-namespace", APP, snapshot(argo)))
    assert result.ok, result.message
    assert [c[0] for c in argo.calls] == ["add-sync-option", "sync"]
    assert "CreateNamespace=true" in argo.apps["drift"].app.sync_options
    assert [e["detail"].split(" ")[0] for e in audit.entries()] == ["app", "sync"]


def test_disable_auto_prune_and_create_namespace(tmp_path: Path) -> None:
    from kftui.model import Namespace

    runner, argo, work, _ = setup(tmp_path)
    fake = argo.apps["drift"]
    fake.app = replace(fake.app, automated=True, auto_prune=True)
    assert runner.run(plan_action("disable-auto-prune", APP, snapshot(argo))).ok
    assert fake.app.auto_prune is False
    ns = ObjectRef("Namespace", None, "oauth2-proxy")
    assert runner.run(plan_action("create-namespaces", ns, snapshot(argo))).ok
    assert work.calls == [("create-namespace", "oauth2-proxy")]
    blocked = runner.run(plan_action("create-namespaces", ns, snapshot(argo, Namespace("oauth2-proxy"))))
    assert blocked.refused and work.calls == [("create-namespace", "oauth2-proxy")]
