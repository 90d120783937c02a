"""Checks on pods: the failures `kubectl get pods` shows in its STATUS column, explained by their events."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from kftui.checks import fixrefs
from kftui.model import ClusterSnapshot, Event, Finding, FixRef, Key, ObjectRef, Pod, Severity
from kftui.profile import Profile
from kftui.topology import Owners, changed_pods, owner_lookup

IMAGE_PULL_REASONS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"}
CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}

EXPLANATIONS = {
    "CrashLoopBackOff": "The container starts and exits again; the kubelet waits longer before each restart. "
    "Its previous logs say why (fix: logs): a missing config, a dependency not reachable, a bad flag. Fix that "
    "cause first; a restart (fix: restart) or deleting the pod (fix: delete-pod) only helps once the cause is gone.",
    "OOMKilled": "The container used more memory than its limit and was killed. Raise the limit in the manifests "
    "or find what grows (fix: logs); restarting (fix: restart) only buys time.",
    "ImagePull": "The image cannot be pulled: a wrong name or tag, a private registry without pull secret, or no "
    "route to the registry. `describe` shows the exact pull error (fix: describe); fix the image or the pull "
    "secret in git, then restart the workload (fix: restart).",
    "Config": "The container cannot be created: usually a ConfigMap or Secret it references does not exist yet. "
    "`describe` names it (fix: describe); once it exists, delete the pod (fix: delete-pod) so it is recreated.",
    "Unschedulable": "No node can take the pod: not enough CPU/memory, a node selector or taint that nothing "
    "matches, or an unbound volume. `describe` shows the scheduler's reason (fix: describe); free capacity or "
    "relax the constraint, and the pod schedules by itself.",
    "NotReady": "The pod runs but its readiness probe keeps failing, so Services send it no traffic. `describe` "
    "shows the failing probe (fix: describe); a restart (fix: restart) helps only if it is stuck.",
    "Failed": "The pod ended in phase Failed. `describe` shows why (fix: describe); its controller, if any, "
    "replaces it (fix: delete-pod removes the failed one).",
}


def latest_warnings(snapshot: ClusterSnapshot, subjects: Iterable[ObjectRef]) -> dict[ObjectRef, str]:
    """The newest Warning event about each of `subjects` (as `event <reason>: <message>`), in one pass over the
    events: asking events_for per failing pod costs a pass over all events each (20 pods x 2,000 events)."""
    wanted = set(subjects)
    if not wanted:
        return {}  # (the common case on a healthy cluster: no pass over the events at all)
    newest: dict[ObjectRef, Event] = {}
    for event in snapshot.events.values():
        if event.type != "Warning" or event.involved not in wanted:
            continue
        best = newest.get(event.involved)
        # Newest first, as events_for orders them; on a tie the first one listed.
        if best is None or event.seen > best.seen:
            newest[event.involved] = event
    return {ref: f"event {e.reason}: {e.message}" for ref, e in newest.items()}


Diagnosis = tuple[str, str, Severity] | None


@dataclass(frozen=True)
class PodPass:
    """One pass over the pods: the failing ones, the young ones that time alone may turn failing, and the
    owner lookup that named the failing ones' apps.

    CheckMemo keeps it for the next snapshot of the same stream (pod_failing_since), so a batch of watch
    events re-diagnoses only the pods it changed, plus the unsettled ones.
    """

    pods: Mapping[Key, Pod]
    now: datetime
    grace: timedelta
    failing: dict[Key, tuple[Pod, tuple[str, str, Severity]]]
    unsettled: frozenset[Key]
    owners: Owners | None


def _settled(pod: Pod, diagnosis: Diagnosis, now: datetime, grace: timedelta) -> bool:
    """Whether `diagnosis` of `pod` stays true as time passes (while the pod object stays the same). Only the
    age-gated outcomes (not Ready yet, still Pending) can appear with time, and only for a young pod."""
    if diagnosis is not None and diagnosis[2] is Severity.ERROR:
        return True
    waiting_on_age = not pod.deleting and (
        pod.phase == "Pending" or (pod.phase == "Running" and not pod.ready)
    )
    # (Checked first: the date arithmetic is the costly part, and most pods run and are Ready.)
    return not waiting_on_age or pod.created_at is None or now - pod.created_at >= grace


def _diagnose(pod: Pod, now: object, grace: timedelta) -> Diagnosis:
    """(symptom, evidence, severity) for a failing pod, None for a healthy or young one."""
    for c in pod.containers:
        # (Most containers of 20,000 pods are running: two state tests and on to the next.)
        state = c.state
        if state == "waiting":
            if c.reason == "CrashLoopBackOff":
                last = f", last exit {c.last_terminated_reason}" if c.last_terminated_reason else ""
                if c.last_exit_code is not None:
                    last += f" (code {c.last_exit_code})"
                symptom = "OOMKilled" if c.last_terminated_reason == "OOMKilled" else "CrashLoopBackOff"
                return (
                    symptom,
                    (f"container {c.name}: CrashLoopBackOff, {c.restart_count} restarts{last}"),
                    Severity.ERROR,
                )
            if c.reason in IMAGE_PULL_REASONS:
                return (
                    "ImagePull",
                    f"container {c.name}: {c.reason}: {c.message}".rstrip(": "),
                    Severity.ERROR,
                )
            if c.reason in CONFIG_REASONS:
                return "Config", f"container {c.name}: {c.reason}: {c.message}".rstrip(": "), Severity.ERROR
        elif state == "terminated" and c.reason == "OOMKilled":
            return "OOMKilled", f"container {c.name}: terminated OOMKilled", Severity.ERROR
    phase = pod.phase
    if phase == "Running" and pod.ready and not pod.unschedulable_message:
        return None  # (the common case, decided before the rarer tests below)
    if phase == "Failed":
        return "Failed", f"status.phase=Failed {pod.reason}: {pod.message}".rstrip(": "), Severity.ERROR
    if phase == "Succeeded" or pod.deleting:
        return None
    if pod.unschedulable_message:
        return (
            "Unschedulable",
            f"PodScheduled=False Unschedulable: {pod.unschedulable_message}",
            Severity.ERROR,
        )
    not_ready = phase == "Running" and not pod.ready
    if not (not_ready or phase == "Pending"):
        return None
    if pod.created_at is not None and now - pod.created_at < grace:  # type: ignore[operator]
        return None  # young: give it the profile's grace period
    if not_ready:
        ready, total = pod.ready_count
        return "NotReady", f"Running but not Ready ({ready}/{total} containers ready)", Severity.WARNING
    return "Unschedulable" if not pod.node else "NotReady", "status.phase=Pending", Severity.WARNING


def _examine(
    pods: Iterable[tuple[Key, Pod]],
    now: datetime,
    grace: timedelta,
    failing: dict[Key, tuple[Pod, tuple[str, str, Severity]]],
    unsettled: set[Key],
) -> None:
    """Diagnose `pods` into `failing`, and note in `unsettled` those whose diagnosis time alone may change."""
    for key, pod in pods:
        if pod.plainly_healthy:
            continue  # (_diagnose finds nothing and _settled holds: decided once, when the pod was built)
        diagnosis = _diagnose(pod, now, grace)
        if diagnosis is None:
            if pod.ready and pod.phase == "Running":
                continue  # healthy, and stays so while the object stays the same (_settled, inlined)
        else:
            failing[key] = (pod, diagnosis)
        if not _settled(pod, diagnosis, now, grace):
            unsettled.add(key)


def _diagnose_all(
    snapshot: ClusterSnapshot, grace: timedelta, last: PodPass | None
) -> tuple[dict[Key, tuple[Pod, tuple[str, str, Severity]]], set[Key]]:
    """Every failing pod with its diagnosis, and the unsettled ones. After the `last` pass, only the pods
    changed since (changed_pods) and the unsettled young ones are diagnosed again."""
    pods, now = snapshot.pods, snapshot.now
    failing: dict[Key, tuple[Pod, tuple[str, str, Severity]]] = {}
    unsettled: set[Key] = set()
    if last is not None and last.grace == grace and last.now <= now:  # (settled assumes time moves on)
        failing.update(last.failing)
        unsettled.update(last.unsettled)
        recheck = changed_pods(snapshot, last.pods) | last.unsettled
        for key in recheck:
            failing.pop(key, None)
            unsettled.discard(key)
        _examine(((key, pods[key]) for key in recheck if key in pods), now, grace, failing, unsettled)
    else:
        _examine(pods.items(), now, grace, failing, unsettled)
    return failing, unsettled


def pod_failing(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A pod that is CrashLoopBackOff, ImagePullBackOff/ErrImagePull, OOMKilled, unschedulable, Failed, or not
    Ready for longer than the profile's grace period, with the Warning event that explains it."""
    findings, _ = pod_failing_since(snapshot, profile, None)
    yield from findings


def pod_failing_since(
    snapshot: ClusterSnapshot, profile: Profile, last: PodPass | None
) -> tuple[list[Finding], PodPass]:
    """pod_failing, continuing from the `last` pass (made on an earlier snapshot of the same stream, or None),
    and the pass to continue from next time."""
    grace = timedelta(seconds=profile.progressing_grace_seconds)
    diagnosed, unsettled = _diagnose_all(snapshot, grace, last)
    failing = [diagnosed[key] for key in sorted(diagnosed)]
    owners = last.owners if last is not None else None
    findings: list[Finding] = []
    if failing:  # (No failing pod, no lookup: building one reads every managed resource.)
        owners = owner_lookup(snapshot, (pod for pod, _ in failing), owners)
        findings = list(_findings(snapshot, failing, owners))
    return findings, PodPass(snapshot.pods, snapshot.now, grace, diagnosed, frozenset(unsettled), owners)


# The container a crash-loop or OOM diagnosis is about (_diagnose takes the first one in this state).
_CRASHED = (("waiting", "CrashLoopBackOff"), ("terminated", "OOMKilled"))


def _fixes(pod: Pod, app: str | None, crashing: str) -> tuple[FixRef, ...]:
    # restart only for the kinds that can be restarted (fixrefs.RESTARTABLE); delete-pod only when a controller
    # recreates the pod. Each done by Argo CD when kftui reads the pod's cluster through it (fixrefs.*_of).
    at = (pod.origin, app)
    return fixrefs.offered(
        fixrefs.logs_of(*at, pod.namespace, pod.name, crashing) if crashing else None,
        fixrefs.restart_of(*at, pod.workload_kind, pod.namespace, pod.workload_name),
        fixrefs.delete_pod_of(*at, pod.namespace, pod.name) if pod.owner_kind else None,
        fixrefs.describe_of(*at, "Pod", pod.namespace, pod.name),
    )


def _findings(
    snapshot: ClusterSnapshot, failing: list[tuple[Pod, tuple[str, str, Severity]]], owners: Owners
) -> Iterator[Finding]:
    # (Each pod's ref built once: 5,000 failing pods make 5,000 findings.)
    with_refs = [(pod, diagnosis, pod.ref) for pod, diagnosis in failing]
    warnings = latest_warnings(snapshot, (ref for _, _, ref in with_refs))
    for pod, diagnosis, ref in with_refs:
        symptom, evidence, severity = diagnosis
        warning = warnings.get(ref)
        if warning:
            evidence += f"\n{warning}"
        app = owners.app_of(pod)
        crashed = symptom in ("CrashLoopBackOff", "OOMKilled")
        crashing = next(c.name for c in pod.containers if (c.state, c.reason) in _CRASHED) if crashed else ""
        fixes = _fixes(pod, app, crashing)
        yield Finding(
            check="pod-failing",
            severity=severity,
            app=app,
            subject=ref,
            title=f"Pod {pod.namespace}/{pod.name} is {pod.display_status if symptom != 'NotReady' else 'not Ready'}",
            evidence=evidence,
            explanation=EXPLANATIONS[symptom],
            fixes=fixes,
        )
