"""The planners of Argo CD Application actions: pure functions (fix spec, target, snapshot, profile) -> a plan.

A planner resolves its target against the snapshot, writes the preview in words a person can check, and
takes its title and command from the spec's command builder (checks/fixrefs.py), so the plan shows the
command the finding shows. It knows whether the action can run now (an operation already running blocks
a sync) and whether the user must type a name to confirm. The fix registry (fixes/registry.py) says which
planner each fix id uses; the sync variants differ only in the SyncVariant the registry binds to `sync`.
(Bound with functools.partial rather than built by a factory: the planner's code then runs when a plan is
made, not once at import, so what it does is what each test of it exercises.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kftui.checks.sync_windows import sync_denied
from kftui.cluster.ops import CREATE_NAMESPACE, ResourceSel, SyncRequest
from kftui.fixes.plans import (
    AppSettingPlan,
    FixPlan,
    OrderedSyncPlan,
    PlanError,
    RefreshPlan,
    SyncPlan,
    TerminatePlan,
    command_ref,
)
from kftui.kinds import DELETING_LOSES
from kftui.model import Application, ClusterSnapshot, ObjectRef
from kftui.profile import Profile

if TYPE_CHECKING:
    from kftui.fixes.registry import FixSpec

PREVIEW_LIMIT = 12
"""At most this many resources are named in a preview; the rest are counted."""

RUNNING_PHASES = ("Running", "Terminating")


# --- Argo CD Application actions ------------------------------------------------------------------


def _app_target(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot) -> Application | None:
    """The Application a per-app fix acts on (None when the snapshot lacks it); refuses other targets."""
    if target.kind != "Application":
        raise PlanError(f"{spec.fix_id} acts on an Application, not on {target}")
    return snapshot.applications.get((target.namespace or snapshot.argocd_namespace, target.name))


def _missing(app: Application | None, name: str) -> str | None:
    return None if app is not None else f"Application {name} is not in the current snapshot"


def _running_block(app: Application) -> str | None:
    phase = app.operation_phase
    if phase in RUNNING_PHASES:
        return (
            f"an operation is already {phase.lower()} on {app.name}; "
            "wait for it or terminate it first (Argo CD refuses a second one)"
        )
    return None


def _name_some(refs: list[str], verb: str) -> list[str]:
    lines = [f"{verb} {r}" for r in refs[:PREVIEW_LIMIT]]
    if len(refs) > PREVIEW_LIMIT:
        lines.append(f"... and {len(refs) - PREVIEW_LIMIT} more")
    return lines


def _res_label(kind: str, namespace: str, name: str) -> str:
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def refresh(
    hard: bool, spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None
) -> FixPlan:
    """A normal or a hard refresh; the registry binds `hard` (functools.partial) to make the planner."""
    app = _app_target(spec, target, snapshot)
    ref = command_ref(spec, target.name)
    changes = (
        f"annotate Application {target.namespace}/{target.name} "
        f"argocd.argoproj.io/refresh={'hard' if hard else 'normal'} (the controller removes it)",
        "Argo CD compares the live state with Git again"
        + (", regenerating manifests instead of using its cache" if hard else ""),
    )
    return RefreshPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=target.name,
        command=ref.command,
        changes=changes,
        blocked=_missing(app, target.name),
        hard=hard,
    )


def disable_auto_prune(
    spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None
) -> FixPlan:
    name = target.name
    app = _app_target(spec, target, snapshot)
    ref = command_ref(spec, name, target.namespace or snapshot.argocd_namespace)
    blocked = _missing(app, name)
    if blocked is None and app is not None and not (app.automated and app.auto_prune):
        blocked = f"automated prune is not on for {name}"
    return AppSettingPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=name,
        command=ref.command,
        changes=(
            f"set spec.syncPolicy.automated.prune=false on Application {target.namespace}/{name}",
            "automated syncs stop deleting resources that left git; a manual sync with prune still can",
        ),
        warnings=("an app of apps with self-heal that manages this Application may set it back",),
        blocked=blocked,
    )


def terminate(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    name = target.name
    app = _app_target(spec, target, snapshot)
    ref = command_ref(spec, name)
    blocked = _missing(app, name)
    # A set `operation` whose last state finished is one the controller left behind (operation-stale): Argo CD's
    # terminate marks it Terminating and the controller then clears it, so it is allowed like a running one.
    stale = app is not None and app.operation is not None and app.operation_state is not None
    if blocked is None and app is not None and app.operation_phase != "Running" and not stale:
        blocked = f"no operation is running on {name} (last phase: {app.operation_phase or 'none'})"
    return TerminatePlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=name,
        command=ref.command,
        changes=(
            f"set status.operationState.phase=Terminating on Application {target.namespace}/{name}",
            "the controller stops the sync; what was already applied stays applied",
        ),
        blocked=blocked,
    )


@dataclass(frozen=True)
class SyncVariant:
    """What one sync fix asks Argo CD for, and what it adds to the preview.

    confirm: the user types the app's name first (the sync can delete or recreate objects).
    notes / warnings: preview lines of this variant, after the first change line.
    set_option: a sync option written to the app's spec before the sync.
    """

    request: SyncRequest = field(default_factory=SyncRequest)
    confirm: bool = False
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    set_option: str | None = None


def _sync_head(
    app: Application | None, target: ObjectRef, snapshot: ClusterSnapshot
) -> tuple[str | None, list[str]]:
    """Why the sync cannot run now (or None): the app is missing, busy, or a sync window denies it; and the
    first line of its preview."""
    blocked = _running_block(app) if app is not None else _missing(app, target.name)
    if blocked is None:
        # Argo CD refuses a manual sync then, or holds one written to the Application until the window opens.
        blocked = sync_denied(snapshot, target.name)
    revision = (app.target_revision if app else "") or "HEAD"
    return blocked, [
        f"write .operation.sync on Application {target.namespace}/{target.name} (revision {revision})"
    ]


def _sync_tail(
    app: Application | None,
    request: SyncRequest,
    changes: list[str],
    warnings: list[str],
    out_of_sync: bool = False,
) -> None:
    """The preview lines every sync shares: what it applies, what prune deletes, what self-heal may do."""
    resources = app.resources if app else ()
    if out_of_sync:
        changes.extend(
            _name_some(
                [
                    _res_label(r.kind, r.namespace, r.name)
                    for r in resources
                    if r.sync_status == "OutOfSync" and not r.requires_pruning
                ],
                "apply",
            )
        )
    prunable = [r for r in resources if r.requires_pruning]
    if request.prune:
        changes.extend(_name_some([_res_label(r.kind, r.namespace, r.name) for r in prunable], "DELETE"))
        stateful = [r for r in prunable if r.kind in DELETING_LOSES]
        if stateful:
            warnings.append(
                "pruning deletes stateful objects: "
                + ", ".join(_res_label(r.kind, r.namespace, r.name) for r in stateful[:5])
            )
        if not prunable:
            changes.append("nothing requires pruning right now")
    elif prunable:
        changes.append(f"{len(prunable)} resource(s) that require pruning are left alone (no prune)")
    if app is not None and app.automated and app.self_heal:
        warnings.append("auto-sync with self-heal is on: Argo CD may sync again by itself")


def sync(
    variant: SyncVariant, spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None
) -> FixPlan:
    """One sync variant (plain, prune, force, replace, server-side, create-namespace); the registry binds
    `variant` (functools.partial) to make each variant's planner."""
    name = target.name
    app = _app_target(spec, target, snapshot)
    ref = command_ref(spec, name)
    blocked, changes = _sync_head(app, target, snapshot)
    changes.extend(variant.notes)
    if variant.set_option is not None:
        changes.insert(
            0,
            f"add {variant.set_option} to spec.syncPolicy.syncOptions of Application {target.namespace}/{name}",
        )
    if variant.set_option == CREATE_NAMESPACE and app is not None and app.dest_namespace:
        changes.append(f"the sync creates the destination namespace {app.dest_namespace} if it is missing")
    warnings = list(variant.warnings)
    _sync_tail(app, variant.request, changes, warnings, out_of_sync=True)
    return SyncPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=name,
        command=ref.command,
        changes=tuple(changes),
        warnings=tuple(warnings),
        confirm_word=name if variant.confirm else None,
        blocked=blocked,
        sync=variant.request,
        set_option=variant.set_option,
    )


def sync_crds_first(
    spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None
) -> FixPlan:
    """Sync only the app's CustomResourceDefinitions, then (once that has finished) the whole app."""
    name = target.name
    app = _app_target(spec, target, snapshot)
    ref = command_ref(spec, name)
    blocked, changes = _sync_head(app, target, snapshot)
    crds = tuple(  # cluster-scoped: selected and named without a namespace
        ResourceSel(r.group, r.kind, r.name)
        for r in (app.resources if app else ())
        if r.kind == "CustomResourceDefinition"
    )
    if not crds and blocked is None:
        blocked = f"{name} manages no CustomResourceDefinition"
    request = SyncRequest(resources=crds)
    changes[0] += f", only its {len(crds)} CustomResourceDefinition(s)"
    changes.extend(_name_some([f"{c.kind} {c.name}" for c in crds], "apply"))
    changes.append("when that sync has finished: a full sync of the app")
    warnings: list[str] = []
    _sync_tail(app, request, changes, warnings)  # the CRDs are named above, not the out-of-sync list
    return SyncPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=name,
        command=ref.command,
        changes=tuple(changes),
        warnings=tuple(warnings),
        blocked=blocked,
        sync=request,
        then_sync=SyncRequest(),
    )


def ordered_sync(spec: FixSpec, _: ObjectRef, snapshot: ClusterSnapshot, profile: Profile | None) -> FixPlan:
    """The profile's dependency chain, whatever the target: the chain is the profile's, not a node's."""
    chain = profile.chain() if profile is not None else ()
    ref = command_ref(spec, chain)
    missing = [a for a in chain if (snapshot.argocd_namespace, a) not in snapshot.applications]
    warnings = []
    if missing:
        warnings.append(
            f"not in the snapshot yet: {', '.join(missing)} (an earlier app of the chain may create them)"
        )
    running = [
        a.name
        for a in snapshot.applications.values()
        if a.name in chain and a.operation_phase in RUNNING_PHASES
    ]
    if running:
        warnings.append(
            f"an operation is running on {', '.join(running)}: each step waits for its app to be free"
        )
    denied = next((why for a in chain if (why := sync_denied(snapshot, a)) is not None), None)
    return OrderedSyncPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=ObjectRef("Application", snapshot.argocd_namespace, chain[0] if chain else ""),
        command=ref.command,
        changes=tuple(
            f"{i}. sync {a}, then wait until it is Synced and Healthy" for i, a in enumerate(chain, start=1)
        ),
        warnings=tuple(warnings),
        blocked=denied if chain else "the profile defines no dependency chain",
        chain=chain,
    )
