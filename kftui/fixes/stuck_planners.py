"""The planners that unstick a sync: delete a stuck hook (after terminating the operation), remove finalizers.

Pure functions (fix spec, target, snapshot, profile) -> a plan, like fixes/app_planners.py. Both act on
something Argo CD or a controller would normally clean up, so each preview says what the action leaves
behind: a hook deleted mid-sync is created again by the next sync; a finalizer removed means the cleanup it
stands for never runs, and what it guards is orphaned (removing one is typed to confirm).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kftui.checks.sync_ops import blocking
from kftui.fixes.plans import DeleteHookPlan, FixPlan, PlanError, RemoveFinalizersPlan, command_ref
from kftui.kinds import DESCRIBABLE
from kftui.model import Application, ClusterSnapshot, HeldObject, ObjectRef, ResourceResult
from kftui.profile import Profile

if TYPE_CHECKING:
    from kftui.fixes.registry import FixSpec

ORPHANS_NAMED = 8
"""At most this many orphaned resources are named in a preview; the rest are counted."""


def _hook_of(target: ObjectRef, snapshot: ClusterSnapshot) -> tuple[Application, ResourceResult] | None:
    """The hook a target stands for, with its app: the target itself when the last sync ran it as a hook, or,
    for an Application, the hook its running sync waits on (what sync-stuck names)."""
    for app in snapshot.applications.values():
        state = app.operation_state
        if state is None:
            continue
        if target.kind == "Application":
            if (app.namespace, app.name) != (target.namespace or snapshot.argocd_namespace, target.name):
                continue
            found = blocking(app)
            return (app, found) if isinstance(found, ResourceResult) and found.hook_type else None
        for result in state.results:
            if (
                result.hook_type
                and (result.kind, result.namespace or None, result.name)
                == (target.kind, target.namespace, target.name)
                and snapshot.cluster_of(app) == target.cluster  # (hub and spoke share namespaces and names)
            ):
                return app, result
    return None


def delete_hook(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    """Delete a hook that fails or never finishes; when the app's sync still waits on it, terminate it first."""
    found = _hook_of(target, snapshot)
    if found is None and target.kind == "Application":
        raise PlanError(f"no hook holds the sync of {target.name} in the snapshot")
    if found is None:
        raise PlanError(f"{target} is no sync hook of an Application in the snapshot")
    app, hook = found
    if hook.kind not in DESCRIBABLE or not hook.namespace:
        raise PlanError(f"kftui does not delete a {hook.kind} hook (it deletes Job and Pod hooks)")
    running = app.operation_phase in ("Running", "Terminating")
    ref = command_ref(spec, app.name, hook.kind, hook.namespace, hook.name, running)
    where = f"{hook.kind} {hook.namespace}/{hook.name}"
    changes = [
        *(
            [
                f"1. terminate the running operation of Application {app.namespace}/{app.name} "
                "(set status.operationState.phase=Terminating) and wait until Argo CD has stopped it",
                f"2. delete the {hook.hook_type} hook {where} (and, for a Job, its pods) unless the terminate "
                "already did: Argo CD deletes the hooks it sees running, not those it sees failed",
            ]
            if running
            else [f"delete the {hook.hook_type} hook {where} (and, for a Job, its pods)"]
        ),
        "the next sync creates the hook again from git: fix what made it fail or hang first",
    ]
    warnings = ["what the hook did before it was deleted stays done (a half-run migration stays half-run)"]
    return DeleteHookPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=snapshot.placed(ObjectRef(hook.kind, hook.namespace, hook.name), app),
        app=app.name,
        command=ref.command,
        changes=tuple(changes),
        warnings=tuple(warnings),
        terminate_first=running,
    )


def _orphans(app: Application) -> list[str]:
    left = [r for r in app.resources if not r.hook]
    named = [f"{r.kind} {r.namespace}/{r.name}" if r.namespace else f"{r.kind} {r.name}" for r in left]
    lines = named[:ORPHANS_NAMED]
    if len(named) > ORPHANS_NAMED:
        lines.append(f"... and {len(named) - ORPHANS_NAMED} more")
    return lines


def remove_finalizers(
    spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None
) -> FixPlan:
    """Remove the finalizers of an Application or Namespace stuck deleting (typed to confirm)."""
    held: tuple[HeldObject, ...] = ()
    if target.kind == "Application":
        app = snapshot.applications.get((target.namespace or snapshot.argocd_namespace, target.name))
        finalizers = app.finalizers if app is not None else ()
        deleting = app.deleting_since if app is not None else None
        orphaned = (
            [
                f"Argo CD stops deleting the app's resources; {len(app.resources)} stay in the cluster, unmanaged:",
                *_orphans(app),
            ]
            if app is not None and app.resources
            else ["Argo CD stops deleting the app's resources: whatever it still manages stays, unmanaged"]
        )
    elif target.kind == "Namespace":
        ns = snapshot.namespaces.get(target.key)
        finalizers = ns.finalizers if ns is not None else ()
        deleting = ns.deleting_since if ns is not None else None
        held = ns.held_by if ns is not None else ()
        orphaned = [
            "the cleanup the finalizer's controller would run never runs: what it guards outside the "
            "namespace (cloud resources, external records) is orphaned"
        ]
    else:
        raise PlanError(f"remove-finalizers acts on an Application or a Namespace, not on {target}")
    if not finalizers and not held:
        content = " (what holds it is content with finalizers: see the finding's evidence)"
        raise PlanError(
            f"{target} has no metadata.finalizers in the snapshot"
            + (content if target.kind == "Namespace" else "")
        )
    ref = command_ref(spec, target.kind, target.namespace, target.name, finalizers, held)
    blocked = None
    if deleting is None:
        blocked = f"{target} is not being deleted: its finalizers are doing their job"
    return RemoveFinalizersPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=target.name if target.kind == "Application" else None,
        command=ref.command,
        changes=(
            *(
                f"remove metadata.finalizers {list(h.finalizers)} from {h.resource} {h.namespace}/{h.name}, "
                "only if they are still exactly these (a JSON patch with a test)"
                for h in held
            ),
            *(
                [
                    f"remove metadata.finalizers {list(finalizers)} from {target.kind} {target.name}, only if "
                    "they are still exactly these (a JSON patch with a test)"
                ]
                if finalizers
                else []
            ),
            f"the API server then finishes deleting the {target.kind}",
        ),
        warnings=tuple(orphaned),
        confirm_word=target.name,
        blocked=blocked,
        finalizers=tuple(finalizers),
        held=tuple(held),
    )
