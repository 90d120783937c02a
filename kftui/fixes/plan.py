"""Fix planning: a finding's fix id (or a tree node's action) becomes a FixPlan, with no I/O at all.

A plan says what will change, in words a person can check, and the `argocd` / `kubectl` command that does
the same (spelled once, in checks/fixrefs.py). It knows whether the action can run now (an operation
already running blocks a sync), and whether the user must type the app's name to confirm (prune, replace
and force can delete or recreate objects). fixes/run.py executes a plan; fixes/gate.py decides whether
it may.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kftui.checks import fixrefs
from kftui.cluster.ops import CREATE_NAMESPACE, REPLACE, SERVER_SIDE_APPLY, ResourceSel, SyncRequest
from kftui.model import Application, ClusterSnapshot, Finding, ObjectRef, Pod, Service
from kftui.profile import Profile

PREVIEW_LIMIT = 12
"""At most this many resources are named in a preview; the rest are counted."""

WORKLOAD_KINDS = tuple(fixrefs.RESTARTABLE)  # the one table of kinds `kubectl rollout restart` accepts
STATEFUL_KINDS = ("PersistentVolumeClaim", "PersistentVolume", "StatefulSet", "Namespace")
RUNNING_PHASES = ("Running", "Terminating")


class ActionKind(enum.Enum):
    SYNC = "sync"
    REFRESH = "refresh"
    TERMINATE = "terminate"
    RESTART = "restart"
    DELETE_POD = "delete-pod"
    ORDERED_SYNC = "ordered-sync"
    PORT_FORWARD = "port-forward"
    APP_SETTING = "app-setting"
    CREATE_NAMESPACE = "create-namespace"


class PlanError(Exception):
    """The fix id cannot be planned for this target (unknown id, or a target of the wrong kind)."""


@dataclass(frozen=True, slots=True)
class ForwardTarget:
    """Where a guided port-forward goes: a Service port, and the local port to try first."""

    namespace: str
    service: str
    port: int
    local_port: int
    login_hint: str = ""


@dataclass(frozen=True)
class FixPlan:
    """One action, fully described before anything runs.

    fix_id: the id checks use (sync, sync-prune, force-sync, replace, ...).
    kind: which backend call carries it out.
    target: the object acted on (an Application, a Deployment, a Pod, a Service).
    app: the Argo CD Application concerned, when there is one.
    command: the equivalent CLI command(s), identical to the finding's FixRef command.
    changes: the preview, one line per change.
    warnings: what could go wrong or be lost.
    confirm_word: when set, the user must type exactly this (the app name) before it runs.
    mutating: whether it writes to the cluster (the read-only gate refuses those).
    blocked: why it cannot run right now (None when it can).
    sync: the sync request (SYNC kind), with its follow-up for two-step syncs (CRDs first).
    chain: the Applications of an ordered sync, in order.
    hard: hard refresh.
    forward: the port-forward target.
    """

    fix_id: str
    kind: ActionKind
    title: str
    target: ObjectRef
    app: str | None
    command: str
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    confirm_word: str | None = None
    mutating: bool = True
    blocked: str | None = None
    sync: SyncRequest | None = None
    then_sync: SyncRequest | None = None
    chain: tuple[str, ...] = ()
    hard: bool = False
    forward: ForwardTarget | None = None
    set_option: str | None = None
    """A sync option added to the app's spec before the sync (`argocd app set --sync-option`)."""

    @property
    def needs_typing(self) -> bool:
        return self.confirm_word is not None


APP_FIXES = (
    "sync",
    "sync-prune",
    "force-sync",
    "replace",
    "server-side-apply",
    "sync-crds-first",
    "refresh",
    "hard-refresh",
    "terminate",
    "sync-create-namespace",
    "disable-auto-prune",
)
PLANNABLE = (*APP_FIXES, "ordered-sync", "restart", "delete-pod", "port-forward", "create-namespaces")
"""Every fix id plan_fix understands. `describe` and `logs` are views, not fixes: the UI opens them."""


# --- entry points ---------------------------------------------------------------------------------


def plan_fix(
    finding: Finding, fix_id: str, snapshot: ClusterSnapshot, profile: Profile | None = None
) -> FixPlan:
    """The plan for one of a finding's fixes, resolved against the snapshot the finding came from."""
    return plan_action(fix_id, _finding_target(finding, fix_id, snapshot), snapshot, profile)


def plan_action(
    fix_id: str, target: ObjectRef, snapshot: ClusterSnapshot, profile: Profile | None = None
) -> FixPlan:
    """The plan for an action on a tree node (an Application, workload, Pod or Service)."""
    if fix_id in APP_FIXES:
        if target.kind != "Application":
            raise PlanError(f"{fix_id} acts on an Application, not on {target}")
        return _plan_app(fix_id, target, snapshot)
    if fix_id == "ordered-sync":
        return _plan_ordered(snapshot, profile)
    if fix_id == "restart":
        return _plan_restart(target, snapshot)
    if fix_id == "delete-pod":
        return _plan_delete_pod(target, snapshot)
    if fix_id == "port-forward":
        return _plan_port_forward(target, snapshot, profile)
    if fix_id == "create-namespaces":
        return _plan_create_namespace(target, snapshot)
    raise PlanError(f"no plan for fix {fix_id!r} (plannable: {', '.join(PLANNABLE)})")


def actions_for(target: ObjectRef, snapshot: ClusterSnapshot) -> tuple[str, ...]:
    """The fix ids a tree node offers, whether or not a finding names them."""
    if target.kind == "Application":
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
    if fix_id in APP_FIXES:
        name = finding.app or (finding.subject.name if finding.subject.kind == "Application" else None)
        if not name:
            raise PlanError(f"finding {finding.check} names no Application for {fix_id}")
        return ObjectRef("Application", snapshot.argocd_namespace, name)
    if fix_id == "restart" and finding.subject.kind == "Pod":
        pod = snapshot.pods.get((finding.subject.namespace or "", finding.subject.name))
        if pod is None or pod.workload_kind not in WORKLOAD_KINDS:
            raise PlanError(f"{finding.subject} belongs to no Deployment, StatefulSet or DaemonSet")
        return ObjectRef(pod.workload_kind, pod.namespace, pod.workload_name)
    return finding.subject


# --- Argo CD Application actions ------------------------------------------------------------------


def _app(snapshot: ClusterSnapshot, target: ObjectRef) -> Application | None:
    return snapshot.applications.get((target.namespace or snapshot.argocd_namespace, target.name))


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


def _plan_app(fix_id: str, target: ObjectRef, snapshot: ClusterSnapshot) -> FixPlan:
    name = target.name
    app = _app(snapshot, target)
    blocked = None if app is not None else f"Application {name} is not in the current snapshot"
    if fix_id in ("refresh", "hard-refresh"):
        hard = fix_id == "hard-refresh"
        ref = fixrefs.hard_refresh(name) if hard else fixrefs.refresh(name)
        changes = (
            f"annotate Application {target.namespace}/{name} "
            f"argocd.argoproj.io/refresh={'hard' if hard else 'normal'} (the controller removes it)",
            "Argo CD compares the live state with Git again"
            + (", regenerating manifests instead of using its cache" if hard else ""),
        )
        return FixPlan(
            fix_id,
            ActionKind.REFRESH,
            ref.title,
            target,
            name,
            ref.command,
            changes,
            blocked=blocked,
            hard=hard,
        )
    if fix_id == "disable-auto-prune":
        ref = fixrefs.disable_auto_prune(name, target.namespace or snapshot.argocd_namespace)
        if blocked is None and app is not None and not (app.automated and app.auto_prune):
            blocked = f"automated prune is not on for {name}"
        changes = (
            f"set spec.syncPolicy.automated.prune=false on Application {target.namespace}/{name}",
            "automated syncs stop deleting resources that left git; a manual sync with prune still can",
        )
        warnings = ("an app of apps with self-heal that manages this Application may set it back",)
        return FixPlan(
            fix_id,
            ActionKind.APP_SETTING,
            ref.title,
            target,
            name,
            ref.command,
            changes,
            warnings,
            blocked=blocked,
        )
    if fix_id == "terminate":
        ref = fixrefs.terminate(name)
        if blocked is None and app is not None and app.operation_phase != "Running":
            blocked = f"no operation is running on {name} (last phase: {app.operation_phase or 'none'})"
        changes = (
            f"set status.operationState.phase=Terminating on Application {target.namespace}/{name}",
            "the controller stops the sync; what was already applied stays applied",
        )
        return FixPlan(
            fix_id, ActionKind.TERMINATE, ref.title, target, name, ref.command, changes, blocked=blocked
        )
    return _plan_sync(fix_id, target, app, blocked)


def _plan_sync(fix_id: str, target: ObjectRef, app: Application | None, blocked: str | None) -> FixPlan:
    name = target.name
    if blocked is None and app is not None:
        blocked = _running_block(app)
    warnings: list[str] = []
    confirm: str | None = None
    then: SyncRequest | None = None
    revision = (app.target_revision if app else "") or "HEAD"
    changes = [f"write .operation.sync on Application {target.namespace}/{name} (revision {revision})"]
    out_of_sync = [
        _res_label(r.kind, r.namespace, r.name)
        for r in (app.resources if app else ())
        if r.sync_status == "OutOfSync" and not r.requires_pruning
    ]
    if fix_id == "sync":
        ref, request = fixrefs.sync(name), SyncRequest()
    elif fix_id == "sync-prune":
        ref, request = fixrefs.sync_prune(name), SyncRequest(prune=True)
        confirm = name
    elif fix_id == "force-sync":
        ref, request = fixrefs.force_sync(name), SyncRequest(force=True)
        confirm = name
        changes.append("resources that cannot be patched are deleted and created again (apply --force)")
        warnings.append("force deletes and recreates objects: pods restart, and data in them is lost")
    elif fix_id == "replace":
        ref, request = fixrefs.replace_sync(name), SyncRequest(sync_options=(REPLACE,))
        confirm = name
        changes.append("every resource is replaced (kubectl replace / create) instead of applied")
        warnings.append("replace drops fields other controllers set on the live objects")
    elif fix_id == "server-side-apply":
        ref, request = fixrefs.server_side_apply(name), SyncRequest(sync_options=(SERVER_SIDE_APPLY,))
        changes.append("resources are applied server-side (no last-applied annotation: large CRDs fit)")
    elif fix_id == "sync-create-namespace":
        ref, request = fixrefs.sync_create_namespace(name), SyncRequest()
        changes.insert(
            0,
            f"add {CREATE_NAMESPACE} to spec.syncPolicy.syncOptions of Application {target.namespace}/{name}",
        )
        if app is not None and app.dest_namespace:
            changes.append(
                f"the sync creates the destination namespace {app.dest_namespace} if it is missing"
            )
    elif fix_id == "sync-crds-first":
        ref = fixrefs.sync_crds_first(name)
        crds = tuple(
            ResourceSel(r.group, r.kind, r.name, r.namespace)
            for r in (app.resources if app else ())
            if r.kind == "CustomResourceDefinition"
        )
        if not crds and blocked is None:
            blocked = f"{name} manages no CustomResourceDefinition"
        request = SyncRequest(resources=crds)
        then = SyncRequest()
        changes[0] += f", only its {len(crds)} CustomResourceDefinition(s)"
        changes.extend(_name_some([_res_label(c.kind, c.namespace, c.name) for c in crds], "apply"))
        changes.append("when that sync has finished: a full sync of the app")
        out_of_sync = []
    else:  # pragma: no cover - APP_FIXES and this chain are kept in step by test_fix_plan
        raise PlanError(f"unknown sync fix {fix_id!r}")
    changes.extend(_name_some(out_of_sync, "apply"))
    prunable = [r for r in (app.resources if app else ()) if r.requires_pruning]
    if request.prune:
        changes.extend(_name_some([_res_label(r.kind, r.namespace, r.name) for r in prunable], "DELETE"))
        stateful = [r for r in prunable if r.kind in STATEFUL_KINDS]
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
    return FixPlan(
        fix_id,
        ActionKind.SYNC,
        ref.title,
        target,
        name,
        ref.command,
        tuple(changes),
        tuple(warnings),
        confirm_word=confirm,
        blocked=blocked,
        sync=request,
        then_sync=then,
        set_option=CREATE_NAMESPACE if fix_id == "sync-create-namespace" else None,
    )


def _plan_ordered(snapshot: ClusterSnapshot, profile: Profile | None) -> FixPlan:
    chain = profile.chain() if profile is not None else ()
    ref = fixrefs.ordered_sync(chain)
    target = ObjectRef("Application", snapshot.argocd_namespace, chain[0] if chain else "")
    blocked = None if chain else "the profile defines no dependency chain"
    missing = [a for a in chain if (snapshot.argocd_namespace, a) not in snapshot.applications]
    changes = [
        f"{i}. sync {a}, then wait until it is Synced and Healthy" for i, a in enumerate(chain, start=1)
    ]
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
    return FixPlan(
        "ordered-sync",
        ActionKind.ORDERED_SYNC,
        ref.title,
        target,
        None,
        ref.command,
        tuple(changes),
        tuple(warnings),
        blocked=blocked,
        chain=chain,
    )


# --- workloads and pods ---------------------------------------------------------------------------


def _plan_restart(target: ObjectRef, snapshot: ClusterSnapshot) -> FixPlan:
    if target.kind == "Pod":
        pod = snapshot.pods.get((target.namespace or "", target.name))
        if pod is None or pod.workload_kind not in WORKLOAD_KINDS:
            raise PlanError(f"{target} belongs to no Deployment, StatefulSet or DaemonSet")
        target = ObjectRef(pod.workload_kind, pod.namespace, pod.workload_name)
    ref = fixrefs.restart(target.kind, target.namespace or "", target.name)
    if ref is None or not target.namespace:
        raise PlanError(f"restart acts on a Deployment, StatefulSet or DaemonSet, not on {target}")
    changes = (
        f"set spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt] on "
        f"{target.kind} {target.namespace}/{target.name}",
        "its controller replaces the pods, respecting the rollout strategy",
    )
    warnings = ("Argo CD may show the workload OutOfSync if it tracks that annotation",)
    blocked = None
    # Matched on namespace/name, and on kind when the snapshot knows it (LIST items carry no kind).
    known = any(
        (w.namespace, w.name) == (target.namespace, target.name) and w.kind in (target.kind, "")
        for w in snapshot.workloads.values()
    )
    if snapshot.workloads and not known:
        blocked = f"{target} is not in the current snapshot"
    return FixPlan(
        "restart",
        ActionKind.RESTART,
        ref.title,
        target,
        None,
        ref.command,
        changes,
        warnings,
        blocked=blocked,
    )


def _plan_delete_pod(target: ObjectRef, snapshot: ClusterSnapshot) -> FixPlan:
    if target.kind != "Pod" or not target.namespace:
        raise PlanError(f"delete-pod acts on a Pod, not on {target}")
    pod: Pod | None = snapshot.pods.get((target.namespace, target.name))
    ref = fixrefs.delete_pod(target.namespace, target.name)
    changes = [f"delete Pod {target.namespace}/{target.name}"]
    warnings: list[str] = []
    confirm = None
    blocked = None if pod is not None else f"{target} is not in the current snapshot"
    if pod is not None and pod.owner_kind:
        changes.append(f"its {pod.owner_kind} {pod.owner_name} creates a replacement")
    elif pod is not None:
        warnings.append("this pod has no controller: nothing will recreate it")
        confirm = target.name
    return FixPlan(
        "delete-pod",
        ActionKind.DELETE_POD,
        ref.title,
        target,
        None,
        ref.command,
        tuple(changes),
        tuple(warnings),
        confirm_word=confirm,
        blocked=blocked,
    )


def _plan_port_forward(target: ObjectRef, snapshot: ClusterSnapshot, profile: Profile | None) -> FixPlan:
    gateway = profile.gateway if profile is not None else None
    if target.kind == "Service" and target.namespace:
        svc: Service | None = snapshot.services.get((target.namespace, target.name))
        port = svc.ports[0].port if svc is not None and svc.ports else 80
        is_gateway = gateway is not None and (gateway.namespace, gateway.service) == (
            target.namespace,
            target.name,
        )
        if is_gateway and gateway is not None:
            port = gateway.port
        forward = ForwardTarget(
            target.namespace,
            target.name,
            port,
            gateway.local_port if is_gateway and gateway is not None else 8080,
            gateway.login_hint if is_gateway and gateway is not None else "",
        )
    else:
        gw = gateway or Profile(name="default").gateway
        forward = ForwardTarget(gw.namespace, gw.service, gw.port, gw.local_port, gw.login_hint)
    svc_ref = ObjectRef("Service", forward.namespace, forward.service)
    ref = fixrefs.port_forward(forward.namespace, forward.service, forward.local_port, forward.port)
    changes = (
        f"listen on 127.0.0.1:{forward.local_port} (or the next free port)",
        f"forward each connection to a ready pod behind svc/{forward.service} port {forward.port}",
        "probe it over HTTP and show the URL",
    )
    return FixPlan(
        "port-forward",
        ActionKind.PORT_FORWARD,
        ref.title,
        svc_ref,
        None,
        ref.command,
        changes,
        mutating=False,
        forward=forward,
    )


def _plan_create_namespace(target: ObjectRef, snapshot: ClusterSnapshot) -> FixPlan:
    if target.kind != "Namespace":
        raise PlanError(f"create-namespaces acts on a Namespace, not on {target}")
    ref = fixrefs.create_namespaces([target.name])
    existing = snapshot.namespaces.get(("", target.name))
    blocked = None
    if existing is not None:
        blocked = (
            f"namespace {target.name} is still terminating: it can be created again once it is gone"
            if existing.phase == "Terminating" or existing.deleting_since is not None
            else f"namespace {target.name} already exists"
        )
    changes = (f"create Namespace {target.name}",)
    warnings = (
        "nobody manages it: if an Application should own it, prefer syncing that app with CreateNamespace",
    )
    return FixPlan(
        "create-namespaces",
        ActionKind.CREATE_NAMESPACE,
        ref.title,
        ObjectRef("Namespace", None, target.name),
        None,
        ref.command,
        changes,
        warnings,
        blocked=blocked,
    )
