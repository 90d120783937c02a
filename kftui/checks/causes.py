"""Root causes: one pure pass that gives every finding a stable id and links it to the findings that cause it.

One cause shows up as several findings: a duplicate kustomize id makes an app's comparison fail (app-out-of-sync
quotes the same ComparisonError), a crash-looping pod makes its app Degraded, and the app after it in the
profile's chain is then "blocked by" it. Each rule below says when one finding causes another, from the
findings' own evidence and the snapshot, never from a guess. The links form a DAG (an edge that would close a
cycle is dropped), so every finding leads back to at least one root cause: the findings with no cause lead,
their consequences fold under them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace

from kftui.checks.evidence import app_messages, apps_by_name
from kftui.checks.kustomize_ids import CHECK_ID as DUPLICATE_ID
from kftui.checks.kustomize_ids import find_duplicate_id
from kftui.model import ClusterSnapshot, Finding, base_id, title_suffix

Link = tuple[Finding, Finding]
"""(consequence, cause)."""
Rule = Callable[[Sequence[Finding], ClusterSnapshot], Iterator[Link]]

APP_STATUS = ("app-out-of-sync", "app-degraded", "app-operation-failed", "sync-stuck", "hook-failed")
"""Checks that report an Application's state as Argo CD shows it: symptoms whenever a cause is known."""
SPECIFIC = (
    "kustomize-duplicate-id",
    "repo-path",
    "crd-missing",
    "namespace-missing",
    "webhook-unavailable",
    "annotation-too-long",
)
"""Checks that recognise a specific message and say what it means."""
NOT_PROGRESSING = ("app-degraded", "sync-stuck")
"""Checks that report an app not becoming Healthy (or its sync not finishing)."""
FAILED_PHASES = ("Failed", "Error")
"""Phases of an operation that ended without applying what it was asked to."""
MIN_QUOTED = 12
"""Shorter messages ("ok", "Deleting") say too little to tie two findings together."""


def _is_app_finding(f: Finding, app: str) -> bool:
    return f.app == app and f.subject.kind == "Application" and f.subject.name == app


def same_message(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """An app-status finding (app-out-of-sync, app-operation-failed, ...) quoting the same Argo CD message as
    a specific finding (kustomize-duplicate-id, repo-path, crd-missing, webhook-unavailable, ...) is caused by
    it: both read the one ComparisonError or sync result, and the specific finding says what it means."""
    specific = [f for f in findings if f.check in SPECIFIC]
    by_name = apps_by_name(snapshot)
    for symptom in findings:
        if symptom.check not in APP_STATUS or symptom.app is None:
            continue
        app = by_name.get(symptom.app)
        if app is None:
            continue
        texts = {
            m.text for m in app_messages(app) if len(m.text) >= MIN_QUOTED and m.text in symptom.evidence
        }
        for cause in specific:
            if any(text in cause.evidence for text in texts):
                yield symptom, cause


def same_duplicate_id(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """An app-status finding whose Argo CD message says kustomize met a resource id twice is caused by that
    app's kustomize-duplicate-id finding for the same id, though the two may quote different wordings of the
    one failure: a sync's message (`ComparisonError: ...`) and a later comparison's condition, which the repo
    server may answer from its cache (`Manifest generation error (cached): ...`), so same_message finds no
    text the two share."""
    duplicates = {(f.app, f.subject): f for f in findings if f.check == DUPLICATE_ID}
    if not duplicates:
        return
    for symptom in findings:
        if symptom.check not in APP_STATUS or symptom.app is None:
            continue
        found = find_duplicate_id(symptom.evidence)
        cause = duplicates.get((symptom.app, found[0].ref)) if found is not None else None
        if cause is not None:
            yield symptom, cause


def failed_sync_left_behind(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """An app left OutOfSync, or Missing (its resources never created), by a sync that failed (operationState
    Failed or Error) is caused by the specific finding that explains that failure: one of the same app that
    quotes the operation's own messages (a resource's sync result, or the operation's message). Argo CD
    validates every task before it applies any, so one unknown kind leaves the whole app unapplied."""
    specific = [f for f in findings if f.check in SPECIFIC]
    by_name = apps_by_name(snapshot)
    for symptom in findings:
        if symptom.check not in ("app-out-of-sync", "app-degraded") or symptom.app is None:
            continue
        app = by_name.get(symptom.app)
        if app is None or app.operation_state is None or app.operation_state.phase not in FAILED_PHASES:
            continue
        if symptom.check == "app-degraded" and app.health_status != "Missing":
            continue  # Degraded is about what runs, which a sync that applied nothing did not change
        texts = {
            m.text
            for m in app_messages(app)
            if m.source.startswith("status.operationState") and len(m.text) >= MIN_QUOTED
        }
        for cause in specific:
            if cause.app == symptom.app and any(text in cause.evidence for text in texts):
                yield symptom, cause


def blocked_by_dependency(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """An app blocked by a dependency (dependency-order: "X is Synced while D is Degraded") is caused by
    what is wrong with D: D's findings about the Application itself (Degraded, cannot render, sync
    stuck), or, when there are none, every finding about D."""
    for blocked in findings:
        for dep in blocked.waits_for:
            about = [f for f in findings if _is_app_finding(f, dep) and f.check in APP_STATUS]
            if not about:
                about = [f for f in findings if f.app == dep and f is not blocked]
            for cause in about:
                yield blocked, cause


def failing_workloads(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """An app Degraded, Progressing for too long or stuck syncing (app-degraded, sync-stuck) is caused by
    the failing pods of that app (pod-failing): the pods Argo CD attributes to it, or, for a pod no app
    claims, the pods in the namespaces the app deploys to."""
    pods = [f for f in findings if f.check == "pod-failing"]
    by_name = apps_by_name(snapshot)
    for symptom in findings:
        if symptom.check not in NOT_PROGRESSING or symptom.app is None:
            continue
        app = by_name.get(symptom.app)
        where = set(app.target_namespaces) if app is not None else set()
        for pod in pods:
            if pod.app == symptom.app or (pod.app is None and pod.subject.namespace in where):
                yield symptom, pod


def pods_behind_services(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """A Service that cannot serve (webhook-unavailable: a webhook that cannot be called; gateway: the
    ingress gateway not serving) is caused by the failing pods that Service selects: it is down because
    they are."""
    pods = [f for f in findings if f.check == "pod-failing"]
    for down in findings:
        if down.check not in ("webhook-unavailable", "gateway") or down.subject.kind != "Service":
            continue
        svc = snapshot.services.get(down.subject.key)
        if svc is None or not svc.selector:
            continue
        for pod_finding in pods:
            pod = snapshot.pods.get(pod_finding.subject.key)
            if pod is not None and svc.selects(pod):
                yield down, pod_finding


def pods_of_workloads(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """A workload not ready (auth-stack: dex or oauth2-proxy, so login is broken) is caused by the failing
    pods of that workload (pod-failing about a pod whose controller chain ends at it)."""
    pods = [f for f in findings if f.check == "pod-failing"]
    for down in findings:
        if down.check != "auth-stack":
            continue
        ref = down.subject
        for pod_finding in pods:
            pod = snapshot.pods.get(pod_finding.subject.key)
            if (
                pod is not None
                and pod.ref.cluster == ref.cluster
                and pod.namespace == ref.namespace
                and (pod.workload_kind, pod.workload_name) == (ref.kind, ref.name)
            ):
                yield down, pod_finding


def pods_missing_prerequisites(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """A failing pod is caused by a missing prerequisite where the evidence shows it: its evidence names the
    kind a crd-missing finding is about (`no matches for kind "X"`), or it names the Service of an
    unavailable webhook together with the word webhook."""
    prerequisites = [f for f in findings if f.check in ("crd-missing", "webhook-unavailable")]
    for pod in findings:
        if pod.check != "pod-failing":
            continue
        for cause in prerequisites:
            if _prerequisite_of(cause, pod):
                yield pod, cause


def in_a_missing_namespace(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """Whatever is wrong with an object (a failing pod, login broken because dex is not ready, a webhook's
    Service) is caused by its namespace being missing or stuck Terminating (namespace-missing or
    finalizer-stuck about that Namespace): nothing can run in a namespace that does not exist."""
    missing: dict[str, list[Finding]] = {}
    for f in findings:
        if f.check in ("namespace-missing", "finalizer-stuck") and f.subject.kind == "Namespace":
            missing.setdefault(f.subject.name, []).append(f)
    for f in findings:
        if f.subject.kind != "Namespace" and f.subject.namespace:
            for cause in missing.get(f.subject.namespace, ()):
                yield f, cause


def _prerequisite_of(cause: Finding, pod: Finding) -> bool:
    subject = cause.subject
    if cause.check == "crd-missing":
        return f'kind "{subject.kind}"' in pod.evidence
    return subject.kind == "Service" and "webhook" in pod.evidence.lower() and subject.name in pod.evidence


def failed_hooks(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[Link]:
    """A failed sync (app-operation-failed) is caused by the hook of that app that failed (hook-failed), and a
    failed hook by the failing pods its evidence names ("pod smoke-test-x2: Error"): the pod's exit is why the
    Job failed, and the Job's failure is why Argo CD marked the sync Failed."""
    hooks = [f for f in findings if f.check == "hook-failed"]
    pods = [f for f in findings if f.check == "pod-failing"]
    for hook in hooks:
        for failed in findings:
            if failed.check == "app-operation-failed" and failed.app == hook.app:
                yield failed, hook
        for pod in pods:
            if (
                pod.subject.namespace == hook.subject.namespace
                and f"pod {pod.subject.name}:" in hook.evidence
            ):
                yield hook, pod


RULES: tuple[Rule, ...] = (
    same_message,
    same_duplicate_id,
    failed_sync_left_behind,
    failed_hooks,
    in_a_missing_namespace,
    pods_missing_prerequisites,
    pods_behind_services,
    pods_of_workloads,
    failing_workloads,
    blocked_by_dependency,
)
"""In order of trust: when two links would close a cycle, the one found first stays."""


def assign_ids(findings: Sequence[Finding]) -> list[Finding]:
    """Each finding with its stable id (model.base_id); findings that share one are told apart by their
    title (model.title_suffix), and exact duplicates by their position among themselves."""
    groups: dict[str, list[int]] = {}
    for index, f in enumerate(findings):
        groups.setdefault(base_id(f), []).append(index)
    ids = [""] * len(findings)
    for key, members in groups.items():
        if len(members) == 1:
            ids[members[0]] = key
            continue
        taken: dict[str, int] = {}
        for index in members:
            candidate = key + title_suffix(findings[index])
            taken[candidate] = taken.get(candidate, 0) + 1
            ids[index] = candidate if taken[candidate] == 1 else f"{candidate}.{taken[candidate]}"
    return [replace(f, id=ids[index]) for index, f in enumerate(findings)]


def _reaches(edges: Mapping[str, Mapping[str, None]], start: str, goal: str) -> bool:
    """True when following caused_by edges from `start` arrives at `goal`."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False


def link(
    findings: Sequence[Finding],
    snapshot: ClusterSnapshot,
    rules: Sequence[Rule] = RULES,
) -> list[Finding]:
    """The findings, in the same order, each with its id and the ids of the findings that cause it."""
    named = assign_ids(findings)
    # child id -> its causes' ids, in the order found (a dict as an ordered set: a Degraded app with
    # 20,000 failing pods checks each new cause in constant time).
    edges: dict[str, dict[str, None]] = {}
    for rule in rules:
        for child, cause in rule(named, snapshot):
            if child.id == cause.id or cause.id in edges.get(child.id, {}):
                continue
            if _reaches(edges, cause.id, child.id):  # the cause already follows from the child: no cycle
                continue
            edges.setdefault(child.id, {})[cause.id] = None
    return [replace(f, caused_by=tuple(edges[f.id])) if f.id in edges else f for f in named]
