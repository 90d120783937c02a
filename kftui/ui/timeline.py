"""The events timeline (pure): which objects an app or a tree item stands for, and their events, newest first.

An Application's trouble is rarely in its own events: Argo CD records syncs on the Application, the
Deployment controller records scaling on the Deployment, the ReplicaSet records pod creation, the scheduler
and the kubelet record on the pods. So the timeline of an app gathers the events of the Application, of every
resource in its status.resources, of the pods the topology gives it and of those pods' owners (ReplicaSets).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kftui.model import ClusterSnapshot, Event, ObjectRef
from kftui.textsafe import one_line
from kftui.topology import Topology

WARNING_MARK = "!"


@dataclass(frozen=True)
class TimelineScope:
    """What a timeline covers: an app (all it owns), a namespace (all of it), or some objects."""

    label: str
    app: str | None = None
    namespace: str | None = None
    refs: frozenset[ObjectRef] = frozenset()
    cluster: str = (
        ""  # with `namespace`: its cluster ("" the hub's); a spoke's namespace of that name is another
    )


def refs_of_app(topology: Topology, app: str) -> set[ObjectRef]:
    """The Application, its managed resources, its pods and the pods' owners."""
    node = next((n for n in topology.apps if n.app.name == app), None)
    if node is None:
        return set()
    # The app's objects are on the cluster it deploys to: refs name it, as that cluster's events do.
    cluster = topology.owners.app_names.get(app, "") if topology.owners is not None else ""
    refs = {node.app.ref}
    refs.update(replace(r.ref, cluster=cluster) for r in node.cluster_resources)
    for ns in node.namespaces.values():
        refs.update(replace(r.ref, cluster=cluster) for r in ns.resources)
        for pod in ns.pods:
            refs.add(pod.ref)
            if pod.owner_kind and pod.owner_name:
                refs.add(ObjectRef(pod.owner_kind, pod.namespace, pod.owner_name, pod.ref.cluster))
    return refs


def timeline(snapshot: ClusterSnapshot, topology: Topology, scope: TimelineScope) -> list[Event]:
    """The scope's events, newest first (events without a time last)."""
    refs = refs_of_app(topology, scope.app) if scope.app is not None else set(scope.refs)
    found = [
        e
        for e in snapshot.events.values()
        if (
            scope.namespace is not None
            and e.namespace == scope.namespace
            and e.cluster == scope.cluster
            and scope.app is None
        )
        or e.involved in refs
    ]
    return sorted(found, key=lambda e: (e.seen, e.name), reverse=True)


def age(then: datetime | None, now: datetime) -> str:
    """kubectl's short age: 45s, 12m, 3h, 2d; `?` when unknown."""
    if then is None:
        return "?"
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def timeline_lines(events: list[Event], now: datetime) -> list[str]:
    """One line per event: warning mark, age, type, reason, object, count, message (one line, inert)."""
    if not events:
        return ["No events recorded for these objects (the API server keeps them for an hour by default)."]
    out = [f"  {'AGE':<6}{'TYPE':<9}{'REASON':<24}{'OBJECT':<44}{'COUNT':>5}  MESSAGE"]
    for e in events:
        mark = WARNING_MARK if e.type == "Warning" else " "
        obj = f"{e.involved.kind}/{e.involved.name}"
        out.append(
            f"{mark} {age(e.last_seen, now):<6}{one_line(e.type):<9}{one_line(e.reason):<24}"
            f"{one_line(obj):<44}{e.count:>5}  {one_line(e.message)}"
        )
    return out
