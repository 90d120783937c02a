"""Which snapshot another was derived from, and which keys changed on the way (changed_keys)."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kftui.model.objects import Key
    from kftui.model.snapshot import ClusterSnapshot, KubeObject


@dataclass(frozen=True)
class Lineage:
    """How apply_events derived a snapshot: from which one (held weakly, so old snapshots can go) and, per
    collection it copied, the copy it made and the keys added, modified or deleted in it."""

    parent: weakref.ref[ClusterSnapshot]
    changed: Mapping[str, tuple[Mapping[Key, KubeObject], frozenset[Key]]]


MAX_LINEAGE_STEPS = 64


def changed_keys(
    snapshot: ClusterSnapshot, collection: str, since: Mapping[Key, KubeObject]
) -> frozenset[Key] | None:
    """The keys of `collection` whose object differs from the one in `since`, an earlier state of that
    collection (added, modified or deleted), read from the lineage apply_events records: the cost follows
    the changes, not the size of the cluster.

    None when the lineage does not lead back to `since` (a reload, a snapshot built another way, a
    collection replaced after the fact): the caller then compares the collections in full.
    """
    keys: set[Key] = set()
    current = snapshot
    for _ in range(MAX_LINEAGE_STEPS):
        mine = current.collection(collection)
        if mine is since:
            return frozenset(keys)
        lineage = current.lineage
        parent = lineage.parent() if lineage is not None else None
        if lineage is None or parent is None:
            return None
        if collection in lineage.changed:
            copy, changed = lineage.changed[collection]
            if copy is not mine:
                return None
            keys |= changed
        elif mine is not parent.collection(collection):
            return None
        current = parent
    return None
