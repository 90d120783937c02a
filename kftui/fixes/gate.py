"""The one gate every change to the cluster passes: read-only refuses here, and every attempt is audited.

The UI asks `refusal(plan, backend)` to show an action disabled with its reason; fixes/run.py and
fixes/ordered.py call `execute` with the backend call to make, so nothing mutates the cluster except
through it.

With an AccessReview (cluster/access.py), the gate also refuses what the credentials may not do, before
the API server would: `review(plan, backend)` asks (blocking: worker threads only) and returns the
refusal; `refusal` only reads the answers already known, so the event loop never waits on the network.
An unknown answer never refuses, but an audit log that cannot be written does: a change that cannot be
recorded is not made. In read-only mode no question is asked at all: a SelfSubjectAccessReview
is a `create`, and read-only kftui sends no write request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from kftui.cluster.ops import AccessReview, ActionError, Permission
from kftui.fixes.argo_access import ArgoRbac, is_refusal
from kftui.fixes.audit import AuditError, AuditLog
from kftui.fixes.permissions import KUBE_BACKEND, forbidden_reason
from kftui.fixes.plans import FixPlan, plan_context
from kftui.fixes.registry import Backend, action_of, required_permissions

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
    """Read-only switch + permissions + audit log, shared by every action of one kftui session."""

    def __init__(
        self,
        read_only: bool,
        audit: AuditLog | None,
        context: str = "",
        access: AccessReview | None = None,
        argocd_namespace: str = "argocd",
        argo_access: ArgoRbac | None = None,
    ) -> None:
        self.read_only = read_only
        self.audit = audit
        self.context = context
        self.access = access
        self.argocd_namespace = argocd_namespace
        self.argo_access = argo_access
        """Argo CD's RBAC, for Application actions through its REST API (fixes/argo_access.py)."""

    @property
    def user(self) -> str:
        return self.audit.user if self.audit is not None else "kftui"

    def refusal(self, plan: FixPlan, backend: str = KUBE_BACKEND) -> str | None:
        """Why this plan may not run now through `backend`, or None. Read-only wins over every other
        reason; permissions count only as far as they are already known (no I/O here)."""
        if self.read_only and plan.mutating:
            return READ_ONLY_REASON
        if plan.blocked is not None:
            return plan.blocked
        if self._argo_decides(plan, backend):
            return self.argo_access.cached(plan) if self.argo_access is not None else None
        if self.read_only or self.access is None:
            return None
        access = self.access
        return forbidden_reason(self._needs(plan, backend), access.cached, access.user())

    def review(self, plan: FixPlan, backend: str = KUBE_BACKEND) -> str | None:
        """Like `refusal`, but first asks the cluster what is not known yet. Blocks: worker threads only."""
        first = self.refusal(plan, backend)
        if first is None and self._argo_decides(plan, backend) and self.argo_access is not None:
            return self.argo_access.review(plan)
        if first is not None or self.read_only or self.access is None:
            return first
        access = self.access
        needs = self._needs(plan, backend)
        answers = {p: access.review(p) for p in needs}  # first: the user is learnt by the first review
        return forbidden_reason(needs, answers.get, access.user())

    def _argo_decides(self, plan: FixPlan, backend: str) -> bool:
        """An Application action through Argo CD's REST API, or what Argo CD does on a resource of an app's tree:
        Argo CD's RBAC decides, not Kubernetes'."""
        return (
            not self.read_only
            and self.argo_access is not None
            and backend != KUBE_BACKEND
            and (plan.target.kind == "Application" or action_of(plan).backend is Backend.ARGO_API)
        )

    def _needs(self, plan: FixPlan, backend: str) -> tuple[Permission, ...]:
        """What the hub's access review is asked. Nothing for a plan through another cluster's kube context: the
        hub's authorizer does not answer for it (that cluster's API server decides when it runs)."""
        if plan_context(plan):
            return ()
        return required_permissions(plan, backend, self.argocd_namespace)

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
        reason = self.review(plan, backend)
        if reason is not None:
            with contextlib.suppress(AuditError):  # refused either way; nothing was changed
                self._record(plan, backend, endpoint, f"refused: {reason}", step)
            return FixResult(plan.fix_id, target, ok=False, message=reason, refused=True)
        unrecordable = self.audit.ready() if self.audit is not None else None
        if unrecordable is not None:
            # A change nobody could trace afterwards is not made.
            return FixResult(plan.fix_id, target, ok=False, message=unrecordable, refused=True)
        try:
            message = action()
        except ActionError as exc:
            if self.argo_access is not None and self._argo_decides(plan, backend) and is_refusal(str(exc)):
                self.argo_access.learn(plan, str(exc))  # what can-i could not say beforehand (argo_access.py)
            return FixResult(
                plan.fix_id,
                target,
                ok=False,
                message=self._recorded(plan, backend, endpoint, f"error: {exc}", step, str(exc)),
            )
        message = self._recorded(plan, backend, endpoint, "ok", step, message)
        return FixResult(plan.fix_id, target, ok=True, message=message)

    def _recorded(
        self, plan: FixPlan, backend: str, endpoint: str, result: str, step: str, message: str
    ) -> str:
        """Record the outcome; the message says so when the log failed after the change was made."""
        try:
            self._record(plan, backend, endpoint, result, step, message if result == "ok" else "")
        except AuditError as exc:
            return f"{message} (not recorded: {exc})"
        return message

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
