"""Objects of other clusters in a dump: written as the manifests kubectl prints, with their origin, and read back.

The hub's objects go into `kftui dump` as the API server returned them. A remote app's pods, workloads,
namespaces, events, Services, Endpoints and webhook configurations are model objects (cluster/remote.py read them through Argo CD's API or a second kube
context), so they are written back as the manifests cluster/objects.py converts into those same objects, each
with a `kftui.dev/origin` annotation naming its cluster and path. Loading the dump restores the origin (and
drops the annotation), so the remote objects are remote again and keyed apart from the hub's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from kftui.cluster.objects import TRACKING_ID_ANNOTATION, workload_of
from kftui.model import (
    ARGOCD_API,
    DIRECT,
    ContainerStatus,
    EndpointAddress,
    Endpoints,
    Event,
    KubeObject,
    Namespace,
    Origin,
    Pod,
    Service,
    Tagged,
    WebhookConfiguration,
    Workload,
    with_origin,
)

ORIGIN_ANNOTATION = "kftui.dev/origin"
WORKLOAD_ANNOTATION = "kftui.dev/workload"
"""A pod's workload when its owner alone would not say it (Argo CD's tree names the grandparent)."""
_PATHS = (ARGOCD_API, DIRECT)
# A deletionTimestamp for a pod kftui only knows is deleting (the model keeps the fact, not the time).
_SOME_TIME = "1970-01-01T00:00:00Z"


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _meta(name: str, namespace: str, origin: Origin, resource_version: str, **more: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if resource_version:
        meta["resourceVersion"] = resource_version
    annotations = dict(more.pop("annotations", None) or {})
    annotations[ORIGIN_ANNOTATION] = json.dumps(
        {"cluster": origin.cluster, "path": origin.path, "context": origin.context}, sort_keys=True
    )
    meta.update({k: v for k, v in more.items() if v not in (None, {}, [], ())})
    meta["annotations"] = annotations
    return meta


def _container(c: ContainerStatus) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if c.reason:
        detail["reason"] = c.reason
    if c.message:
        detail["message"] = c.message
    if c.exit_code is not None:
        detail["exitCode"] = c.exit_code
    out: dict[str, Any] = {
        "name": c.name,
        "ready": c.ready,
        "restartCount": c.restart_count,
        "state": {} if c.state == "unknown" else {c.state: detail},
    }
    if c.image:
        out["image"] = c.image
    last: dict[str, Any] = {}
    if c.last_terminated_reason:
        last["reason"] = c.last_terminated_reason
    if c.last_exit_code is not None:
        last["exitCode"] = c.last_exit_code
    if last:
        out["lastState"] = {"terminated": last}
    return out


def _pod(pod: Pod, origin: Origin) -> dict[str, Any]:
    annotations = dict(pod.annotations)
    if (pod.workload_kind, pod.workload_name) != workload_of(pod.owner_kind, pod.owner_name):
        annotations[WORKLOAD_ANNOTATION] = f"{pod.workload_kind}/{pod.workload_name}"
    owners = [{"kind": pod.owner_kind, "name": pod.owner_name, "controller": True}] if pod.owner_kind else []
    conditions: list[dict[str, Any]] = [{"type": "Ready", "status": "True" if pod.ready else "False"}]
    if pod.unschedulable_message:
        conditions.append(
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": pod.unschedulable_message,
            }
        )
    status: dict[str, Any] = {"phase": pod.phase, "conditions": conditions}
    for key, value in (
        ("reason", pod.reason),
        ("message", pod.message),
        ("podIP", pod.pod_ip),
        ("startTime", _time(pod.started_at)),
    ):
        if value:
            status[key] = value
    status["initContainerStatuses"] = [_container(c) for c in pod.containers if c.init]
    status["containerStatuses"] = [_container(c) for c in pod.containers if not c.init]
    ports = [{"name": p.name, "containerPort": p.port, "protocol": p.protocol} for p in pod.ports]
    spec: dict[str, Any] = {"containers": [{"name": "ports", "ports": ports}] if ports else []}
    if pod.node:
        spec["nodeName"] = pod.node
    meta = _meta(
        pod.name,
        pod.namespace,
        origin,
        pod.resource_version,
        labels=dict(pod.labels),
        annotations=annotations,
        creationTimestamp=_time(pod.created_at),
        deletionTimestamp=_SOME_TIME if pod.deleting else None,
        ownerReferences=owners,
    )
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def _namespace(ns: Namespace, origin: Origin) -> dict[str, Any]:
    meta = _meta(
        ns.name,
        "",
        origin,
        ns.resource_version,
        labels=dict(ns.labels),
        annotations=dict(ns.annotations),
        creationTimestamp=_time(ns.created_at),
        deletionTimestamp=_time(ns.deleting_since),
        finalizers=list(ns.finalizers),
    )
    conditions = [{"type": t, "status": "True", "message": m} for t, m in ns.conditions]
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": meta,
        "status": {"phase": ns.phase, "conditions": conditions},
    }


def _workload(w: Workload, origin: Origin) -> dict[str, Any]:
    annotations = {TRACKING_ID_ANNOTATION: w.tracking_id} if w.tracking_id else {}
    meta = _meta(
        w.name, w.namespace, origin, w.resource_version, labels=dict(w.labels), annotations=annotations
    )
    if w.kind == "DaemonSet":
        spec: dict[str, Any] = {}
        status = {"desiredNumberScheduled": w.desired, "numberReady": w.ready, "numberAvailable": w.available}
    else:
        spec = {"replicas": w.desired}
        status = {"readyReplicas": w.ready, "availableReplicas": w.available}
    return {"apiVersion": "apps/v1", "kind": w.kind, "metadata": meta, "spec": spec, "status": status}


def _event(e: Event, origin: Origin) -> dict[str, Any]:
    involved = {"kind": e.involved.kind, "name": e.involved.name}
    if e.involved.namespace:
        involved["namespace"] = e.involved.namespace
    raw: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": _meta(e.name, e.namespace, origin, e.resource_version),
        "involvedObject": involved,
        "reason": e.reason,
        "message": e.message,
        "type": e.type,
        "count": e.count,
    }
    if e.last_seen is not None:
        raw["lastTimestamp"] = _time(e.last_seen)
    return raw


def _service(svc: Service, origin: Origin) -> dict[str, Any]:
    meta = _meta(
        svc.name,
        svc.namespace,
        origin,
        svc.resource_version,
        labels=dict(svc.labels),
        annotations=dict(svc.annotations),
    )
    ports = [
        {"name": p.name, "port": p.port, "targetPort": p.target_port, "protocol": p.protocol}
        for p in svc.ports
    ]
    spec = {"type": svc.type, "ports": ports, "selector": dict(svc.selector)}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


def _address(a: EndpointAddress) -> dict[str, Any]:
    return {"ip": a.ip, "targetRef": {"kind": "Pod", "name": a.pod_name}} if a.pod_name else {"ip": a.ip}


def _endpoints(ep: Endpoints, origin: Origin) -> dict[str, Any]:
    subset: dict[str, Any] = {}
    if ep.ready:
        subset["addresses"] = [_address(a) for a in ep.ready]
    if ep.not_ready:
        subset["notReadyAddresses"] = [_address(a) for a in ep.not_ready]
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": _meta(ep.name, ep.namespace, origin, ep.resource_version),
        "subsets": [subset] if subset else [],
    }


def _webhooks(config: WebhookConfiguration, origin: Origin) -> dict[str, Any]:
    hooks = [
        {
            "name": w.webhook,
            "failurePolicy": w.failure_policy,
            "clientConfig": {"service": {"namespace": w.namespace, "name": w.service, "port": w.port}},
        }
        for w in config.webhooks
    ]
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": config.kind,
        "metadata": _meta(config.name, "", origin, config.resource_version),
        "webhooks": hooks,
    }


def manifest(obj: Tagged) -> dict[str, Any]:
    """The manifest of a remote object (its origin set), as a dump holds it."""
    origin = obj.origin
    if origin is None:
        raise ValueError(f"{obj.ref} is the hub's: its manifest comes from the API server")
    if isinstance(obj, Pod):
        return _pod(obj, origin)
    if isinstance(obj, Namespace):
        return _namespace(obj, origin)
    if isinstance(obj, Workload):
        return _workload(obj, origin)
    if isinstance(obj, Service):
        return _service(obj, origin)
    if isinstance(obj, Endpoints):
        return _endpoints(obj, origin)
    if isinstance(obj, WebhookConfiguration):
        return _webhooks(obj, origin)
    return _event(obj, origin)


def origin_in(annotations: Mapping[str, Any]) -> Origin | None:
    """The origin a dumped object's annotation names; None for the hub's objects (or one kftui did not write)."""
    text = annotations.get(ORIGIN_ANNOTATION)
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    cluster, path, context = (data.get(k) for k in ("cluster", "path", "context"))
    if not isinstance(cluster, str) or not cluster or path not in _PATHS or not isinstance(context, str):
        return None
    return Origin(cluster, str(path), context)


def annotations_of(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = raw.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def restored(obj: KubeObject, origin: Origin, annotations: Mapping[str, Any]) -> KubeObject:
    """`obj`, converted from a dumped remote object, as it was read: its origin set, kftui's annotations gone."""
    if not isinstance(obj, Tagged):
        return obj
    if isinstance(obj, Pod | Namespace | Service):
        kept = {k: v for k, v in obj.annotations.items() if k not in (ORIGIN_ANNOTATION, WORKLOAD_ANNOTATION)}
        obj = replace(obj, annotations=kept)
    workload = annotations.get(WORKLOAD_ANNOTATION)
    if isinstance(obj, Pod) and isinstance(workload, str) and "/" in workload:
        kind, _, name = workload.partition("/")
        obj = replace(obj, workload_kind=kind, workload_name=name)
    return with_origin(obj, origin)
