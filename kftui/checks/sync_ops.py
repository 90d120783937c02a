"""Checks on sync operations in flight: a sync that runs too long, a hook that failed, an operation left behind.

They read `status.operationState` (phase, start, results with hook phases) and the live resources' health,
as Argo CD reports them, and name the one thing the sync waits for: a hook still running or failed, else the
first resource that is not healthy, in sync-wave order (the order Argo CD applies and waits for them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

from kftui.checks import fixrefs
from kftui.checks.evidence import applications, res_name
from kftui.checks.health import Health, resource_health
from kftui.kinds import WORKLOAD_KINDS
from kftui.model import Application, ClusterSnapshot, Finding, ManagedResource, Pod, ResourceResult, Severity
from kftui.profile import Profile

UNHEALTHY = ("Degraded", "Progressing", "Missing", "Suspended")
FINISHED = ("Succeeded", "Failed", "Error")


def span(seconds: float) -> str:
    """A duration as people say it: `45 s`, `25 min`, `2 h 5 min`."""
    whole = int(seconds)
    if whole < 120:
        return f"{whole} s"
    if whole < 7200:
        return f"{whole // 60} min"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def _where(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def _hook_problem(result: ResourceResult) -> bool:
    """A hook not done, or failed. Only hooks: Argo CD gives plain resources (a created Namespace) a hookPhase too."""
    return bool(result.hook_type) and result.hook_phase in ("Running", "Pending", "Failed", "Error")


def blocking(app: Application) -> ResourceResult | ManagedResource | None:
    """What the app's sync waits for now: a hook not done or failed, a resource that failed to apply, else the
    first unhealthy resource in sync-wave order. None when Argo CD's status names nothing."""
    state = app.operation_state
    if state is not None:
        for result in state.results:
            if _hook_problem(result) or result.status == "SyncFailed":
                return result
    unhealthy = next(
        (r for r in sorted(app.resources, key=lambda r: r.sync_wave) if r.health_status in UNHEALTHY), None
    )
    return unhealthy or (_waited_for(app) if app.operation_phase in ("Running", "Terminating") else None)


_WAITING = re.compile(r"waiting for healthy state of (?P<group>[^/\s]*)/(?P<kind>[^/\s]+)/(?P<name>\S+)")


def _waited_for(app: Application) -> ManagedResource | None:
    """The resource a running sync's message names ("waiting for healthy state of apps/Deployment/api"):
    Argo CD 3 no longer keeps each resource's health in the Application, but its operation says what it waits on."""
    match = _WAITING.search(app.operation_state.message if app.operation_state else "")
    if match is None:
        return None
    wanted = (match["group"], match["kind"], match["name"])
    return next((r for r in app.resources if (r.group, r.kind, r.name) == wanted), None)


def blocker(app: Application) -> str:
    """The blocker as one phrase: `PreSync hook Job ns/name: Running`, `Deployment ns/name: Degraded (...)`."""
    return describe_blocker(blocking(app))


def describe_blocker(
    found: ResourceResult | ManagedResource | None, snapshot: ClusterSnapshot | None = None
) -> str:
    """What `blocking` found, as `blocker` says it ("" for nothing). With a snapshot, a resource whose health
    Argo CD did not record gets the health its live objects show (a Deployment's crash-looping pod)."""
    if isinstance(found, ResourceResult):
        kind = f"{found.hook_type} hook " if found.hook_type else ""
        failed = found.hook_phase in ("Failed", "Error") or found.status == "SyncFailed"
        # A running hook's message is only "job.batch/x created": its phase says more.
        reason = (found.message or found.hook_phase or found.status) if failed else found.hook_phase
        return f"{kind}{found.kind} {_where(found.namespace, found.name)}: {reason}"
    if found is not None:
        health = Health(found.health_status, found.health_message)
        if not health.status and snapshot is not None:
            health = resource_health(snapshot, found)
        detail = f" ({health.message})" if health.message else ""
        said = f"{health.status}{detail}" if health.status else "not healthy yet"
        return f"{found.kind} {_where(found.namespace, found.name)}: {said}"
    return ""


def _pods_of_job(snapshot: ClusterSnapshot, namespace: str, job: str, cluster: str) -> list[Pod]:
    return [
        pod
        for pod in snapshot.pods.values()
        if pod.namespace == namespace
        and pod.owner_kind == "Job"
        and pod.owner_name == job
        and pod.cluster == cluster
    ]


def _pod_reason(pod: Pod) -> str:
    waiting = next((c.reason for c in pod.containers if c.reason), "")
    reason = waiting or pod.reason or pod.phase
    if pod.unschedulable_message:
        reason += f" ({pod.unschedulable_message})"
    return f"pod {pod.name}: {reason}"


def _blocker_pods(
    snapshot: ClusterSnapshot,
    found: ResourceResult | ManagedResource | None,
    said: str,
    cluster: str,
) -> str:
    """What the blocker's pods say, a line each ("pod x: CrashLoopBackOff"): a Job hook's pods, or the pods of a
    workload that are not ready (the reason a wave is not healthy); "" otherwise. `cluster` is the one the
    blocker's app deploys to ("" the hub): a pod of the same name on another cluster says nothing about it."""
    if isinstance(found, ResourceResult) and found.kind == "Job" and found.hook_type:
        pods = _pods_of_job(snapshot, found.namespace, found.name, cluster)
    elif isinstance(found, ManagedResource) and found.kind in WORKLOAD_KINDS:
        wanted = (found.namespace, found.kind, found.name, cluster)
        pods = sorted(
            (
                p
                for p in snapshot.pods.values()
                if (p.namespace, p.workload_kind, p.workload_name, p.cluster) == wanted
            ),
            key=lambda p: p.name,
        )
        pods = [p for p in pods if not p.ready]
    else:
        return ""
    # (a pod the blocker's health already names is not said twice)
    return "".join(f"\n{_pod_reason(p)}" for p in pods[:3] if f"pod {p.name}:" not in said)


def sync_stuck(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A sync operation Running far longer than a sync of that app takes, with what it is waiting for.

    The most common Argo CD complaint: an app "stuck in Syncing". Argo CD waits for each wave to be healthy
    and for each hook to finish, forever by default; the blocker is the hook or resource it waits on.
    """
    for app in applications(snapshot):
        state = app.operation_state
        if app.operation_phase not in ("Running", "Terminating") or state is None or state.started_at is None:
            continue
        # The profile says how long a sync of each app may take (Kubeflow's core app: 15 min): a sync of a
        # few seconds, or a slow one still inside its limit, is never called stuck.
        running = snapshot.now - state.started_at
        if running < timedelta(seconds=profile.sync_limit(app.name)):
            continue
        found = blocking(app)
        waits_for = describe_blocker(found, snapshot)
        took = span(running.total_seconds())
        evidence = f"status.operationState.phase={state.phase or 'Running'} since {state.started_at:%Y-%m-%d %H:%M:%SZ}"
        evidence += f" ({took}; the {profile.name} profile allows {span(profile.sync_limit(app.name))})"
        if state.retry_count:
            evidence += f", retry {state.retry_count}"
        if state.message:
            evidence += f"\nmessage: {state.message}"
        if waits_for:
            evidence += f"\nwaiting for {waits_for}" + _blocker_pods(
                snapshot, found, waits_for, snapshot.cluster_of(app)
            )
        # A hook that hangs is deleted after the terminate (a running sync would only wait on it again).
        hook_fix = (
            fixrefs.delete_hook(app.name, found.kind, found.namespace, found.name, terminate_first=True)
            if isinstance(found, ResourceResult) and found.hook_type
            else None
        )
        yield Finding(
            check="sync-stuck",
            severity=Severity.ERROR,
            app=app.name,
            subject=app.ref,
            title=f"Sync of {app.name} running for {took}"
            + (f": waiting for {waits_for.split(': ')[0]}" if waits_for else ""),
            evidence=evidence,
            explanation="Argo CD applies the app wave by wave and waits until each wave is healthy and each "
            "hook has finished, with no time limit of its own. The resource or hook it waits for is named "
            "above: fix that (its pod's reason is in the pod-failing finding), or terminate the operation "
            "(fix: terminate) and sync again once the cause is gone. A hook that never finishes can be "
            "deleted after the terminate (fix: delete-hook); the next sync creates it again.",
            fixes=fixrefs.offered(fixrefs.terminate(app.name), hook_fix),
        )


def hook_failed(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A sync hook (PreSync, Sync, PostSync, SyncFail Job or Pod) that failed, with its message and its pod's reason.

    A failed PreSync hook stops the sync before anything is applied; a failed PostSync marks the sync failed
    after everything was applied. Argo CD keeps the hook's result in status.operationState.syncResult.
    """
    for app in applications(snapshot):
        state = app.operation_state
        if state is None:
            continue
        for result in state.results:
            if not result.hook_type or result.hook_phase not in ("Failed", "Error"):
                continue
            where = _where(result.namespace, result.name)
            evidence = f"{result.hook_type} hook {result.kind} {where}: phase {result.hook_phase}"
            if result.message:
                evidence += f", message: {result.message}"
            evidence += _blocker_pods(snapshot, result, evidence, snapshot.cluster_of(app))
            running = app.operation_phase in ("Running", "Terminating")
            yield Finding(
                check="hook-failed",
                severity=Severity.ERROR,
                app=app.name,
                subject=snapshot.placed(result.ref, app),
                title=f"{result.hook_type} hook {res_name(result.kind, result.namespace, result.name)} of {app.name} failed",
                evidence=evidence,
                explanation="The hook's own output says why (kubectl logs of its pod). Argo CD does not run "
                "the hook again by itself: fix the cause, then sync again (fix: sync); a hook resource left "
                "behind with the same name is replaced on the next sync unless its delete policy keeps it "
                "(fix: delete-hook removes it, terminating a sync still running first).",
                fixes=fixrefs.offered(
                    fixrefs.sync(app.name),
                    fixrefs.delete_hook(app.name, result.kind, result.namespace, result.name, running),
                ),
            )


def operation_stale(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An `operation` still set on an Application whose last operation finished, which the controller ignores.

    Argo CD says "no operation is in progress" and yet refuses a new sync ("another operation is already in
    progress", argoproj/argo-cd#17155). Recognised when the controller reconciled the app well after the
    last operation finished and still did not start the one that is set.
    """
    for app in applications(snapshot):
        state = app.operation_state
        if app.operation is None or state is None or state.phase not in FINISHED:
            continue
        if state.finished_at is None or app.reconciled_at is None:
            continue
        # The profile's operation_stale_seconds (2 min by default): a new request is picked up within seconds.
        if app.reconciled_at - state.finished_at < timedelta(seconds=profile.operation_stale_seconds):
            continue
        yield Finding(
            check="operation-stale",
            severity=Severity.WARNING,
            app=app.name,
            subject=app.ref,
            title=f"{app.name} keeps an operation the controller does not run",
            evidence=f"operation set; status.operationState.phase={state.phase} finished "
            f"{state.finished_at:%Y-%m-%d %H:%M:%SZ}\nreconciled {app.reconciled_at:%Y-%m-%d %H:%M:%SZ}",
            explanation="A new sync is refused while `operation` is set. Terminating the operation clears "
            "it the way Argo CD's own API does (fix: terminate); then sync again.",
            fixes=(fixrefs.terminate(app.name),),
        )


def _holding(conditions: tuple[tuple[str, str], ...]) -> list[str]:
    """What still holds a Terminating namespace, from its conditions, in the order people act on them."""
    order = ("NamespaceFinalizersRemaining", "NamespaceContentRemaining", "NamespaceDeletionDiscoveryFailure")
    by_type = dict(conditions)
    return [f"{kind}: {by_type[kind]}" for kind in order if by_type.get(kind)]


def finalizer_stuck(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A Namespace or Application deleting for long because finalizers are left (whose controller is gone).

    A namespace cannot finish Terminating while objects in it keep finalizers: its conditions say which
    kinds and which finalizer. An Application with Argo CD's resources finalizer waits until its resources are
    deleted. (Namespaces the profile expects are reported by namespace-missing.)
    """
    # A finalizer's controller normally acts in seconds, Argo CD's resources finalizer within minutes even for a
    # large app: deleting longer than the profile's grace (5 min by default) with finalizers left is stuck.
    grace = timedelta(seconds=profile.deletion_grace_seconds)
    expected = set(profile.expected_namespaces)
    for _, ns in sorted(snapshot.namespaces.items()):
        name, since = ns.name, ns.deleting_since
        if since is None or name in expected or snapshot.now - since < grace:
            continue
        holding = _holding(ns.conditions)
        yield Finding(
            check="finalizer-stuck",
            severity=Severity.ERROR,
            app=next((a.name for a in applications(snapshot) if name in a.target_namespaces), None),
            subject=ns.ref,
            title=f"Namespace {name} Terminating for {span((snapshot.now - since).total_seconds())}"
            + (": finalizers remain" if ns.conditions else ""),
            evidence=f"deletionTimestamp={since:%Y-%m-%d %H:%M:%SZ}"
            + (f"\nmetadata.finalizers: {', '.join(ns.finalizers)}" if ns.finalizers else "")
            + ("\n" + "\n".join(holding) if holding else "\nno condition says what holds it")
            + "".join(
                f"\nheld by {h.resource} {h.namespace}/{h.name}: finalizers {', '.join(h.finalizers)}"
                for h in ns.held_by
            ),
            explanation="The namespace waits for the objects in it to go, and those keep finalizers that only "
            "their controller removes; when that controller was uninstalled first (or its webhook or APIService "
            "is down), nothing ever removes them. Reinstall or restart the controller, or remove the named "
            "finalizer from the objects that still carry it, knowing that what it guards is then orphaned.",
            fixes=fixrefs.offered(
                fixrefs.describe("Namespace", None, name),
                fixrefs.remove_finalizers("Namespace", None, name, ns.finalizers, ns.held_by),
            ),
        )
    for app in applications(snapshot):
        since = app.deleting_since
        if since is None or not app.finalizers or snapshot.now - since < grace:
            continue
        left = [r for r in app.resources if not r.hook]
        yield Finding(
            check="finalizer-stuck",
            severity=Severity.ERROR,
            app=app.name,
            subject=app.ref,
            title=f"Application {app.name} deleting for {span((snapshot.now - since).total_seconds())}",
            evidence=f"deletionTimestamp={since:%Y-%m-%d %H:%M:%SZ}\nfinalizers: {', '.join(app.finalizers)}\n"
            f"{len(left)} managed resource{'' if len(left) == 1 else 's'} still listed",
            explanation="With resources-finalizer.argocd.argoproj.io Argo CD deletes every resource of the app "
            "before the Application goes; one that cannot be deleted (its own finalizer, a namespace stuck "
            "Terminating, a missing CRD) holds the app. The finding about that resource says why.",
            fixes=fixrefs.offered(
                fixrefs.describe("Application", app.namespace, app.name),
                fixrefs.remove_finalizers("Application", app.namespace, app.name, app.finalizers),
            ),
        )
