"""A LIST page of pods decoded straight into kftui's Pod, reading only the fields objects.pod reads.

Parsing a page into dicts and converting them was most of kftui's own CPU in its first load (20,000 pods:
~1 s, against ~0.2 s for this typed decode, which skips everything else in C: managedFields, env, volumes,
resources). objects.pod stays the definition: this is the same conversion for pages whose fields have the
types the API server writes. Anything else (a null, a number where a string belongs) makes decode_page
return None, and the caller falls back to objects.pod, whose lenient readers cope with it.
tests/unit/test_podlist.py holds the two equal over generated pods of every shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import msgspec

from kftui.cluster.fields import parse_time
from kftui.cluster.objects import workload_of
from kftui.model import EMPTY_MAP, ContainerPort, ContainerStatus, Pod

UNSET = msgspec.UNSET


# Each schema class: fields not named are skipped; a present field of another type fails the page, which
# then goes to objects.pod. Frozen, so that an instance can be a field's default.
class _Owner(msgspec.Struct, frozen=True):
    kind: str = ""
    name: str = ""
    controller: bool | None = None


class _Meta(msgspec.Struct, frozen=True):
    name: str = ""
    namespace: str = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    ownerReferences: list[_Owner] = []
    creationTimestamp: str = ""
    deletionTimestamp: str | None = None
    resourceVersion: str = ""


class _Port(msgspec.Struct, frozen=True):
    name: str = ""
    containerPort: int = 0
    protocol: str = ""


class _Container(msgspec.Struct, frozen=True):
    ports: list[_Port] = []


class _Spec(msgspec.Struct, frozen=True):
    containers: list[_Container] = []
    nodeName: str = ""


class _Condition(msgspec.Struct, frozen=True):
    type: str = ""
    status: str = ""
    reason: str = ""
    message: str = ""


class _StateDetail(msgspec.Struct, frozen=True):
    reason: str = ""
    message: str = ""
    exitCode: int | msgspec.UnsetType = UNSET


class _State(msgspec.Struct, frozen=True):
    # Which of the three is present decides the state, as in objects._container_status.
    waiting: _StateDetail | msgspec.UnsetType = UNSET
    running: _StateDetail | msgspec.UnsetType = UNSET
    terminated: _StateDetail | msgspec.UnsetType = UNSET


class _LastState(msgspec.Struct, frozen=True):
    terminated: _StateDetail | msgspec.UnsetType = UNSET


class _ContainerStatus(msgspec.Struct, frozen=True):
    name: str = ""
    ready: bool = False
    restartCount: int = 0
    state: _State = _State()
    lastState: _LastState = _LastState()
    image: str = ""


class _Status(msgspec.Struct, frozen=True):
    phase: str = ""
    conditions: list[_Condition] = []
    initContainerStatuses: list[_ContainerStatus] = []
    containerStatuses: list[_ContainerStatus] = []
    reason: str = ""
    message: str = ""
    podIP: str = ""
    startTime: str = ""


class _Pod(msgspec.Struct, frozen=True):
    metadata: _Meta = _Meta()
    spec: _Spec = _Spec()
    status: _Status = _Status()


class _ListMeta(msgspec.Struct, frozen=True):
    resourceVersion: str = ""
    continue_: str = msgspec.field(default="", name="continue")


class _PodList(msgspec.Struct, frozen=True):
    metadata: _ListMeta = _ListMeta()
    items: list[_Pod] = []


_DECODER = msgspec.json.Decoder(_PodList)


def decode_page(data: bytes) -> tuple[list[Pod], str, str] | None:
    """The page's pods, resourceVersion and continue token; None when it does not fit the schema."""
    try:
        page = _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return [_pod(p) for p in page.items], page.metadata.resourceVersion, page.metadata.continue_


class _Kind(msgspec.Struct):
    kind: str = ""


_KIND = msgspec.json.Decoder(_Kind)
_ONE_POD = msgspec.json.Decoder(_Pod)


def decode_pod(data: bytes | msgspec.Raw) -> Pod | None:
    """One object of a JSON dump as kftui's Pod when it is a pod whose fields fit the schema; None for any
    other kind, and for a pod that does not fit (the caller converts those the lenient way)."""
    try:
        if _KIND.decode(data).kind != "Pod":
            return None
        return _pod(_ONE_POD.decode(data))
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def _strings(mapping: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(mapping) if mapping else EMPTY_MAP


def _container(cs: _ContainerStatus, init: bool) -> ContainerStatus:
    state = cs.state
    kind = "unknown"
    detail = _StateDetail()
    for candidate, value in (
        ("waiting", state.waiting),
        ("running", state.running),
        ("terminated", state.terminated),
    ):
        if value is not UNSET:
            kind, detail = candidate, value
            break
    last = cs.lastState.terminated
    return ContainerStatus(
        name=cs.name,
        ready=cs.ready,
        restart_count=cs.restartCount,
        state=kind,  # type: ignore[arg-type]
        reason=detail.reason,
        message=detail.message,
        exit_code=None if detail.exitCode is UNSET else detail.exitCode,
        last_terminated_reason="" if last is UNSET else last.reason,
        last_exit_code=None if last is UNSET or last.exitCode is UNSET else last.exitCode,
        image=cs.image,
        init=init,
    )


def _pod(raw: _Pod) -> Pod:
    meta, spec, status = raw.metadata, raw.spec, raw.status
    owner = next((o for o in meta.ownerReferences if o.controller is not False), _Owner())
    workload_kind, workload_name = workload_of(owner.kind, owner.name)
    conditions = status.conditions
    return Pod(
        namespace=meta.namespace,
        name=meta.name,
        phase=status.phase or "Pending",
        ready=any(c.type == "Ready" and c.status == "True" for c in conditions),
        containers=tuple(_container(c, init=True) for c in status.initContainerStatuses)
        + tuple(_container(c, init=False) for c in status.containerStatuses),
        ports=tuple(
            ContainerPort(name=p.name, port=p.containerPort, protocol=p.protocol or "TCP")
            for c in spec.containers
            for p in c.ports
        ),
        node=spec.nodeName,
        owner_kind=owner.kind,
        owner_name=owner.name,
        workload_kind=workload_kind,
        workload_name=workload_name,
        labels=_strings(meta.labels),
        annotations=_strings(meta.annotations),
        reason=status.reason,
        message=status.message,
        unschedulable_message=next(
            (c.message for c in conditions if c.type == "PodScheduled" and c.reason == "Unschedulable"), ""
        ),
        pod_ip=status.podIP,
        created_at=parse_time(meta.creationTimestamp),
        started_at=parse_time(status.startTime),
        deleting=meta.deletionTimestamp is not None,
        resource_version=meta.resourceVersion,
    )
