"""The planners for Kubernetes objects: restart a workload, delete a pod, forward a port, create a namespace.

Pure functions (fix spec, target, snapshot, profile) -> a plan, like the Application planners in
fixes/app_planners.py; the fix registry (fixes/registry.py) says which fix id uses which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kftui import shellcmd
from kftui.fixes.plans import (
    CreateNamespacePlan,
    DeletePodPlan,
    FixPlan,
    ForwardTarget,
    PlanError,
    PortForwardPlan,
    RestartPlan,
    command_ref,
)
from kftui.kinds import WORKLOAD_KINDS
from kftui.model import DIRECT, ClusterSnapshot, ObjectRef, Pod, Service
from kftui.profile import Gateway, Profile

if TYPE_CHECKING:
    from kftui.fixes.registry import FixSpec


def workload_of(target: ObjectRef, snapshot: ClusterSnapshot) -> ObjectRef:
    """The workload a restart acts on: the target itself, the Deployment/StatefulSet/DaemonSet of a Pod, or
    that of the pods a Service selects (a webhook's or the gateway's finding is about its Service)."""
    if target.kind == "Service":
        owned = [p for p in snapshot.pods_behind(target) if p.workload_kind in WORKLOAD_KINDS]
        if owned:
            return ObjectRef(owned[0].workload_kind, target.namespace, owned[0].workload_name, target.cluster)
        # No pod left to say it: the Deployment of the Service's name, as the gateway check names it.
        namesake = replace(target, kind="Deployment")
        if namesake.key in snapshot.workloads:
            return namesake
        raise PlanError(f"{target} selects no pod of a Deployment, StatefulSet or DaemonSet")
    if target.kind != "Pod":
        return target
    pod = snapshot.pods.get(target.key)
    if pod is None or pod.workload_kind not in WORKLOAD_KINDS:
        raise PlanError(f"{target} belongs to no Deployment, StatefulSet or DaemonSet")
    return ObjectRef(pod.workload_kind, pod.namespace, pod.workload_name, target.cluster)


def direct_context(target: ObjectRef, snapshot: ClusterSnapshot) -> str:
    """The kube context that reaches the cluster `target` is on, when kftui reads that cluster directly;
    "" for the hub's objects."""
    origin = snapshot.origin_of(target)
    return origin.context if origin is not None and origin.path == DIRECT else ""


def _in_context(command: str, argvs: tuple[tuple[str, ...], ...], context: str) -> str:
    """The command as shown: through `--context` when the object is on a cluster read through its own context."""
    return shellcmd.steps((*argv, "--context", context) for argv in argvs) if context else command


def restart(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    target = workload_of(target, snapshot)
    if target.kind not in WORKLOAD_KINDS or not target.namespace:
        raise PlanError(f"restart acts on a Deployment, StatefulSet or DaemonSet, not on {target}")
    ref = command_ref(spec, target.kind, target.namespace, target.name)
    context = direct_context(target, snapshot)
    blocked = None
    # Matched on namespace/name, and on kind when the snapshot knows it (LIST items carry no kind).
    known = any(
        (w.namespace, w.name) == (target.namespace, target.name) and w.kind in (target.kind, "")
        for w in snapshot.workloads.values()
    )
    if snapshot.workloads and not known:
        blocked = f"{target} is not in the current snapshot"
    return RestartPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        command=_in_context(ref.command, ref.argvs, context),
        changes=(
            f"set spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt] on "
            f"{target.kind} {target.namespace}/{target.name}",
            "its controller replaces the pods, respecting the rollout strategy",
        ),
        warnings=("Argo CD may show the workload OutOfSync if it tracks that annotation",),
        blocked=blocked,
        context=context,
    )


@dataclass(frozen=True)
class AfterPodDeleted:
    """What deleting a pod leaves behind, for both ways of deleting it (the API server or Argo CD)."""

    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    confirm_word: str | None = None

    @property
    def controlled(self) -> bool:
        """Whether something recreates the pod: only a bare pod, gone for good, asks for its name."""
        return self.confirm_word is None

    @classmethod
    def of(cls, pod: Pod | None, target: ObjectRef) -> AfterPodDeleted:
        if pod is None:  # not in the snapshot: the plan is blocked, nothing to say
            return cls()
        if pod.owner_kind:
            return cls(changes=(f"its {pod.owner_kind} {pod.owner_name} creates a replacement",))
        return cls(
            warnings=("this pod has no controller: nothing will recreate it",), confirm_word=target.name
        )


def delete_pod(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    if target.kind != "Pod" or not target.namespace:
        raise PlanError(f"delete-pod acts on a Pod, not on {target}")
    pod: Pod | None = snapshot.pods.get(target.key)
    after = AfterPodDeleted.of(pod, target)
    ref = command_ref(spec, target.namespace, target.name, after.controlled)
    context = direct_context(target, snapshot)
    return DeletePodPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=target,
        command=_in_context(ref.command, ref.argvs, context),
        changes=(f"delete Pod {target.namespace}/{target.name}", *after.changes),
        warnings=after.warnings,
        confirm_word=after.confirm_word,
        blocked=None if pod is not None else f"{target} is not in the current snapshot",
        context=context,
    )


def forward_target(target: ObjectRef, snapshot: ClusterSnapshot, profile: Profile | None) -> ForwardTarget:
    """A Service's first port (the profile's gateway settings when it is the gateway), else the gateway."""
    gateway = profile.gateway if profile is not None else None
    if target.kind == "Service" and target.namespace:
        svc: Service | None = snapshot.services.get(target.key)
        port = svc.ports[0].port if svc is not None and svc.ports else 80
        if gateway is not None and (gateway.namespace, gateway.service) == (target.namespace, target.name):
            return ForwardTarget(
                target.namespace, target.name, gateway.port, gateway.local_port, gateway.login_hint
            )
        return ForwardTarget(target.namespace, target.name, port, 8080)
    gw = gateway or Gateway()  # the default gateway settings (istio-ingressgateway)
    return ForwardTarget(gw.namespace, gw.service, gw.port, gw.local_port, gw.login_hint)


def port_forward(
    spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, profile: Profile | None
) -> FixPlan:
    forward = forward_target(target, snapshot, profile)
    # On the cluster the target names (a Service row of a spoke's app); the gateway's, by its namespace.
    cluster = target.cluster if target.kind == "Service" else ""
    origin = snapshot.origin_of(ObjectRef("Service", forward.namespace, forward.service, cluster))
    if origin is not None and origin.path == DIRECT and origin.context:
        forward = replace(forward, context=origin.context)
    ref = command_ref(spec, forward.namespace, forward.service, forward.local_port, forward.port)
    argvs = (
        tuple((*argv, "--context", forward.context) for argv in ref.argvs) if forward.context else ref.argvs
    )
    return PortForwardPlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=ObjectRef("Service", forward.namespace, forward.service, cluster),
        command=shellcmd.steps(argvs),
        changes=(
            f"listen on 127.0.0.1:{forward.local_port} (or the next free port)",
            f"forward each connection to a ready pod behind svc/{forward.service} port {forward.port}",
            "probe it over HTTP and show the URL",
        ),
        forward=forward,
    )


def create_namespace(
    spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None
) -> FixPlan:
    if target.kind != "Namespace":
        raise PlanError(f"create-namespaces acts on a Namespace, not on {target}")
    ref = command_ref(spec, [target.name])
    existing = snapshot.namespaces.get(target.key)
    blocked = None
    if existing is not None:
        blocked = (
            f"namespace {target.name} is still terminating: it can be created again once it is gone"
            if existing.phase == "Terminating" or existing.deleting_since is not None
            else f"namespace {target.name} already exists"
        )
    return CreateNamespacePlan(
        fix_id=spec.fix_id,
        title=ref.title,
        target=ObjectRef("Namespace", None, target.name),
        command=ref.command,
        changes=(f"create Namespace {target.name}",),
        warnings=(
            "nobody manages it: if an Application should own it, prefer syncing that app with CreateNamespace",
        ),
        blocked=blocked,
    )
