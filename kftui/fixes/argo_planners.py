"""The planners for objects of a cluster kftui reads through Argo CD's API: restart and delete-pod, done by Argo CD.

kftui holds no kube credentials for such a cluster, but Argo CD does: it runs its `restart` resource action on a
workload, or deletes a pod, through the Application that manages the object (`argocd app actions run`,
`argocd app delete-resource`), and Argo CD's RBAC decides. Which Application: the one whose status.resources
lists the workload (or the bare pod) on that cluster, else the one app deploying to that cluster and namespace
(the app kftui read the object through). Pure, like fixes/kube_planners.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kftui.cluster.ops import ArgoResource
from kftui.fixes.kube_planners import AfterPodDeleted, workload_of
from kftui.fixes.plans import DeleteResourcePlan, FixPlan, PlanError, ResourceActionPlan, command_ref
from kftui.kinds import KINDS, WORKLOAD_KINDS
from kftui.model import ClusterSnapshot, ObjectRef, Pod
from kftui.profile import Profile
from kftui.topology import Owners

if TYPE_CHECKING:
    from kftui.fixes.registry import FixSpec

RESTART_ACTION = "restart"
"""Argo CD's built-in action (resource_customizations/apps/{Deployment,StatefulSet,DaemonSet}/actions/restart):
it sets the same kubectl.kubernetes.io/restartedAt annotation `kubectl rollout restart` does."""


def managing_app(target: ObjectRef, pod: Pod | None, snapshot: ClusterSnapshot) -> str:
    """The Application through which Argo CD acts on `target`: a workload, or a Pod (`pod`, as the snapshot has
    it) of a remote cluster."""
    cluster = target.cluster
    owners = Owners.of(snapshot.applications, frozenset({target.name}), snapshot.clusters)
    listed = owners.workloads.get((target.kind, target.namespace or "", target.name, cluster))
    if listed:
        return listed
    if pod is not None:
        owner = Owners.of(snapshot.applications, frozenset({pod.name, pod.workload_name}), snapshot.clusters)
        found = owner.app_of(pod)
        if found:
            return found
    deploying = sorted(
        app.name
        for app in snapshot.applications.values()
        if snapshot.cluster_of(app) == cluster and target.namespace in app.target_namespaces
    )
    if len(deploying) == 1:
        return deploying[0]
    which = f"{len(deploying)} apps ({', '.join(deploying)}) deploy" if deploying else "no app deploys"
    raise PlanError(
        f"cannot tell which Argo CD Application manages {target}: none lists it and {which} to namespace "
        f"{target.namespace} on cluster {cluster}"
    )


def _resource(app: str, kind: str, namespace: str, name: str) -> ArgoResource:
    facts = KINDS[kind]
    return ArgoResource(app, facts.group, facts.version, facts.name, namespace, name)


def restart(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    target = workload_of(target, snapshot)
    if target.kind not in WORKLOAD_KINDS or not target.namespace:
        raise PlanError(f"restart acts on a Deployment, StatefulSet or DaemonSet, not on {target}")
    app = managing_app(target, None, snapshot)
    ref = command_ref(spec, app, target.kind, target.namespace, target.name)
    known = snapshot.get(target) is not None
    return ResourceActionPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=app,
        command=ref.command,
        changes=(
            f"Argo CD runs its `{RESTART_ACTION}` action on {target.kind} {target.namespace}/{target.name} "
            f"through Application {app}",
            "it sets spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]; the controller "
            "replaces the pods, respecting the rollout strategy",
        ),
        warnings=("Argo CD may show the workload OutOfSync if it tracks that annotation",),
        blocked=None if known else f"{target} is not in the current snapshot",
        resource=_resource(app, target.kind, target.namespace, target.name),
        action=RESTART_ACTION,
    )


def delete_pod(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    if target.kind != "Pod" or not target.namespace:
        raise PlanError(f"delete-pod acts on a Pod, not on {target}")
    pod: Pod | None = snapshot.pods.get(target.key)
    app = managing_app(target, pod, snapshot)
    after = AfterPodDeleted.of(pod, target)
    ref = command_ref(spec, app, target.namespace, target.name, after.controlled)
    return DeleteResourcePlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        app=app,
        command=ref.command,
        changes=(
            f"Argo CD deletes Pod {target.namespace}/{target.name} through Application {app}",
            *after.changes,
        ),
        warnings=after.warnings,
        confirm_word=after.confirm_word,
        blocked=None if pod is not None else f"{target} is not in the current snapshot",
        resource=_resource(app, target.kind, target.namespace, target.name),
    )
