"""Core and workload objects as raw JSON -> model: Namespace, Pod, Service, Endpoints, Event, CRD, webhooks, workloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kftui.cluster.fields import (
    as_bool,
    as_int,
    as_list,
    as_map,
    as_str,
    meta_of,
    object_ref,
    parse_time,
    str_map,
    str_tuple,
)
from kftui.model import (
    ContainerPort,
    ContainerStatus,
    CustomResourceDefinition,
    EndpointAddress,
    Endpoints,
    Event,
    Namespace,
    Pod,
    Service,
    ServicePort,
    WebhookConfiguration,
    WebhookService,
    Workload,
)

TRACKING_ID_ANNOTATION = "argocd.argoproj.io/tracking-id"


def namespace(obj: Mapping[str, Any]) -> Namespace:
    meta = meta_of(obj)
    return Namespace(
        name=as_str(meta.get("name")),
        phase=as_str(as_map(obj.get("status")).get("phase")) or "Active",
        labels=str_map(meta.get("labels")),
        annotations=str_map(meta.get("annotations")),
        created_at=parse_time(meta.get("creationTimestamp")),
        deleting_since=parse_time(meta.get("deletionTimestamp")),
        resource_version=as_str(meta.get("resourceVersion")),
        finalizers=str_tuple(meta.get("finalizers")),
        conditions=tuple(
            (as_str(c.get("type")), as_str(c.get("message")))
            for c in map(as_map, as_list(as_map(obj.get("status")).get("conditions")))
            if as_str(c.get("status")) == "True"
        ),
    )


def _container_status(raw: Any, init: bool) -> ContainerStatus:
    cs = as_map(raw)
    state = as_map(cs.get("state"))
    last = as_map(as_map(cs.get("lastState")).get("terminated"))
    kind: str = "unknown"
    detail: dict[str, Any] = {}
    for candidate in ("waiting", "running", "terminated"):
        if candidate in state:
            kind = candidate
            detail = as_map(state.get(candidate))
            break
    return ContainerStatus(
        name=as_str(cs.get("name")),
        ready=as_bool(cs.get("ready")),
        restart_count=as_int(cs.get("restartCount")),
        state=kind,  # type: ignore[arg-type]
        reason=as_str(detail.get("reason")),
        message=as_str(detail.get("message")),
        exit_code=as_int(detail["exitCode"]) if "exitCode" in detail else None,
        last_terminated_reason=as_str(last.get("reason")),
        last_exit_code=as_int(last["exitCode"]) if "exitCode" in last else None,
        image=as_str(cs.get("image")),
        init=init,
    )


def workload_of(owner_kind: str, owner_name: str) -> tuple[str, str]:
    """The workload a pod really belongs to: a ReplicaSet's name is its Deployment's plus a hash suffix."""
    if owner_kind == "ReplicaSet" and "-" in owner_name:
        return "Deployment", owner_name.rsplit("-", 1)[0]
    if owner_kind == "Job" and "-" in owner_name:
        return "Job", owner_name
    return owner_kind, owner_name


def pod(obj: Mapping[str, Any]) -> Pod:
    meta = meta_of(obj)
    spec = as_map(obj.get("spec"))
    status = as_map(obj.get("status"))
    owners = [
        o for o in map(as_map, as_list(meta.get("ownerReferences"))) if o.get("controller") is not False
    ]
    owner = owners[0] if owners else {}
    owner_kind, owner_name = as_str(owner.get("kind")), as_str(owner.get("name"))
    workload_kind, workload_name = workload_of(owner_kind, owner_name)
    conditions = [as_map(c) for c in as_list(status.get("conditions"))]
    ready = any(c.get("type") == "Ready" and as_str(c.get("status")) == "True" for c in conditions)
    unschedulable = next(
        (
            as_str(c.get("message"))
            for c in conditions
            if c.get("type") == "PodScheduled" and as_str(c.get("reason")) == "Unschedulable"
        ),
        "",
    )
    containers = tuple(
        _container_status(c, init=True) for c in as_list(status.get("initContainerStatuses"))
    ) + tuple(_container_status(c, init=False) for c in as_list(status.get("containerStatuses")))
    ports = tuple(
        ContainerPort(
            name=as_str(p.get("name")),
            port=as_int(p.get("containerPort")),
            protocol=as_str(p.get("protocol")) or "TCP",
        )
        for c in map(as_map, as_list(spec.get("containers")))
        for p in map(as_map, as_list(c.get("ports")))
    )
    return Pod(
        namespace=as_str(meta.get("namespace")),
        name=as_str(meta.get("name")),
        phase=as_str(status.get("phase")) or "Pending",
        ready=ready,
        containers=containers,
        ports=ports,
        node=as_str(spec.get("nodeName")),
        owner_kind=owner_kind,
        owner_name=owner_name,
        workload_kind=workload_kind,
        workload_name=workload_name,
        labels=str_map(meta.get("labels")),
        annotations=str_map(meta.get("annotations")),
        reason=as_str(status.get("reason")),
        message=as_str(status.get("message")),
        unschedulable_message=unschedulable,
        pod_ip=as_str(status.get("podIP")),
        created_at=parse_time(meta.get("creationTimestamp")),
        started_at=parse_time(status.get("startTime")),
        deleting=meta.get("deletionTimestamp") is not None,
        resource_version=as_str(meta.get("resourceVersion")),
    )


def _target_port(value: Any, fallback: int) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value:
        return int(value) if value.isdigit() else value
    return fallback


def service(obj: Mapping[str, Any]) -> Service:
    meta = meta_of(obj)
    spec = as_map(obj.get("spec"))
    ports = []
    for p in map(as_map, as_list(spec.get("ports"))):
        port = as_int(p.get("port"))
        ports.append(
            ServicePort(
                name=as_str(p.get("name")),
                port=port,
                target_port=_target_port(p.get("targetPort"), port),
                protocol=as_str(p.get("protocol")) or "TCP",
            )
        )
    return Service(
        namespace=as_str(meta.get("namespace")),
        name=as_str(meta.get("name")),
        type=as_str(spec.get("type")) or "ClusterIP",
        ports=tuple(ports),
        selector=str_map(spec.get("selector")),
        labels=str_map(meta.get("labels")),
        annotations=str_map(meta.get("annotations")),
        resource_version=as_str(meta.get("resourceVersion")),
    )


def _address(raw: Any) -> EndpointAddress:
    a = as_map(raw)
    target = as_map(a.get("targetRef"))
    return EndpointAddress(
        ip=as_str(a.get("ip")), pod_name=as_str(target.get("name")) if target.get("kind") == "Pod" else ""
    )


def endpoints(obj: Mapping[str, Any]) -> Endpoints:
    meta = meta_of(obj)
    ready: list[EndpointAddress] = []
    not_ready: list[EndpointAddress] = []
    for subset in map(as_map, as_list(obj.get("subsets"))):
        ready.extend(_address(a) for a in as_list(subset.get("addresses")))
        not_ready.extend(_address(a) for a in as_list(subset.get("notReadyAddresses")))
    return Endpoints(
        namespace=as_str(meta.get("namespace")),
        name=as_str(meta.get("name")),
        ready=tuple(ready),
        not_ready=tuple(not_ready),
        resource_version=as_str(meta.get("resourceVersion")),
    )


def event(obj: Mapping[str, Any]) -> Event:
    meta = meta_of(obj)
    involved = as_map(obj.get("involvedObject")) or as_map(obj.get("regarding"))
    last_seen = (
        parse_time(obj.get("lastTimestamp"))
        or parse_time(obj.get("eventTime"))
        or parse_time(as_map(obj.get("series")).get("lastObservedTime"))
        or parse_time(obj.get("firstTimestamp"))
        or parse_time(meta.get("creationTimestamp"))
    )
    return Event(
        namespace=as_str(meta.get("namespace")),
        name=as_str(meta.get("name")),
        involved=object_ref(involved),
        reason=as_str(obj.get("reason")),
        message=as_str(obj.get("message")) or as_str(obj.get("note")),
        type=as_str(obj.get("type")) or "Normal",
        count=max(1, as_int(obj.get("count"), 1)),
        last_seen=last_seen,
        resource_version=as_str(meta.get("resourceVersion")),
    )


def crd(obj: Mapping[str, Any]) -> CustomResourceDefinition:
    meta = meta_of(obj)
    spec = as_map(obj.get("spec"))
    conditions = map(as_map, as_list(as_map(obj.get("status")).get("conditions")))
    annotations = as_map(meta.get("annotations"))
    return CustomResourceDefinition(
        name=as_str(meta.get("name")),
        group=as_str(spec.get("group")),
        kind=as_str(as_map(spec.get("names")).get("kind")),
        versions=tuple(as_str(v.get("name")) for v in map(as_map, as_list(spec.get("versions")))),
        established=any(
            c.get("type") == "Established" and as_str(c.get("status")) == "True" for c in conditions
        ),
        annotations_bytes=sum(len(str(k)) + len(as_str(v)) for k, v in annotations.items()),
        resource_version=as_str(meta.get("resourceVersion")),
    )


def webhook_configuration(obj: Mapping[str, Any]) -> WebhookConfiguration:
    meta = meta_of(obj)
    hooks = []
    for hook in map(as_map, as_list(obj.get("webhooks"))):
        svc = as_map(as_map(hook.get("clientConfig")).get("service"))
        if not svc:
            continue
        hooks.append(
            WebhookService(
                webhook=as_str(hook.get("name")),
                namespace=as_str(svc.get("namespace")),
                service=as_str(svc.get("name")),
                port=as_int(svc.get("port"), 443),
                failure_policy=as_str(hook.get("failurePolicy")) or "Fail",
            )
        )
    return WebhookConfiguration(
        kind=as_str(obj.get("kind")),
        name=as_str(meta.get("name")),
        webhooks=tuple(hooks),
        resource_version=as_str(meta.get("resourceVersion")),
    )


def workload(obj: Mapping[str, Any]) -> Workload:
    meta = meta_of(obj)
    spec = as_map(obj.get("spec"))
    status = as_map(obj.get("status"))
    kind = as_str(obj.get("kind"))
    if kind == "DaemonSet":
        desired, ready, available = (
            as_int(status.get("desiredNumberScheduled")),
            as_int(status.get("numberReady")),
            as_int(status.get("numberAvailable")),
        )
    else:
        desired = as_int(spec.get("replicas"), 1)
        ready, available = as_int(status.get("readyReplicas")), as_int(status.get("availableReplicas"))
    return Workload(
        kind=kind,
        namespace=as_str(meta.get("namespace")),
        name=as_str(meta.get("name")),
        desired=desired,
        ready=ready,
        available=available,
        labels=str_map(meta.get("labels")),
        resource_version=as_str(meta.get("resourceVersion")),
        tracking_id=as_str(as_map(meta.get("annotations")).get(TRACKING_ID_ANNOTATION)),
    )
