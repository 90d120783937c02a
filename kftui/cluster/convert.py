"""How the cluster layer reads each kind, in one table: its converter from raw JSON, and how its LIST pages parse.

This is the boundary: nothing above cluster/ sees a raw dict. The kinds themselves (paths, collections) are in
kftui/kinds.py; a test checks that every kind listed there has a reader here, and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kftui.cluster.applications import app_project, application
from kftui.cluster.fields import as_str, str_map
from kftui.cluster.objects import (
    crd,
    endpoints,
    event,
    namespace,
    pod,
    service,
    webhook_configuration,
    workload,
)
from kftui.model import KubeObject


@dataclass(frozen=True, slots=True)
class Reader:
    """How one kind is read.

    lean: a built-in kind whose objects always have a spec. The API server writes their metadata in the Go
      struct's field order, which ends with managedFields, so every managedFields list is followed by
      `]},"spec":` and can be cut out of a LIST page's bytes before parsing (pages.drop_managed_fields).
      Custom resources such as Applications are written with sorted keys: managedFields is not last there.
    stores_kind: the converter keeps the object's `kind`, which LIST items do not carry: to_model hands it over.
    """

    convert: Callable[[Mapping[str, Any]], KubeObject]
    lean: bool = False
    stores_kind: bool = False


READERS: Mapping[str, Reader] = MappingProxyType(
    {
        "Application": Reader(application),
        "AppProject": Reader(app_project),
        "Namespace": Reader(namespace, lean=True),
        "Pod": Reader(pod, lean=True),
        "Service": Reader(service, lean=True),
        "Endpoints": Reader(endpoints),
        "Event": Reader(event),
        "CustomResourceDefinition": Reader(crd),
        "ValidatingWebhookConfiguration": Reader(webhook_configuration, stores_kind=True),
        "MutatingWebhookConfiguration": Reader(webhook_configuration, stores_kind=True),
        "Deployment": Reader(workload, lean=True, stores_kind=True),
        "StatefulSet": Reader(workload, lean=True, stores_kind=True),
        "DaemonSet": Reader(workload, lean=True, stores_kind=True),
    }
)


def is_lean(kind: str) -> bool:
    """Whether a page of this kind may have managedFields cut from its bytes (see Reader.lean)."""
    reader = READERS.get(kind)
    return reader is not None and reader.lean


def to_model(obj: Mapping[str, Any], kind: str | None = None) -> KubeObject | None:
    """Convert one raw object; None for kinds kftui does not track. `kind` fills in for watch items without one."""
    kind = kind or as_str(obj.get("kind"))
    reader = READERS.get(kind)
    if reader is None:
        return None
    if reader.stores_kind and obj.get("kind") != kind:
        # LIST items carry no kind of their own; these converters store it, so hand it over.
        obj = {**obj, "kind": kind}
    return reader.convert(obj)


def argocd_config(obj: Mapping[str, Any]) -> Mapping[str, str]:
    """The data of argocd-cm: only its keys matter for checks (health customizations)."""
    return str_map(obj.get("data"))
