"""The one gate every change to the cluster passes: read-only refuses here, and every attempt is audited.

The UI asks `refusal(plan)` to show an action disabled with its reason; fixes/run.py and fixes/ordered.py
call `execute` with the backend call to make, so nothing mutates the cluster except through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kftui.cluster.ops import ActionError
from kftui.fixes.audit import AuditLog
from kftui.fixes.plan import FixPlan

READ_ONLY_REASON = "read-only mode (--read-only): kftui makes no changes to the cluster"


@dataclass(frozen=True)
class FixResult:
    """What happened to one plan (or one step of it)."""

    fix_id: str
    target: str
    ok: bool
    message: str
    refused: bool = False


class Gate:
    """Read-only switch + audit log, shared by every action of one kftui session."""

    def __init__(self, read_only: bool, audit: AuditLog | None, context: str = "") -> None:
        self.read_only = read_only
        self.audit = audit
        self.context = context

    @property
    def user(self) -> str:
        return self.audit.user if self.audit is not None else "kftui"

    def refusal(self, plan: FixPlan) -> str | None:
        """Why this plan may not run now, or None. Read-only wins over every other reason."""
        if self.read_only and plan.mutating:
            return READ_ONLY_REASON
        return plan.blocked

    def execute(
        self,
        plan: FixPlan,
        action: Callable[[], str],
        *,
        backend: str,
        endpoint: str = "",
        step: str = "",
    ) -> FixResult:
        """Run `action` (one backend call) if the gate allows `plan`; audit the outcome either way."""
        target = str(plan.target)
        reason = self.refusal(plan)
        if reason is not None:
            self._record(plan, backend, endpoint, f"refused: {reason}", step)
            return FixResult(plan.fix_id, target, ok=False, message=reason, refused=True)
        try:
            message = action()
        except ActionError as exc:
            self._record(plan, backend, endpoint, f"error: {exc}", step)
            return FixResult(plan.fix_id, target, ok=False, message=str(exc))
        self._record(plan, backend, endpoint, "ok", step, message)
        return FixResult(plan.fix_id, target, ok=True, message=message)

    def _record(
        self, plan: FixPlan, backend: str, endpoint: str, result: str, step: str, detail: str = ""
    ) -> None:
        if self.audit is None:
            return
        context = self.context + (f" ({endpoint})" if endpoint else "")
        self.audit.record(
            context=context,
            backend=backend,
            action=plan.fix_id,
            target=str(plan.target),
            result=result,
            detail=" ".join(p for p in (step, detail) if p),
        )
