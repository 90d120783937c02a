"""Raw Kubernetes JSON (as the API server or `kubectl -o yaml` writes it) -> kftui's model objects.

This is the boundary: nothing above cluster/ sees a raw dict. Conversion is tolerant on purpose: a field of
the wrong type or a missing status yields a default, never an exception, because an on-call tool must show
what it can of a half-broken cluster.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from kftui.model import (
    EMPTY_MAP,
    Application,
    Condition,
    ContainerPort,
    ContainerStatus,
    CustomResourceDefinition,
    EndpointAddress,
    Endpoints,
    Event,
    KubeObject,
    ManagedResource,
    Namespace,
    ObjectRef,
    OperationState,
    Pod,
    ResourceResult,
    Service,
    ServicePort,
    SyncOperation,
    WebhookConfiguration,
    WebhookService,
    Workload,
)

SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
TRACKING_ID_ANNOTATION = "argocd.argoproj.io/tracking-id"


# --- tolerant accessors ---------------------------------------------------------------------------


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def _bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _strmap(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict) or not value:
        return EMPTY_MAP
    return MappingProxyType({str(k): _str(v) for k, v in value.items()})


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 as Kubernetes writes it ('2024-05-01T10:00:00Z', with or without fractions)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _meta(obj: Mapping[str, Any]) -> dict[str, Any]:
    return _map(obj.get("metadata"))


def _sync_wave(annotations: Mapping[str, str]) -> int | None:
    raw = annotations.get(SYNC_WAVE_ANNOTATION)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


# --- Applications ---------------------------------------------------------------------------------


def _object_ref(raw: Any) -> ObjectRef:
    entry = _map(raw)
    return ObjectRef(_str(entry.get("kind")), _str(entry.get("namespace")) or None, _str(entry.get("name")))


def _sync_operation(raw: Any) -> SyncOperation | None:
    op = _map(raw)
    if not op:
        return None
    sync = _map(op.get("sync"))
    strategy = _map(sync.get("syncStrategy"))
    force = _bool(_map(strategy.get("hook")).get("force")) or _bool(_map(strategy.get("apply")).get("force"))
    initiated = _map(op.get("initiatedBy"))
    return SyncOperation(
        revision=_str(sync.get("revision")),
        prune=_bool(sync.get("prune")),
        dry_run=_bool(sync.get("dryRun")),
        force=force,
        sync_options=tuple(_str(o) for o in _list(sync.get("syncOptions"))),
        resources=tuple(_object_ref(r) for r in _list(sync.get("resources"))),
        initiated_by=_str(initiated.get("username")),
        automated=_bool(initiated.get("automated")),
    )


def _operation_state(raw: Any) -> OperationState | None:
    state = _map(raw)
    if not state:
        return None
    results = tuple(
        ResourceResult(
            group=_str(r.get("group")),
            version=_str(r.get("version")),
            kind=_str(r.get("kind")),
            namespace=_str(r.get("namespace")),
            name=_str(r.get("name")),
            status=_str(r.get("status")),
            message=_str(r.get("message")),
            hook_phase=_str(r.get("hookPhase")),
            sync_phase=_str(r.get("syncPhase")),
        )
        for r in map(_map, _list(_map(state.get("syncResult")).get("resources")))
    )
    return OperationState(
        phase=_str(state.get("phase")),
        message=_str(state.get("message")),
        started_at=parse_time(state.get("startedAt")),
        finished_at=parse_time(state.get("finishedAt")),
        operation=_sync_operation(state.get("operation")),
        results=results,
        retry_count=_int(state.get("retryCount")),
    )


def _managed_resource(raw: Any) -> ManagedResource:
    r = _map(raw)
    health = _map(r.get("health"))
    return ManagedResource(
        group=_str(r.get("group")),
        version=_str(r.get("version")),
        kind=_str(r.get("kind")),
        namespace=_str(r.get("namespace")),
        name=_str(r.get("name")),
        sync_status=_str(r.get("status")),
        health_status=_str(health.get("status")),
        health_message=_str(health.get("message")),
        hook=_bool(r.get("hook")),
        requires_pruning=_bool(r.get("requiresPruning")),
        sync_wave=_int(r.get("syncWave")),
    )


def application(obj: Mapping[str, Any]) -> Application:
    meta = _meta(obj)
    spec = _map(obj.get("spec"))
    status = _map(obj.get("status"))
    source = _map(spec.get("source"))
    if not source and _list(spec.get("sources")):
        source = _map(_list(spec.get("sources"))[0])
    destination = _map(spec.get("destination"))
    policy = _map(spec.get("syncPolicy"))
    automated = policy.get("automated")
    sync = _map(status.get("sync"))
    health = _map(status.get("health"))
    annotations = _strmap(meta.get("annotations"))
    return Application(
        name=_str(meta.get("name")),
        namespace=_str(meta.get("namespace")),
        project=_str(spec.get("project")) or "default",
        repo_url=_str(source.get("repoURL")),
        path=_str(source.get("path")) or _str(source.get("chart")),
        target_revision=_str(source.get("targetRevision")),
        dest_server=_str(destination.get("server")) or _str(destination.get("name")),
        dest_namespace=_str(destination.get("namespace")),
        automated=isinstance(automated, dict) and automated.get("enabled") is not False,
        auto_prune=_bool(_map(automated).get("prune")),
        self_heal=_bool(_map(automated).get("selfHeal")),
        sync_options=tuple(_str(o) for o in _list(policy.get("syncOptions"))),
        sync_status=_str(sync.get("status")) or "Unknown",
        sync_revision=_str(sync.get("revision")),
        health_status=_str(health.get("status")) or "Unknown",
        health_message=_str(health.get("message")),
        operation=_sync_operation(obj.get("operation")),
        operation_state=_operation_state(status.get("operationState")),
        conditions=tuple(
            Condition(
                type=_str(c.get("type")),
                message=_str(c.get("message")),
                last_transition=parse_time(c.get("lastTransitionTime")),
            )
            for c in map(_map, _list(status.get("conditions")))
        ),
        resources=tuple(_managed_resource(r) for r in _list(status.get("resources"))),
        sync_wave=_sync_wave(annotations),
        annotations=annotations,
        labels=_strmap(meta.get("labels")),
        reconciled_at=parse_time(status.get("reconciledAt")),
        created_at=parse_time(meta.get("creationTimestamp")),
        resource_version=_str(meta.get("resourceVersion")),
    )


# --- core objects ---------------------------------------------------------------------------------


def namespace(obj: Mapping[str, Any]) -> Namespace:
    meta = _meta(obj)
    return Namespace(
        name=_str(meta.get("name")),
        phase=_str(_map(obj.get("status")).get("phase")) or "Active",
        labels=_strmap(meta.get("labels")),
        annotations=_strmap(meta.get("annotations")),
        created_at=parse_time(meta.get("creationTimestamp")),
        deleting_since=parse_time(meta.get("deletionTimestamp")),
        resource_version=_str(meta.get("resourceVersion")),
    )


def _container_status(raw: Any, init: bool) -> ContainerStatus:
    cs = _map(raw)
    state = _map(cs.get("state"))
    last = _map(_map(cs.get("lastState")).get("terminated"))
    kind: str = "unknown"
    detail: dict[str, Any] = {}
    for candidate in ("waiting", "running", "terminated"):
        if candidate in state:
            kind = candidate
            detail = _map(state.get(candidate))
            break
    return ContainerStatus(
        name=_str(cs.get("name")),
        ready=_bool(cs.get("ready")),
        restart_count=_int(cs.get("restartCount")),
        state=kind,  # type: ignore[arg-type]
        reason=_str(detail.get("reason")),
        message=_str(detail.get("message")),
        exit_code=_int(detail["exitCode"]) if "exitCode" in detail else None,
        last_terminated_reason=_str(last.get("reason")),
        last_exit_code=_int(last["exitCode"]) if "exitCode" in last else None,
        image=_str(cs.get("image")),
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
    meta = _meta(obj)
    spec = _map(obj.get("spec"))
    status = _map(obj.get("status"))
    owners = [o for o in map(_map, _list(meta.get("ownerReferences"))) if o.get("controller") is not False]
    owner = owners[0] if owners else {}
    owner_kind, owner_name = _str(owner.get("kind")), _str(owner.get("name"))
    workload_kind, workload_name = workload_of(owner_kind, owner_name)
    conditions = [_map(c) for c in _list(status.get("conditions"))]
    ready = any(c.get("type") == "Ready" and _str(c.get("status")) == "True" for c in conditions)
    unschedulable = next(
        (
            _str(c.get("message"))
            for c in conditions
            if c.get("type") == "PodScheduled" and _str(c.get("reason")) == "Unschedulable"
        ),
        "",
    )
    containers = tuple(
        _container_status(c, init=True) for c in _list(status.get("initContainerStatuses"))
    ) + tuple(_container_status(c, init=False) for c in _list(status.get("containerStatuses")))
    ports = tuple(
        ContainerPort(
            name=_str(p.get("name")),
            port=_int(p.get("containerPort")),
            protocol=_str(p.get("protocol")) or "TCP",
        )
        for c in map(_map, _list(spec.get("containers")))
        for p in map(_map, _list(c.get("ports")))
    )
    return Pod(
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")),
        phase=_str(status.get("phase")) or "Pending",
        ready=ready,
        containers=containers,
        ports=ports,
        node=_str(spec.get("nodeName")),
        owner_kind=owner_kind,
        owner_name=owner_name,
        workload_kind=workload_kind,
        workload_name=workload_name,
        labels=_strmap(meta.get("labels")),
        annotations=_strmap(meta.get("annotations")),
        reason=_str(status.get("reason")),
        message=_str(status.get("message")),
        unschedulable_message=unschedulable,
        pod_ip=_str(status.get("podIP")),
        created_at=parse_time(meta.get("creationTimestamp")),
        started_at=parse_time(status.get("startTime")),
        deleting=meta.get("deletionTimestamp") is not None,
        resource_version=_str(meta.get("resourceVersion")),
    )


def _target_port(value: Any, fallback: int) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value:
        return int(value) if value.isdigit() else value
    return fallback


def service(obj: Mapping[str, Any]) -> Service:
    meta = _meta(obj)
    spec = _map(obj.get("spec"))
    ports = []
    for p in map(_map, _list(spec.get("ports"))):
        port = _int(p.get("port"))
        ports.append(
            ServicePort(
                name=_str(p.get("name")),
                port=port,
                target_port=_target_port(p.get("targetPort"), port),
                protocol=_str(p.get("protocol")) or "TCP",
            )
        )
    return Service(
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")),
        type=_str(spec.get("type")) or "ClusterIP",
        ports=tuple(ports),
        selector=_strmap(spec.get("selector")),
        labels=_strmap(meta.get("labels")),
        annotations=_strmap(meta.get("annotations")),
        resource_version=_str(meta.get("resourceVersion")),
    )


def _address(raw: Any) -> EndpointAddress:
    a = _map(raw)
    target = _map(a.get("targetRef"))
    return EndpointAddress(
        ip=_str(a.get("ip")), pod_name=_str(target.get("name")) if target.get("kind") == "Pod" else ""
    )


def endpoints(obj: Mapping[str, Any]) -> Endpoints:
    meta = _meta(obj)
    ready: list[EndpointAddress] = []
    not_ready: list[EndpointAddress] = []
    for subset in map(_map, _list(obj.get("subsets"))):
        ready.extend(_address(a) for a in _list(subset.get("addresses")))
        not_ready.extend(_address(a) for a in _list(subset.get("notReadyAddresses")))
    return Endpoints(
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")),
        ready=tuple(ready),
        not_ready=tuple(not_ready),
        resource_version=_str(meta.get("resourceVersion")),
    )


def event(obj: Mapping[str, Any]) -> Event:
    meta = _meta(obj)
    involved = _map(obj.get("involvedObject")) or _map(obj.get("regarding"))
    last_seen = (
        parse_time(obj.get("lastTimestamp"))
        or parse_time(obj.get("eventTime"))
        or parse_time(_map(obj.get("series")).get("lastObservedTime"))
        or parse_time(obj.get("firstTimestamp"))
        or parse_time(meta.get("creationTimestamp"))
    )
    return Event(
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")),
        involved=_object_ref(involved),
        reason=_str(obj.get("reason")),
        message=_str(obj.get("message")) or _str(obj.get("note")),
        type=_str(obj.get("type")) or "Normal",
        count=max(1, _int(obj.get("count"), 1)),
        last_seen=last_seen,
        resource_version=_str(meta.get("resourceVersion")),
    )


def crd(obj: Mapping[str, Any]) -> CustomResourceDefinition:
    meta = _meta(obj)
    spec = _map(obj.get("spec"))
    conditions = map(_map, _list(_map(obj.get("status")).get("conditions")))
    annotations = _map(meta.get("annotations"))
    return CustomResourceDefinition(
        name=_str(meta.get("name")),
        group=_str(spec.get("group")),
        kind=_str(_map(spec.get("names")).get("kind")),
        versions=tuple(_str(v.get("name")) for v in map(_map, _list(spec.get("versions")))),
        established=any(
            c.get("type") == "Established" and _str(c.get("status")) == "True" for c in conditions
        ),
        annotations_bytes=sum(len(str(k)) + len(_str(v)) for k, v in annotations.items()),
        resource_version=_str(meta.get("resourceVersion")),
    )


def webhook_configuration(obj: Mapping[str, Any]) -> WebhookConfiguration:
    meta = _meta(obj)
    hooks = []
    for hook in map(_map, _list(obj.get("webhooks"))):
        svc = _map(_map(hook.get("clientConfig")).get("service"))
        if not svc:
            continue
        hooks.append(
            WebhookService(
                webhook=_str(hook.get("name")),
                namespace=_str(svc.get("namespace")),
                service=_str(svc.get("name")),
                port=_int(svc.get("port"), 443),
                failure_policy=_str(hook.get("failurePolicy")) or "Fail",
            )
        )
    return WebhookConfiguration(
        kind=_str(obj.get("kind")),
        name=_str(meta.get("name")),
        webhooks=tuple(hooks),
        resource_version=_str(meta.get("resourceVersion")),
    )


def workload(obj: Mapping[str, Any]) -> Workload:
    meta = _meta(obj)
    spec = _map(obj.get("spec"))
    status = _map(obj.get("status"))
    kind = _str(obj.get("kind"))
    if kind == "DaemonSet":
        desired, ready, available = (
            _int(status.get("desiredNumberScheduled")),
            _int(status.get("numberReady")),
            _int(status.get("numberAvailable")),
        )
    else:
        desired = _int(spec.get("replicas"), 1)
        ready, available = _int(status.get("readyReplicas")), _int(status.get("availableReplicas"))
    return Workload(
        kind=kind,
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")),
        desired=desired,
        ready=ready,
        available=available,
        labels=_strmap(meta.get("labels")),
        resource_version=_str(meta.get("resourceVersion")),
        tracking_id=_str(_map(meta.get("annotations")).get(TRACKING_ID_ANNOTATION)),
    )


CONVERTERS: Mapping[str, Callable[[Mapping[str, Any]], KubeObject]] = MappingProxyType(
    {
        "Application": application,
        "Namespace": namespace,
        "Pod": pod,
        "Service": service,
        "Endpoints": endpoints,
        "Event": event,
        "CustomResourceDefinition": crd,
        "ValidatingWebhookConfiguration": webhook_configuration,
        "MutatingWebhookConfiguration": webhook_configuration,
        "Deployment": workload,
        "StatefulSet": workload,
        "DaemonSet": workload,
    }
)


def to_model(obj: Mapping[str, Any], kind: str | None = None) -> KubeObject | None:
    """Convert one raw object; None for kinds kftui does not track. `kind` fills in for watch items without one."""
    kind = kind or _str(obj.get("kind"))
    converter = CONVERTERS.get(kind)
    if converter is None:
        return None
    if kind in KIND_READING_CONVERTERS and obj.get("kind") != kind:
        # LIST items carry no kind of their own; these converters store it, so hand it over.
        obj = {**obj, "kind": kind}
    return converter(obj)


KIND_READING_CONVERTERS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    }
)


def argocd_config(obj: Mapping[str, Any]) -> Mapping[str, str]:
    """The data of argocd-cm: only its keys matter for checks (health customizations)."""
    return _strmap(obj.get("data"))


def parse_json(payload: bytes) -> Any:
    return json.loads(payload)


_ITEMS_KEY = b',"items":'


def list_continue_in_head(head: bytes) -> str | None:
    """The continue token of a LIST page, read from the first bytes of its body; None when they cannot tell.

    The API server writes a list's metadata (resourceVersion, continue) before its items, so the next page
    can be asked for while the rest of this one is still arriving and being parsed. "" means the head shows
    the metadata and it has no token: this is the last page. `,"` cannot occur inside a compact JSON string,
    so the first `,"items":` is a key; if it is not the top-level one, the prefix does not parse.
    """
    end = head.find(_ITEMS_KEY)
    if end < 0:
        return None
    try:
        prefix = json.loads(head[:end] + b"}")
    except ValueError:
        return None
    meta = prefix.get("metadata") if isinstance(prefix, dict) else None
    if not isinstance(meta, dict):
        return None
    token = meta.get("continue")
    return token if isinstance(token, str) else ""


# Built-in kinds whose objects always have a spec: the API server writes their metadata in the Go struct's
# field order, which ends with managedFields, so every managedFields list is followed by `]},"spec":`.
# (Custom resources such as Applications are written with sorted keys: managedFields is not last there.)
SPEC_AFTER_METADATA = frozenset({"Pod", "Service", "Namespace", "Deployment", "StatefulSet", "DaemonSet"})
_MANAGED_FIELDS = b',"managedFields":['
_METADATA_END = b']},"spec":'
# Every stored object has a name, and managedFields cannot hold a "name" key (its entries hold manager,
# operation, apiVersion, time, fieldsType, fieldsV1 and subresource; fieldsV1's own keys all carry an
# f:/k:/v:/i: prefix). A name inside a stretch about to be cut means the stretch runs past managedFields
# (keys in another order, or an item without spec before the next item): the layout is not the one assumed.
_NAME_KEY = b'"name":"'


def drop_managed_fields(payload: bytes) -> bytes:
    """A LIST page of a SPEC_AFTER_METADATA kind without its items' metadata.managedFields, cut out of the
    bytes before they are parsed.

    managedFields is about half of a pod's JSON and the deepest part of it (the bench's figures are in
    README.md, Performance); nothing in kftui reads it. The cut relies
    on two facts of compact JSON as the API server writes it: `,"` cannot occur inside a string (a quote
    there is escaped), so both markers are structural; and a built-in kind's metadata ends with
    managedFields. A stretch that does not look like managedFields is left alone, and so is the rest of the
    page, so a server that writes another layout costs only the time saved.
    """
    pieces: list[bytes] = []
    kept_from = 0
    while (start := payload.find(_MANAGED_FIELDS, kept_from)) >= 0:
        end = payload.find(_METADATA_END, start)
        if end < 0 or payload.find(_NAME_KEY, start, end) >= 0:
            break
        pieces.append(payload[kept_from:start])
        kept_from = end + 1  # keep `},"spec":`: the metadata object's end
    if not pieces:
        return payload
    pieces.append(payload[kept_from:])
    return b"".join(pieces)
