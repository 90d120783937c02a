"""Changes to a snapshot (watch events, relists, refusals) and the pure functions that apply them."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Literal, TypeAlias

from kftui.model.lineage import Lineage
from kftui.model.objects import Key, Namespace
from kftui.model.snapshot import COLLECTION_OF, ClusterSnapshot, KubeObject, kind_of


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One ADDED / MODIFIED / DELETED event from a watch, already converted to a model object."""

    type: Literal["ADDED", "MODIFIED", "DELETED"]
    obj: KubeObject


@dataclass(frozen=True, slots=True)
class Relisted:
    """A fresh LIST of one kind: it replaces that kind's objects in the collection (after 410 Gone).

    Some collections hold several kinds (workloads: Deployment, StatefulSet, DaemonSet), each listed and
    watched on its own, so a relist replaces only the objects of its kind.
    """

    collection: str
    objects: tuple[KubeObject, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Forbidden:
    """The credentials may not list a kind; the snapshot remembers why (keyed by kind in `forbidden`)."""

    collection: str
    reason: str
    kind: str


SnapshotChange: TypeAlias = WatchEvent | Relisted | Forbidden


def _keep_holders(old: KubeObject | None, new: KubeObject) -> KubeObject:
    """A watch event of a Terminating namespace does not list the objects that hold it (a live load does):
    keep what the last load listed while it is still deleting. Each release is a patch that tests the
    finalizers it was listed with, so one released meanwhile fails and says so rather than being dropped."""
    if isinstance(new, Namespace) and isinstance(old, Namespace) and old.held_by and not new.held_by:
        return replace(new, held_by=old.held_by) if new.deleting_since is not None else new
    return new


def apply_event(
    snapshot: ClusterSnapshot, change: SnapshotChange, now: datetime | None = None
) -> ClusterSnapshot:
    """Return the snapshot with one change applied; the input snapshot is left untouched."""
    return apply_events(snapshot, [change], now)


def apply_events(
    snapshot: ClusterSnapshot, changes: list[SnapshotChange], now: datetime | None = None
) -> ClusterSnapshot:
    """Apply a batch of changes, copying each touched collection once rather than once per event.

    A successful event or relist for a collection clears any earlier Forbidden note for it.
    """
    working: dict[str, dict[Key, KubeObject]] = {}
    touched: dict[str, set[Key]] = {}
    forbidden = dict(snapshot.forbidden)
    for change in changes:
        if isinstance(change, Forbidden):
            forbidden[change.kind] = change.reason
            continue
        if isinstance(change, Relisted):
            current = working.get(change.collection, snapshot.collection(change.collection))
            fresh = {key: obj for key, obj in current.items() if kind_of(obj) != change.kind}
            keys = touched.setdefault(change.collection, set())
            keys.update(current.keys() - fresh.keys())
            fresh.update((obj.key, obj) for obj in change.objects)
            keys.update(obj.key for obj in change.objects)
            working[change.collection] = fresh
            forbidden.pop(change.kind, None)
            continue
        name = COLLECTION_OF[type(change.obj)]
        if name not in working:
            working[name] = dict(snapshot.collection(name))
        touched.setdefault(name, set()).add(change.obj.key)
        forbidden.pop(kind_of(change.obj), None)
        if change.type == "DELETED":
            working[name].pop(change.obj.key, None)
        else:
            working[name][change.obj.key] = _keep_holders(working[name].get(change.obj.key), change.obj)
    if not working and forbidden == snapshot.forbidden and now is None:
        return snapshot
    changed: dict[str, object] = dict(working)
    if forbidden != snapshot.forbidden:
        # A new mapping only when it changed: checks that read it are not run again for nothing.
        changed["forbidden"] = MappingProxyType(forbidden)
    changed["now"] = now or snapshot.now
    changed["lineage"] = Lineage(
        weakref.ref(snapshot),
        {name: (working[name], frozenset(keys)) for name, keys in touched.items()},
    )
    return replace(snapshot, **changed)  # type: ignore[arg-type]
