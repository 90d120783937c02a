"""The analysis's state: each resource copy as it travels up the tree, the accumulators, and what was found.

kustomize keeps one resource map per kustomization and stops at its first failure; the ledger keeps every copy
and records each failure (a collision, an error, a skipped entry, a note) with a sequence number, so the report
can name every duplicate and still say which failure kustomize itself would have stopped at.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kftui.kustomize.remotes import RemoteMap
from kftui.kustomize.report import Problem, Skipped
from kftui.kustomize.resid import ResId

_UID = operator.attrgetter("uid")


class Chain(tuple[str, ...]):
    """An include chain: the directories from the root (relative to it, what messages name), and `entries`, each
    step as its kustomization spells it (`base/` and `base` are one directory but two entries)."""

    entries: tuple[str, ...]

    def __new__(cls, dirs: tuple[str, ...], entries: tuple[str, ...]) -> Chain:
        chain = super().__new__(cls, dirs)
        chain.entries = entries
        return chain

    def then(self, directory: str, entry: str) -> Chain:
        return Chain((*self, directory), (*self.entries, entry))


def entries_of(chain: tuple[str, ...]) -> tuple[str, ...]:
    return chain.entries if isinstance(chain, Chain) else chain


@dataclass(eq=False)
class Item:
    """One copy of one resource, as it travels up the tree; mutable because transformers rename it."""

    uid: int
    id: ResId
    chain: tuple[str, ...]
    file: str
    labels: dict[str, str]
    annotations: dict[str, str]
    prev: list[ResId] = field(default_factory=list)
    body: dict[str, object] | None = (
        None  # the manifest (or generated data) as read: where field values come from
    )
    patched: bool = (
        False  # a patch touched it, so fields other than its name and namespace may differ from `body`
    )
    uncertain: str = ""  # why its name or namespace cannot be known (a rename whose value the analysis lacks)

    @property
    def org(self) -> ResId:
        return self.prev[0] if self.prev else self.id

    def all_ids(self) -> list[ResId]:
        return [*self.prev, self.id]

    def rename(self, new: ResId) -> None:
        if new != self.id:
            self.prev.append(self.id)
            self.id = new


class Accumulator:
    """The resources one kustomization has gathered so far, indexed by the equality key of the current id
    and of every id each has had (kept, not recomputed, so a tree with thousands of generators stays linear)."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self._index: dict[tuple[str, ...], list[Item]] | None = {}
        self._any_index: dict[tuple[str, ...], list[Item]] | None = {}
        self.incomplete: list[str] = []  # remote entries skipped at or below this kustomization

    def _by_key(self) -> dict[tuple[str, ...], list[Item]]:
        if self._index is None:
            self._index = {}
            for item in self.items:
                self._index.setdefault(item.id.key, []).append(item)
        return self._index

    def _by_any_key(self) -> dict[tuple[str, ...], list[Item]]:
        if self._any_index is None:
            self._any_index = {}
            for item in self.items:
                self._index_any(self._any_index, item)
        return self._any_index

    @staticmethod
    def _index_any(index: dict[tuple[str, ...], list[Item]], item: Item) -> None:
        for key in dict.fromkeys(i.key for i in item.all_ids()):
            index.setdefault(key, []).append(item)

    def matching(self, rid: ResId) -> list[Item]:
        return list(self._by_key().get(rid.key, ()))

    def matching_any(self, rid: ResId) -> list[Item]:
        """Items whose current or any earlier id equals `rid` (resmap GetMatchingResourcesByAnyId)."""
        return list(self._by_any_key().get(rid.key, ()))

    def add(self, item: Item) -> None:
        self.items.append(item)
        self._by_key().setdefault(item.id.key, []).append(item)
        self._index_any(self._by_any_key(), item)

    def remove(self, doomed: Iterable[Item]) -> None:
        gone = {id(i) for i in doomed}
        self.items = [i for i in self.items if id(i) not in gone]
        self.changed()

    def changed(self) -> None:
        self._index = None
        self._any_index = None


@dataclass(eq=False)
class Collision:
    seq: int
    id: ResId
    met_at: str
    message: str
    members: list[Item]
    uids: set[int] = field(default_factory=set)  # of the members: membership without a scan

    def join(self, item: Item) -> None:
        if item.uid not in self.uids:
            self.uids.add(item.uid)
            self.members.append(item)


class Ledger:
    """One analysis run's findings and counters; every step of the walk reports into it."""

    def __init__(self, root: Path, files_outside_root: bool, remotes: RemoteMap | None = None) -> None:
        self.root = root
        self.files_outside_root = files_outside_root
        self.remotes = remotes or RemoteMap()
        self.uids = itertools.count(1)
        self.seq = itertools.count(1)
        self.collisions: list[Collision] = []
        self.collision_of: dict[int, Collision] = {}
        self.errors: list[tuple[int, Problem]] = []
        self.skipped: list[Skipped] = []
        self.notes: list[str] = []
        # vars, bound where declared and resolved at the top: name -> (bound item, its field path, why unbound)
        self.vars: dict[str, tuple[Item | None, str, str]] = {}
        self.var_references: set[tuple[str, str]] = (
            set()
        )  # (kind or "", metadata.name/namespace) vars may set

    def rel(self, path: Path) -> str:
        """A path as the report names it: relative to the root, or as the remote a mapped checkout stands for."""
        if self.remotes.mappings and (remote := self.remotes.display(path)) is not None:
            return remote
        relative = os.path.relpath(path, self.root)
        return Path(relative).as_posix()

    def error(self, message: str, kdir: Path, chain: tuple[str, ...]) -> None:
        self.errors.append((next(self.seq), Problem(message=message, directory=self.rel(kdir), chain=chain)))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def skip(
        self, entry: str, kdir: Path, field_name: str, reason: str, acc: Accumulator | None = None
    ) -> None:
        """An entry not followed; `acc` (the kustomization it belongs to) then holds less than kustomize's would."""
        if acc is not None:
            acc.incomplete.append(entry)
        self.skipped.append(
            Skipped(entry=entry, referenced_from=self.rel(kdir), field=field_name, reason=reason)
        )

    def collide(self, members: list[Item], rid: ResId, met_at: str, message: str) -> None:
        """Record that `members` share one id; copies already known to collide join their existing record."""
        known = list(
            {id(c): c for c in (self.collision_of.get(m.uid) for m in members) if c is not None}.values()
        )
        if known:
            target = min(known, key=lambda c: c.seq)
            for other in known:
                if other is not target:
                    for m in other.members:
                        target.join(m)
                    self.collision_of.update({m.uid: target for m in other.members})
                    self.collisions.remove(other)
        else:
            target = Collision(seq=next(self.seq), id=rid, met_at=met_at, message=message, members=[])
            self.collisions.append(target)
        for m in members:
            target.join(m)
            self.collision_of[m.uid] = target

    def one_resource(self, items: list[Item]) -> bool:
        """True when `items` are one resource: a single copy, or copies already reported as one duplicate.

        (kustomize would have stopped at that duplicate; counting its copies again would only add noise.)
        """
        if len(items) <= 1:
            return bool(items)
        known = self.collision_of.get(items[0].uid)
        return known is not None and known.uids.issuperset(map(_UID, items))

    def representatives(self, items: list[Item]) -> list[Item]:
        """`items`, or one of them when all are already one duplicate: what `collide` needs to see, so that a
        thousand copies of one id cost a thousand steps, not a million."""
        return items[:1] if self.one_resource(items) else items

    def append(self, acc: Accumulator, item: Item, met_at: str) -> None:
        """resmap.Append: an id already present is the famous failure."""
        existing = acc.matching(item.id)
        if existing:
            message = f"may not add resource with an already registered id: {item.id}"
            self.collide([*self.representatives(existing), item], item.id, met_at, message)
        acc.add(item)
