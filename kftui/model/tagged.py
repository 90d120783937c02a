"""The kinds kftui reads from other clusters than the hub, and how an object is marked as read from one."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeAlias

from kftui.model.clusters import Origin
from kftui.model.network import Endpoints, Service, WebhookConfiguration
from kftui.model.objects import Event, Namespace, Pod, Workload

Tagged: TypeAlias = Namespace | Pod | Event | Workload | Service | Endpoints | WebhookConfiguration
"""The kinds kftui reads from other clusters than the hub, each with an `origin`."""


def with_origin(obj: Tagged, origin: Origin) -> Tagged:
    """`obj` as read from `origin`'s cluster: its origin set, and an event's involved object on that cluster."""
    if isinstance(obj, Event):
        return replace(obj, origin=origin, involved=replace(obj.involved, cluster=origin.cluster))
    return replace(obj, origin=origin)
