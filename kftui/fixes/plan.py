"""Fix planning entry points: a finding's fix id (or a tree node's action) becomes a plan, with no I/O at all.

A plan says what will change, in words a person can check, and the `argocd` / `kubectl` command that does
the same (spelled once, in checks/fixrefs.py). The fix registry (fixes/registry.py) says which planner
plans each fix id; the plan types live in fixes/plans.py and are re-exported here for callers.
fixes/run.py executes a plan; fixes/gate.py decides whether it may.
"""

from __future__ import annotations

from kftui.fixes.plans import (
    ActionKind,
    FixPlan,
    ForwardTarget,
    OrderedSyncPlan,
    PlanError,
    PortForwardPlan,
    SyncPlan,
)
from kftui.fixes.registry import APP, APP_FIXES, FIXES, PLANNABLE
from kftui.kinds import WORKLOAD_KINDS
from kftui.model import ClusterSnapshot, Finding, ObjectRef
from kftui.profile import Profile

__all__ = [
    "APP_FIXES",
    "PLANNABLE",
    "ActionKind",
    "FixPlan",
    "ForwardTarget",
    "OrderedSyncPlan",
    "PlanError",
    "PortForwardPlan",
    "SyncPlan",
    "actions_for",
    "plan_action",
    "plan_fix",
]


def plan_fix(
    finding: Finding, fix_id: str, snapshot: ClusterSnapshot, profile: Profile | None = None
) -> FixPlan:
    """The plan for one of a finding's fixes, resolved against the snapshot the finding came from."""
    return plan_action(fix_id, _finding_target(finding, fix_id, snapshot), snapshot, profile)


def plan_action(
    fix_id: str, target: ObjectRef, snapshot: ClusterSnapshot, profile: Profile | None = None
) -> FixPlan:
    """The plan for an action on a tree node (an Application, workload, Pod or Service)."""
    spec = FIXES.get(fix_id)
    if spec is None:
        raise PlanError(f"no plan for fix {fix_id!r} (plannable: {', '.join(PLANNABLE)})")
    return spec.planner(spec, target, snapshot, profile)


def actions_for(target: ObjectRef, snapshot: ClusterSnapshot) -> tuple[str, ...]:
    """The fix ids a tree node offers, whether or not a finding names them."""
    if target.kind == APP:
        return APP_FIXES
    if target.kind in WORKLOAD_KINDS:
        return ("restart",)
    if target.kind == "Pod":
        pod = snapshot.pods.get((target.namespace or "", target.name))
        if pod is not None and pod.workload_kind in WORKLOAD_KINDS:
            return ("delete-pod", "restart")
        return ("delete-pod",)
    if target.kind == "Service":
        return ("port-forward",)
    return ()


def _finding_target(finding: Finding, fix_id: str, snapshot: ClusterSnapshot) -> ObjectRef:
    """What a finding's fix acts on: its Application for per-app fixes, else the finding's subject."""
    spec = FIXES.get(fix_id)
    if spec is None or spec.on != APP:
        return finding.subject
    name = finding.app or (finding.subject.name if finding.subject.kind == APP else None)
    if not name:
        raise PlanError(f"finding {finding.check} names no Application for {fix_id}")
    return ObjectRef(APP, snapshot.argocd_namespace, name)
