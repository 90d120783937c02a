"""Running a plan: one backend call per plan (two for "CRDs first"), always through the gate.

EXECUTORS is the one dispatch: plan type -> the function that carries it out (the fix registry,
fixes/registry.py, says which plan type each fix id makes). Blocking on purpose: the UI runs
`FixRunner.run` in a thread worker; the e2e tests call it directly.
The Argo CD backend is either cluster/appops.KubeAppOps (Kubernetes API) or cluster/argocd.ArgoRestOps
(Argo CD REST API); workload actions go through the Kubernetes API, except on a cluster kftui reads through
Argo CD's API, where Argo CD's REST API carries them (cluster/ops.ArgoResourceOps).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from types import MappingProxyType
from typing import Any

from kftui.cluster.ops import ActionError, ArgoOps, ArgoResourceOps, SyncRequest, WorkloadOps
from kftui.fixes.gate import FixResult, Gate
from kftui.fixes.permissions import KUBE_BACKEND
from kftui.fixes.plan import PLANNABLE, FixPlan, PlanError, plan_fix
from kftui.fixes.plans import (
    AppSettingPlan,
    CreateNamespacePlan,
    DeleteHookPlan,
    DeletePodPlan,
    DeleteResourcePlan,
    IgnoreDriftPlan,
    OrderedSyncPlan,
    PortForwardPlan,
    RefreshPlan,
    RemoveFinalizersPlan,
    ResourceActionPlan,
    RestartPlan,
    SyncPlan,
    TerminatePlan,
    command_ref,
    plan_context,
)
from kftui.fixes.registry import FIXES, Backend, action_of, backend_for
from kftui.fixes.waiting import operation_started_at, wait_operation
from kftui.model import ClusterSnapshot, Finding, FixRef, ObjectRef
from kftui.profile import Profile

POLL_INTERVAL = 1.0
NO_ARGO = "no Argo CD backend (offline snapshot)"
NO_KUBE = "no Kubernetes connection (offline snapshot)"
NO_ARGO_API = (
    "Argo CD acts on that cluster only through its REST API: give kftui the Argo CD server "
    "(--argocd-server or ARGOCD_SERVER) and a token"
)


def no_context(context: str) -> str:
    return f"no connection through kube context {context} (kftui reads that cluster through it no longer)"


def now_rfc3339() -> str:
    """The timestamp kubectl writes into restartedAt (RFC 3339, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FixChoice:
    """One fix a finding offers, as the diagnostics panel shows it.

    plan is None for views (describe, logs) and for fixes that cannot be planned here; `disabled` is the
    reason to show the fix greyed out (read-only, an operation running, no backend, not permitted), None
    when it can run.
    """

    fix: FixRef
    plan: FixPlan | None
    disabled: str | None


class FixRunner:
    """Executes plans through the gate with the configured backends."""

    def __init__(
        self,
        gate: Gate,
        argo: ArgoOps | None,
        workloads: WorkloadOps | None = None,
        step_timeout: float = 300.0,
        poll_interval: float = POLL_INTERVAL,
        route: Callable[[str], WorkloadOps | None] | None = None,
    ) -> None:
        self.gate = gate
        self.argo = argo
        self.workloads = workloads
        self.route = route
        """The workload actions through the kube context of a cluster kftui reads directly (None: none)."""
        self.step_timeout = step_timeout
        self.poll_interval = poll_interval

    @property
    def backend_name(self) -> str:
        return self.argo.name if self.argo is not None else "none"

    @property
    def initiated_by(self) -> str:
        return f"kftui:{self.gate.user}"

    @property
    def asks_access(self) -> bool:
        """Whether `review` may ask the cluster (an access review is configured; never in read-only mode)."""
        return self.gate.access is not None and not self.gate.read_only

    def backend_for(self, plan: FixPlan) -> str:
        """The backend that carries this plan: the Argo CD backend for app actions, else Kubernetes."""
        return backend_for(plan, self.backend_name)

    def refusal(self, plan: FixPlan) -> str | None:
        """The gate's reason (with the permissions known so far), or a missing backend. No I/O."""
        return self.gate.refusal(plan, self.backend_for(plan)) or self._missing_backend(plan)

    def review(self, plan: FixPlan) -> str | None:
        """Like `refusal`, after asking the cluster what the credentials may do. Blocks: worker threads only."""
        return self.gate.review(plan, self.backend_for(plan)) or self._missing_backend(plan)

    def _missing_backend(self, plan: FixPlan) -> str | None:
        backend = action_of(plan).backend
        if backend is Backend.ARGO and self.argo is None:
            return NO_ARGO
        context = plan_context(plan)
        if backend is Backend.KUBE and context:
            return None if self._routed(context) is not None else no_context(context)
        if backend is Backend.KUBE and self.workloads is None:
            return NO_KUBE
        if backend is Backend.ARGO_API and not isinstance(self.argo, ArgoResourceOps):
            return NO_ARGO_API
        return None

    def choices(
        self,
        finding: Finding,
        snapshot: ClusterSnapshot,
        profile: Profile | None = None,
        *,
        review: bool = False,
    ) -> list[FixChoice]:
        """Every fix of a finding with its plan and, when it cannot run now, why (for the panel).

        With `review`, permissions not known yet are asked for first (blocking: worker threads only).
        """
        why = self.review if review else self.refusal
        out: list[FixChoice] = []
        for fix in finding.fixes:
            if fix.id not in PLANNABLE:
                out.append(FixChoice(fix, None, None))
                continue
            try:
                plan = plan_fix(finding, fix.id, snapshot, profile)
            except PlanError as exc:
                out.append(FixChoice(fix, None, str(exc)))
                continue
            out.append(FixChoice(fix, plan, why(plan)))
        return out

    def run(self, plan: FixPlan, cancel: threading.Event | None = None) -> FixResult:
        return EXECUTORS[type(plan)](self, plan, cancel)

    def _refused(self, plan: FixPlan) -> FixResult | None:
        """The result of a plan the gate or a missing backend refuses (recorded by the gate), else None."""
        backend = self.backend_for(plan)
        if self.gate.review(plan, backend) is not None:
            # The gate records the refusal; no backend is touched.
            return self.gate.execute(plan, lambda: "", backend=backend)
        missing = self.refusal(plan)
        if missing is not None:
            return FixResult(plan.fix_id, str(plan.target), False, missing, refused=True)
        return None

    def sync_app(self, name: str, request: SyncRequest, fix_id: str = "sync", step: str = "") -> FixResult:
        """One sync outside a previewed plan (a step of an ordered sync), still through the gate."""
        argo = self._argo()
        plan = SyncPlan(
            fix_id=fix_id,
            title=f"Sync {name}",
            target=ObjectRef("Application", self._namespace(), name),
            app=name,
            command=command_ref(FIXES["sync"], name).command,
            sync=request,
        )
        return self.gate.execute(
            plan,
            lambda: argo.sync(name, request, self.initiated_by),
            backend=argo.name,
            endpoint=argo.endpoint,
            step=step,
        )

    def _namespace(self) -> str:
        return str(getattr(self.argo, "argocd_namespace", "argocd"))

    def _sync(self, plan: SyncPlan, cancel: threading.Event | None) -> FixResult:
        argo, name = self._argo(), plan.target.name
        request = plan.sync
        before: datetime | None = None
        if plan.then_sync is not None:
            try:
                before = operation_started_at(argo.get_app(name))
            except ActionError as exc:
                return FixResult(plan.fix_id, str(plan.target), False, str(exc))
        if plan.set_option is not None:
            option = plan.set_option
            setting = self._execute(plan, lambda: argo.add_sync_option(name, option), step="app set")
            if not setting.ok:
                return setting
        first = self._execute(plan, lambda: argo.sync(name, request, self.initiated_by))
        then = plan.then_sync
        if not first.ok or then is None:
            return first
        settled = wait_operation(argo, name, before, self.step_timeout, cancel, self.poll_interval)
        if not settled.ok:
            return replace(first, ok=False, message=f"{first.message}; then stopped: {settled.reason}")
        # The second request is the same plan to the gate (same fix, target and permissions).
        rest = self._execute(plan, lambda: argo.sync(name, then, self.initiated_by), step="then the rest")
        return replace(rest, message=f"{first.message}; {rest.message}")

    def _execute(self, plan: FixPlan, action: Callable[[], str], step: str = "") -> FixResult:
        """Through the gate, audited with the backend that carries it (steps are parts of an Argo CD sync)."""
        argo = self.argo
        if action_of(plan).backend in (Backend.ARGO, Backend.ARGO_API) and argo is not None:
            return self.gate.execute(plan, action, backend=argo.name, endpoint=argo.endpoint, step=step)
        context = plan_context(plan)
        return self.gate.execute(
            plan, action, backend=KUBE_BACKEND, endpoint=f"context {context}" if context else ""
        )

    def _argo(self) -> ArgoOps:
        if self.argo is None:
            raise ActionError(NO_ARGO)
        return self.argo

    def _workloads(self) -> WorkloadOps:
        if self.workloads is None:
            raise ActionError(NO_KUBE)
        return self.workloads

    def _own_view(self, plan: FixPlan, cancel: threading.Event | None) -> FixResult:
        return FixResult(plan.fix_id, str(plan.target), False, f"{plan.fix_id} runs in its own view")

    def _refresh(self, plan: RefreshPlan, cancel: threading.Event | None) -> FixResult:
        argo, name = self._argo(), plan.target.name
        return self._execute(plan, lambda: argo.refresh(name, plan.hard))

    def _terminate(self, plan: TerminatePlan, cancel: threading.Event | None) -> FixResult:
        argo, name = self._argo(), plan.target.name
        return self._execute(plan, lambda: argo.terminate(name))

    def _app_setting(self, plan: AppSettingPlan, cancel: threading.Event | None) -> FixResult:
        argo, name = self._argo(), plan.target.name
        return self._execute(plan, lambda: argo.disable_auto_prune(name))

    def _ignore_drift(self, plan: IgnoreDriftPlan, cancel: threading.Event | None) -> FixResult:
        argo, name, entries = self._argo(), plan.target.name, plan.entries
        return self._execute(plan, lambda: argo.add_ignore_differences(name, entries))

    def _routed(self, context: str) -> WorkloadOps | None:
        return self.route(context) if self.route is not None else None

    def _workloads_in(self, context: str) -> WorkloadOps:
        """The hub's workload actions, or those through `context` (a cluster kftui reads directly). Called in the
        action: a context dropped since the check (a `:ctx` switch) is then a failed, audited run with its reason."""
        if not context:
            return self._workloads()
        routed = self._routed(context)
        if routed is None:
            raise ActionError(no_context(context))
        return routed

    def _restart(self, plan: RestartPlan, cancel: threading.Event | None) -> FixResult:
        t, work = plan.target, partial(self._workloads_in, plan.context)
        return self._execute(plan, lambda: work().restart(t.kind, t.namespace or "", t.name, now_rfc3339()))

    def _delete_pod(self, plan: DeletePodPlan, cancel: threading.Event | None) -> FixResult:
        t, work = plan.target, partial(self._workloads_in, plan.context)
        return self._execute(plan, lambda: work().delete_pod(t.namespace or "", t.name))

    def _argo_api(self) -> ArgoResourceOps:
        if not isinstance(self.argo, ArgoResourceOps):
            raise ActionError(NO_ARGO_API)
        return self.argo

    def _resource_action(self, plan: ResourceActionPlan, cancel: threading.Event | None) -> FixResult:
        argo, resource, action = self._argo_api(), plan.resource, plan.action
        return self._execute(plan, lambda: argo.run_resource_action(resource, action))

    def _delete_resource(self, plan: DeleteResourcePlan, cancel: threading.Event | None) -> FixResult:
        argo, resource = self._argo_api(), plan.resource
        return self._execute(plan, lambda: argo.delete_resource(resource))

    def _create_namespace(self, plan: CreateNamespacePlan, cancel: threading.Event | None) -> FixResult:
        work, ns = self._workloads(), plan.target.name
        return self._execute(plan, lambda: work.create_namespace(ns))

    def _delete_hook(self, plan: DeleteHookPlan, cancel: threading.Event | None) -> FixResult:
        """Terminate the app's operation (its own plan through the gate) and wait until Argo CD has stopped
        it, then delete the hook: deleted first, a running sync would only wait on a hook that is gone."""
        work, t = self._workloads(), plan.target
        if plan.terminate_first and plan.app:
            stopped = self._terminate_and_wait(plan.app, cancel)
            if stopped is not None:
                return replace(stopped, fix_id=plan.fix_id, target=str(t))
        deleted = self._execute(plan, lambda: work.delete_object(t.kind, t.namespace or "", t.name))
        if plan.terminate_first and deleted.ok:
            return replace(deleted, message=f"operation of {plan.app} terminated; {deleted.message}")
        return deleted

    def _terminate_and_wait(self, app: str, cancel: threading.Event | None) -> FixResult | None:
        """None once the operation of `app` has stopped; else the result that says why the plan stops (the
        terminate's, which the caller names as its own plan's)."""
        argo = self._argo()
        spec = FIXES["terminate"]
        step = TerminatePlan(
            fix_id=spec.fix_id,
            title=command_ref(spec, app).title,
            target=ObjectRef("Application", self._namespace(), app),
            app=app,
            command=command_ref(spec, app).command,
        )
        ended = self.gate.execute(
            step, lambda: argo.terminate(app), backend=argo.name, endpoint=argo.endpoint, step="1/2 terminate"
        )
        if not ended.ok:
            return ended
        deadline = time.monotonic() + self.step_timeout
        while True:
            try:
                now = argo.get_app(app)
            except ActionError as exc:
                return replace(ended, ok=False, message=str(exc))
            if now.operation_phase not in ("Running", "Terminating"):
                return None
            if time.monotonic() >= deadline or (cancel is not None and cancel.is_set()):
                why = (
                    "cancelled" if cancel is not None and cancel.is_set() else f"still {now.operation_phase}"
                )
                return replace(ended, ok=False, message=f"the operation of {app} did not stop: {why}")
            if cancel is not None:
                cancel.wait(self.poll_interval)
            else:
                time.sleep(self.poll_interval)

    def _remove_finalizers(self, plan: RemoveFinalizersPlan, cancel: threading.Event | None) -> FixResult:
        work, t = self._workloads(), plan.target

        def run() -> str:  # the objects holding a namespace first, then its own finalizers
            done = [work.release(held) for held in plan.held]
            own = (
                [work.remove_finalizers(t.kind, t.namespace or "", t.name, plan.finalizers)]
                if plan.finalizers
                else []
            )
            return "; ".join(done + own)

        return self._execute(plan, run)


Executor = Callable[[FixRunner, Any, "threading.Event | None"], FixResult]
"""(runner, plan of the keyed type, cancel) -> the result."""


def _gated(executor: Executor, runner: FixRunner, plan: FixPlan, cancel: threading.Event | None) -> FixResult:
    """Run the executor only when the gate and the backends allow the plan (bound to it with `partial`)."""
    refused = runner._refused(plan)
    return refused if refused is not None else executor(runner, plan, cancel)


EXECUTORS: Mapping[type[FixPlan], Executor] = MappingProxyType(
    {
        SyncPlan: partial(_gated, FixRunner._sync),
        RefreshPlan: partial(_gated, FixRunner._refresh),
        TerminatePlan: partial(_gated, FixRunner._terminate),
        AppSettingPlan: partial(_gated, FixRunner._app_setting),
        IgnoreDriftPlan: partial(_gated, FixRunner._ignore_drift),
        RestartPlan: partial(_gated, FixRunner._restart),
        DeletePodPlan: partial(_gated, FixRunner._delete_pod),
        ResourceActionPlan: partial(_gated, FixRunner._resource_action),
        DeleteResourcePlan: partial(_gated, FixRunner._delete_resource),
        CreateNamespacePlan: partial(_gated, FixRunner._create_namespace),
        DeleteHookPlan: partial(_gated, FixRunner._delete_hook),
        RemoveFinalizersPlan: partial(_gated, FixRunner._remove_finalizers),
        # Driven by their own views (fixes/ordered.py, cluster/portforward.py), which pass the gate there.
        OrderedSyncPlan: FixRunner._own_view,
        PortForwardPlan: FixRunner._own_view,
    }
)
"""Plan type -> its executor: the one place a plan's kind decides what runs."""
