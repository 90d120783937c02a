"""What a running sync waits for now, said the way Argo CD says it plus why, and the finding that explains it.

Pure. The blocker is the one checks/sync_ops.py's `blocking` names (a hook not done or failed, a resource that
failed to apply, else the first unhealthy resource in sync-wave order), so the sync view, `kftui sync` and the
sync-stuck finding agree. The why comes from the live objects: the workload's available replicas and the
reason its pods (or a Job hook's pods) are not ready. The finding linked to it is the most specific one the
checks found: about its pods, about the blocker itself, else its app's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kftui.checks.sync_ops import blocking
from kftui.model import (
    Application,
    Chains,
    ClusterSnapshot,
    Finding,
    ObjectRef,
    Pod,
    ResourceResult,
    on_cluster,
)
from kftui.textsafe import one_line

BAD_HOOK = ("Failed", "Error")
APP_LEVEL = ("sync-stuck", "hook-failed", "app-operation-failed", "app-degraded")
"""App-level findings that can explain a blocker when no finding is about the blocker itself."""
PODS_SHOWN = 2


@dataclass(frozen=True, slots=True)
class Blocker:
    """What the running sync waits for now, said as Argo CD says it plus why, and the finding explaining it."""

    ref: ObjectRef
    text: str
    finding: Finding | None = None
    root: Finding | None = None
    """The root cause `finding` leads back to, when it is not the root cause itself."""


def argo_path(group: str, kind: str, namespace: str, name: str) -> str:
    """A resource as Argo CD's messages name it: `apps/Deployment/kubeflow/ml-pipeline` (empty parts left out)."""
    return "/".join(part for part in (group, kind, namespace, name) if part)


def _pods_of(snapshot: ClusterSnapshot, kind: str, namespace: str, name: str, cluster: str) -> list[Pod]:
    """The pods a workload or a Job hook on `cluster` runs, the ones not ready first, then by name."""
    pods = [
        p
        for p in snapshot.pods.values()
        if p.namespace == namespace
        and p.cluster == cluster
        and (
            (p.workload_kind == kind and p.workload_name == name)
            or (p.owner_kind == kind and p.owner_name == name)
        )
    ]
    return sorted(pods, key=lambda p: (p.ready, p.name))


def _pod_words(pods: Sequence[Pod]) -> list[str]:
    return [f"pod {p.name} {p.display_status}" for p in pods if not p.ready or p.phase != "Running"][
        :PODS_SHOWN
    ]


def find_blocker(app: Application, snapshot: ClusterSnapshot, findings: Sequence[Finding]) -> Blocker | None:
    """What the running sync of `app` waits for, with why and the finding that explains it; None: nothing named."""
    found = blocking(app)
    if found is None:
        return None
    cluster = snapshot.cluster_of(app)  # (the hub and a spoke may hold a workload of the same name)
    pods = _pods_of(snapshot, found.kind, found.namespace, found.name, cluster)
    path = argo_path(found.group, found.kind, found.namespace, found.name)
    if isinstance(found, ResourceResult):
        text = _result_text(found, path)
    else:
        text = f"waiting for healthy state of {path}: {found.health_status}"
        workload = snapshot.workloads.get(
            on_cluster((found.kind, f"{found.namespace}/{found.name}"), cluster)
        )
        if workload is not None:
            text += f", {workload.available}/{workload.desired} available"
        if found.health_message and not pods:
            text += f" ({found.health_message})"
    words = _pod_words(pods)
    if words:
        text += ", " + ", ".join(words)
    ref = snapshot.placed(found.ref, app)
    finding = explaining(findings, ref, app.name, pods)
    root = None
    if finding is not None:
        roots = [r for r in Chains(findings).root_causes_of((finding,)) if r.id != finding.id]
        root = roots[0] if roots else None
    return Blocker(ref, one_line(text), finding, root)


def _result_text(found: ResourceResult, path: str) -> str:
    if found.hook_type:
        hook = f"{found.hook_type} hook {path}"
        if found.hook_phase in BAD_HOOK:
            return f"{hook} failed: {found.message or found.hook_phase}"
        return f"waiting for {hook} to finish: {found.hook_phase or 'not started'}"
    return f"applying {path} failed: {found.message or found.status}"


def explaining(
    findings: Iterable[Finding], ref: ObjectRef, app: str, pods: Sequence[Pod] = ()
) -> Finding | None:
    """The finding that explains a blocker: one about its pods (the most telling: CrashLoopBackOff), else one
    about the blocker itself (hook-failed, crd-missing), else the app's own (sync-stuck, app-degraded);
    the most severe of the first kind there is."""
    pod_refs = {p.ref for p in pods}
    listed = list(findings)
    tiers = (
        [f for f in listed if f.subject in pod_refs],
        [f for f in listed if f.subject == ref],
        [
            f
            for f in listed
            if f.app == app
            and f.check in APP_LEVEL
            and (f.subject.kind, f.subject.name) == ("Application", app)
        ],
    )
    for tier in tiers:
        if tier:
            return min(
                tier,
                key=lambda f: (f.severity.rank, APP_LEVEL.index(f.check) if f.check in APP_LEVEL else -1),
            )
    return None
