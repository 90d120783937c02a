"""The gate's outcomes, called directly: what each attempt returns to the caller and what the audit log
says about it (ok, backend error, refusal), and what happens when the log fails before or after a change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kftui.cluster.ops import ActionError, Permission
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, FixResult, Gate
from kftui.fixes.plan import FixPlan, plan_action
from kftui.model import ClusterSnapshot, ObjectRef
from kftui.profile import builtin_profile
from tests.fix_fakes import T0, FakeAccess, FakeArgo

APP = ObjectRef("Application", "argocd", "drift")


def snapshot() -> ClusterSnapshot:
    argo = FakeArgo()
    argo.add("drift")
    return ClusterSnapshot.from_objects([argo.apps["drift"].app], now=T0)


def sync_plan() -> FixPlan:
    return plan_action("sync", APP, snapshot())


def audited_gate(tmp_path: Path, **kw: object) -> tuple[Gate, AuditLog]:
    audit = AuditLog(tmp_path / "audit.jsonl", user="alice")
    return Gate(False, audit, context="lab", **kw), audit  # type: ignore[arg-type]


def fails(message: str) -> str:
    raise ActionError(message)


def test_a_change_that_runs_returns_its_message_and_is_audited_with_endpoint_and_step(tmp_path: Path) -> None:
    gate, audit = audited_gate(tmp_path)
    result = gate.execute(
        sync_plan(),
        lambda: "sync started",
        backend="argocd-rest",
        endpoint="https://cd.example",
        step="step 1/3",
    )
    assert result == FixResult("sync", "Application/argocd/drift", ok=True, message="sync started")
    (entry,) = audit.entries()
    assert {k: v for k, v in entry.items() if k != "time"} == {
        "user": "alice",
        "context": "lab (https://cd.example)",
        "backend": "argocd-rest",
        "action": "sync",
        "target": "Application/argocd/drift",
        "result": "ok",
        "detail": "step 1/3 sync started",
    }


def test_without_endpoint_or_step_the_context_and_detail_are_plain(tmp_path: Path) -> None:
    gate, audit = audited_gate(tmp_path)
    gate.execute(sync_plan(), lambda: "done", backend="kubernetes")
    (entry,) = audit.entries()
    assert (entry["context"], entry["detail"]) == ("lab", "done")


def test_a_backend_error_is_a_failed_result_audited_as_an_error(tmp_path: Path) -> None:
    """The user reads the backend's message; the log says "error: ..." and keeps only the step as detail."""
    gate, audit = audited_gate(tmp_path)
    result = gate.execute(sync_plan(), lambda: fails("the app is gone"), backend="kubernetes", step="app set")
    assert result == FixResult("sync", "Application/argocd/drift", ok=False, message="the app is gone")
    assert not result.refused
    (entry,) = audit.entries()
    assert (entry["result"], entry["detail"]) == ("error: the app is gone", "app set")


def test_a_refusal_is_audited_with_its_reason_and_the_step(tmp_path: Path) -> None:
    gate, audit = audited_gate(tmp_path)
    blocked = dataclasses.replace(sync_plan(), blocked="an operation is already running on drift")
    called: list[str] = []
    result = gate.execute(blocked, lambda: called.append("x") or "", backend="kubernetes", step="step 2/3")
    assert result == FixResult(
        "sync", "Application/argocd/drift", ok=False, message=blocked.blocked or "", refused=True
    )
    assert called == []
    (entry,) = audit.entries()
    assert (entry["result"], entry["detail"]) == (
        "refused: an operation is already running on drift",
        "step 2/3",
    )


def test_a_refusal_is_returned_even_when_the_log_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    gate = Gate(True, AuditLog(blocker / "audit.jsonl", user="u"))
    result = gate.execute(sync_plan(), lambda: "never", backend="kubernetes")
    assert (result.ok, result.refused, result.message) == (False, True, READ_ONLY_REASON)


def test_without_an_audit_log_changes_run_unrecorded(tmp_path: Path) -> None:
    gate = Gate(False, None)
    assert gate.user == "kftui"
    assert gate.execute(sync_plan(), lambda: "synced", backend="kubernetes").message == "synced"
    assert gate.execute(sync_plan(), lambda: fails("no"), backend="kubernetes").message == "no"
    assert Gate(False, AuditLog(tmp_path / "a.jsonl", user="alice")).user == "alice"


def make_log_unwritable(path: Path) -> None:
    path.unlink()
    path.mkdir()


def test_a_change_made_but_not_recorded_says_so(tmp_path: Path) -> None:
    """The log was writable before the change and failed after it: the change happened, and the message
    tells the user it is not in the log (with the log's own reason)."""
    gate, audit = audited_gate(tmp_path)

    def sync_then_lose_the_log() -> str:
        make_log_unwritable(audit.path)
        return "sync started"

    result = gate.execute(sync_plan(), sync_then_lose_the_log, backend="kubernetes")
    assert result.ok and not result.refused
    assert result.message == (
        f"sync started (not recorded: cannot write the audit log {audit.path}: Is a directory)"
    )


def test_a_failed_change_not_recorded_says_so_too(tmp_path: Path) -> None:
    gate, audit = audited_gate(tmp_path)

    def fail_and_lose_the_log() -> str:
        make_log_unwritable(audit.path)
        raise ActionError("conflict")

    result = gate.execute(sync_plan(), fail_and_lose_the_log, backend="kubernetes")
    assert not result.ok and not result.refused
    assert result.message.startswith("conflict (not recorded: cannot write the audit log")


def test_read_only_refuses_changes_but_not_a_blocked_view(tmp_path: Path) -> None:
    """Read-only wins over a plan's own reason for changes; a non-mutating plan still shows its reason."""
    gate = Gate(True, None)
    blocked = dataclasses.replace(sync_plan(), blocked="not now")
    assert gate.refusal(blocked) == READ_ONLY_REASON
    forward = plan_action("port-forward", APP, snapshot(), builtin_profile())
    assert gate.refusal(forward) is None
    assert gate.refusal(dataclasses.replace(forward, blocked="no such service")) == "no such service"
    assert Gate(False, None).refusal(blocked) == "not now"
    assert Gate(False, None).review(sync_plan()) is None, "no access review: nothing more to ask"


def test_an_app_without_a_namespace_is_reviewed_in_the_gates_argocd_namespace(tmp_path: Path) -> None:
    """A tree node may name an Application without its namespace: the gate asks about the Argo CD
    namespace it was given, not a default one."""
    patch = Permission("patch", "applications", "argoproj.io", "gitops", "drift")
    access = FakeAccess(denied={patch})
    gate = Gate(False, None, access=access, argocd_namespace="gitops")
    plan = plan_action("refresh", ObjectRef("Application", None, "drift"), snapshot())
    assert gate.review(plan) == (
        "forbidden: system:serviceaccount:argocd:limited may not patch applications.argoproj.io/drift in gitops"
    )
    assert access.asked == [patch]


def test_every_outcome_is_audited_with_its_backend_and_endpoint(tmp_path: Path) -> None:
    """Refusals and backend errors name the backend and its endpoint in the log, as successes do."""
    gate, audit = audited_gate(tmp_path)
    blocked = dataclasses.replace(sync_plan(), blocked="not now")
    gate.execute(blocked, lambda: "never", backend="argocd-rest", endpoint="https://cd.example")
    gate.execute(sync_plan(), lambda: fails("boom"), backend="argocd-rest", endpoint="https://cd.example")
    assert [(e["backend"], e["context"], e["result"]) for e in audit.entries()] == [
        ("argocd-rest", "lab (https://cd.example)", "refused: not now"),
        ("argocd-rest", "lab (https://cd.example)", "error: boom"),
    ]


def test_an_unrecordable_change_is_refused_with_the_plan_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    gate = Gate(False, AuditLog(blocker / "audit.jsonl", user="u"))
    result = gate.execute(sync_plan(), lambda: "never", backend="kubernetes")
    assert dataclasses.replace(result, message="") == FixResult(
        "sync", "Application/argocd/drift", ok=False, message="", refused=True
    )
    assert result.message.startswith(f"cannot write the audit log {blocker / 'audit.jsonl'}: ")


UPDATE = Permission("update", "applications", "argoproj.io", "argocd", "drift")


def test_the_rest_backend_runs_an_app_action_kubernetes_would_deny(tmp_path: Path) -> None:
    """Through Argo CD's REST API, Argo CD's RBAC decides: a Kubernetes denial, even one already known,
    neither refuses the sync nor is asked about."""
    access = FakeAccess(denied={UPDATE})
    gate, _ = audited_gate(tmp_path, access=access)
    assert gate.review(sync_plan(), "kubernetes") is not None  # now the denial is known
    asked = len(access.asked)
    assert gate.refusal(sync_plan(), "argocd-rest") is None
    assert gate.review(sync_plan(), "argocd-rest") is None
    result = gate.execute(sync_plan(), lambda: "sync started", backend="argocd-rest")
    assert result.ok and result.message == "sync started"
    assert len(access.asked) == asked


def test_a_known_denial_is_not_asked_again(tmp_path: Path) -> None:
    access = FakeAccess(denied={UPDATE})
    gate, _ = audited_gate(tmp_path, access=access)
    first = gate.review(sync_plan(), "kubernetes")
    asked = list(access.asked)
    assert gate.review(sync_plan(), "kubernetes") == first
    assert access.asked == asked


def test_a_gate_built_with_defaults_records_no_context_and_asks_in_argocd(tmp_path: Path) -> None:
    """Without a context the log's context is empty (not made up); without an Argo CD namespace the
    gate asks about Argo CD's default one, "argocd"."""
    audit = AuditLog(tmp_path / "audit.jsonl", user="u")
    Gate(False, audit).execute(sync_plan(), lambda: "done", backend="kubernetes")
    assert audit.entries()[0]["context"] == ""
    patch = Permission("patch", "applications", "argoproj.io", "argocd", "drift")
    access = FakeAccess(denied={patch})
    plan = plan_action("refresh", ObjectRef("Application", None, "drift"), snapshot())
    assert Gate(False, None, access=access).review(plan) is not None
    assert access.asked == [patch]
