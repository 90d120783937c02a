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
from kftui.fixes.registry import APP, APP_FIXES, FIXES, PLANNABLE, VIA_ARGO, FixSpec
from kftui.kinds import WORKLOAD_KINDS
from kftui.model import ARGOCD_API, DIRECT, ClusterSnapshot, Finding, ObjectRef, Origin
from kftui.profile import Profile

KUBE_TARGETS = frozenset({"workload", "Pod", "Service", "Namespace", "hook", "object"})
"""What a fix acts on when it acts through the hub's kube context rather than on an Application."""
THROUGH_CONTEXT = frozenset({"port-forward", "restart", "delete-pod"})
"""The Kubernetes fixes that go through the kube context of a cluster kftui reads directly (not the hub's)."""

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
    if spec.on in KUBE_TARGETS:
        spec = _on_the_hub(spec, target, snapshot)
    plan = spec.planner(spec, target, snapshot, profile)
    if spec.on in KUBE_TARGETS and plan.target != target:
        _on_the_hub(spec, plan.target, snapshot)  # (what it acts on: the hook an app's sync waits on, say)
    return plan


def _on_the_hub(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot) -> FixSpec:
    """A Kubernetes fix (restart, delete-pod, port-forward) acts through the hub's kube context: on an object
    of another cluster it would act on the wrong one. On a cluster kftui reads through Argo CD's API, Argo CD
    carries out the fixes it can (VIA_ARGO: restart, delete-pod); the rest are refused, saying what would
    work instead."""
    fix_id = spec.fix_id
    origin = snapshot.origin_of(target) or _remote_app_namespace(target, snapshot)
    if origin is None and target.cluster:  # (named with a cluster whose namespace kftui has not read)
        origin = Origin(target.cluster, ARGOCD_API)
    # (These go through the context that reaches that cluster: ForwardTarget.context, the plans' context.)
    if origin is None or (fix_id in THROUGH_CONTEXT and origin.path == DIRECT and origin.context):
        return spec
    if origin.path == ARGOCD_API and fix_id in VIA_ARGO:
        return VIA_ARGO[fix_id]
    how = "through Argo CD's API" if origin.path == ARGOCD_API else "through a kube context of its own"
    where = f"{target} is on cluster {origin.cluster}, which kftui reads {how}"
    if origin.path == ARGOCD_API:
        hint = (
            "kftui holds no kube credentials for it: add a kube context for that cluster (or map its server "
            "to one under `clusters:` in kftui's config file)"
        )
    else:
        hint = (
            f"only {', '.join(sorted(THROUGH_CONTEXT))} go through a second kube context yet: use kubectl "
            "with that context"
        )
    raise PlanError(f"cannot {fix_id} {target.name}: {where}; {hint}")


def actions_for(target: ObjectRef, snapshot: ClusterSnapshot) -> tuple[str, ...]:
    """The fix ids a tree node offers, whether or not a finding names them."""
    if target.kind == APP:
        return APP_FIXES
    if target.kind in WORKLOAD_KINDS:
        return ("restart",)
    if target.kind == "Pod":
        pod = snapshot.pods.get(target.key)
        if pod is not None and pod.workload_kind in WORKLOAD_KINDS:
            return ("delete-pod", "restart")
        return ("delete-pod",)
    if target.kind == "Service":
        return ("port-forward",)
    return ()


def _remote_app_namespace(target: ObjectRef, snapshot: ClusterSnapshot) -> Origin | None:
    """For a namespace kftui has not seen (a missing one): the cluster the apps deploying there deploy to,
    when none of them deploys to the hub."""
    if target.kind != "Namespace" or target.key in snapshot.namespaces:
        return None
    if target.cluster:  # (a finding about a namespace missing on another cluster names that cluster)
        # The path the namespaces read from that cluster came by; none read: _on_the_hub assumes Argo CD's API.
        known = (
            ns.origin
            for ns in snapshot.namespaces.values()
            if ns.origin and ns.origin.cluster == target.cluster
        )
        return next(known, None)
    dests = [
        snapshot.destination(a) for a in snapshot.applications.values() if target.name in a.target_namespaces
    ]
    if not dests or any(d.in_cluster for d in dests):
        return None
    return Origin(dests[0].label, ARGOCD_API)


def _finding_target(finding: Finding, fix_id: str, snapshot: ClusterSnapshot) -> ObjectRef:
    """What a finding's fix acts on: its Application for per-app fixes, else the finding's subject."""
    spec = FIXES.get(fix_id)
    if spec is None or spec.on != APP:
        return finding.subject
    name = finding.app or (finding.subject.name if finding.subject.kind == APP else None)
    if not name:
        raise PlanError(f"finding {finding.check} names no Application for {fix_id}")
    return ObjectRef(APP, snapshot.argocd_namespace, name)
