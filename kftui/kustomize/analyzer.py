"""Predict kustomize's duplicate-id failures by replaying its accumulation without running it.

kustomize builds a kustomization depth first (api/internal/target/kusttarget.go, accumulateTarget):

1. `resources` (and the deprecated `bases`, appended after them), in order. A file's documents are appended to
   the kustomization's accumulator; a directory is built completely on its own (its own transformers included)
   and then appended. Appending an id that is already there fails with
   `may not add resource with an already registered id: <id>` (resmap.Append).
2. generators (`configMapGenerator`, `secretGenerator`): with behavior `create`, an id that already exists
   fails with `... behavior must be merge or replace`; `merge`/`replace` need exactly one existing match.
3. `components`: a Component is not built on its own. Its resources are appended to the *parent's*
   accumulator and then its generators and transformers run over everything the parent has so far.
4. transformers, in kustomize's order: `patchesStrategicMerge`, then `patches` (a strategic-merge patch with
   `$patch: delete` removes its target; a JSON 6902 patch may rename), `namespace` (cluster-scoped kinds are left
   alone, a v1 Namespace object is renamed to it, and ids that become equal fail with `namespace transformation
   produces ID conflict`), `namePrefix` and `nameSuffix` (CRDs, APIServices and Namespaces keep their names),
   labels and annotations, and last the deprecated `patchesJson6902`.

Name hash suffixes are added only once, at the very top, after all accumulation, so generated ConfigMaps and
Secrets collide by their base names.

Where kustomize stops at the first failure, the analysis keeps going (every copy is kept) so one run names
every duplicate; `ConflictReport.first_failure` says where kustomize itself would stop.
"""

from __future__ import annotations

import itertools
import operator
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kftui import safeyaml
from kftui.kustomize.report import (
    ConflictReport,
    ConflictsError,
    Duplicate,
    IncludeChain,
    Problem,
    Skipped,
)
from kftui.kustomize.resid import ResId, split_api_version

_UID = operator.attrgetter("uid")
KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# The first six are explicit schemes; the rest only count when no local path of that name exists.
_REMOTE_PREFIXES = ("http://", "https://", "git@", "git::", "ssh://", "file://", "github.com/", "gitlab.com/")
_REMOTE_HINTS = re.compile(r"(\.git(/|$|\?)|\?ref=|//[^/]|^[\w.-]+\.(com|org|io|net)/)")
# Kinds whose names prefix/suffix leave alone (PrefixTransformer / SuffixTransformer skip lists).
_NAME_TRANSFORM_SKIPPED = (
    ("", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("", "Namespace"),
)


def is_remote(entry: str) -> bool:
    """True for entries kustomize would fetch (URLs, git specs, `github.com/org/repo/...`)."""
    return entry.startswith(_REMOTE_PREFIXES) or bool(_REMOTE_HINTS.search(entry))


@dataclass(eq=False)
class _Item:
    """One copy of one resource, as it travels up the tree; mutable because transformers rename it."""

    uid: int
    id: ResId
    chain: tuple[str, ...]
    file: str
    labels: dict[str, str]
    annotations: dict[str, str]
    prev: list[ResId] = field(default_factory=list)

    @property
    def org(self) -> ResId:
        return self.prev[0] if self.prev else self.id

    def all_ids(self) -> list[ResId]:
        return [*self.prev, self.id]

    def rename(self, new: ResId) -> None:
        if new != self.id:
            self.prev.append(self.id)
            self.id = new


class _Accumulator:
    """The resources one kustomization has gathered so far, indexed by the equality key of the current id
    and of every id each has had (kept, not recomputed, so a tree with thousands of generators stays linear)."""

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self._index: dict[tuple[str, ...], list[_Item]] | None = {}
        self._any_index: dict[tuple[str, ...], list[_Item]] | None = {}

    def _by_key(self) -> dict[tuple[str, ...], list[_Item]]:
        if self._index is None:
            self._index = {}
            for item in self.items:
                self._index.setdefault(item.id.key, []).append(item)
        return self._index

    def _by_any_key(self) -> dict[tuple[str, ...], list[_Item]]:
        if self._any_index is None:
            self._any_index = {}
            for item in self.items:
                self._index_any(self._any_index, item)
        return self._any_index

    @staticmethod
    def _index_any(index: dict[tuple[str, ...], list[_Item]], item: _Item) -> None:
        for key in dict.fromkeys(i.key for i in item.all_ids()):
            index.setdefault(key, []).append(item)

    def matching(self, rid: ResId) -> list[_Item]:
        return list(self._by_key().get(rid.key, ()))

    def matching_any(self, rid: ResId) -> list[_Item]:
        """Items whose current or any earlier id equals `rid` (resmap GetMatchingResourcesByAnyId)."""
        return list(self._by_any_key().get(rid.key, ()))

    def add(self, item: _Item) -> None:
        self.items.append(item)
        self._by_key().setdefault(item.id.key, []).append(item)
        self._index_any(self._by_any_key(), item)

    def remove(self, doomed: Iterable[_Item]) -> None:
        gone = {id(i) for i in doomed}
        self.items = [i for i in self.items if id(i) not in gone]
        self.changed()

    def changed(self) -> None:
        self._index = None
        self._any_index = None


@dataclass(eq=False)
class _Collision:
    seq: int
    id: ResId
    met_at: str
    message: str
    members: list[_Item]
    uids: set[int] = field(default_factory=set)  # of the members: membership without a scan

    def join(self, item: _Item) -> None:
        if item.uid not in self.uids:
            self.uids.add(item.uid)
            self.members.append(item)


def _as_str_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


class _Analysis:
    def __init__(self, root: Path, files_outside_root: bool) -> None:
        self.root = root
        self.files_outside_root = files_outside_root
        self.uids = itertools.count(1)
        self.seq = itertools.count(1)
        self.collisions: list[_Collision] = []
        self.collision_of: dict[int, _Collision] = {}
        self.errors: list[tuple[int, Problem]] = []
        self.skipped: list[Skipped] = []
        self.notes: list[str] = []

    # ---- bookkeeping -------------------------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        relative = os.path.relpath(path, self.root)
        return Path(relative).as_posix()

    def error(self, message: str, kdir: Path, chain: tuple[str, ...]) -> None:
        self.errors.append((next(self.seq), Problem(message=message, directory=self.rel(kdir), chain=chain)))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def skip(self, entry: str, kdir: Path, field_name: str, reason: str) -> None:
        self.skipped.append(
            Skipped(entry=entry, referenced_from=self.rel(kdir), field=field_name, reason=reason)
        )

    def collide(self, members: list[_Item], rid: ResId, met_at: str, message: str) -> None:
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
            target = _Collision(seq=next(self.seq), id=rid, met_at=met_at, message=message, members=[])
            self.collisions.append(target)
        for m in members:
            target.join(m)
            self.collision_of[m.uid] = target

    def one_resource(self, items: list[_Item]) -> bool:
        """True when `items` are one resource: a single copy, or copies already reported as one duplicate.

        (kustomize would have stopped at that duplicate; counting its copies again would only add noise.)
        """
        if len(items) <= 1:
            return bool(items)
        known = self.collision_of.get(items[0].uid)
        return known is not None and known.uids.issuperset(map(_UID, items))

    def representatives(self, items: list[_Item]) -> list[_Item]:
        """`items`, or one of them when all are already one duplicate: what `collide` needs to see, so that a
        thousand copies of one id cost a thousand steps, not a million."""
        return items[:1] if self.one_resource(items) else items

    def append(self, acc: _Accumulator, item: _Item, met_at: str) -> None:
        """resmap.Append: an id already present is the famous failure."""
        existing = acc.matching(item.id)
        if existing:
            message = f"may not add resource with an already registered id: {item.id}"
            self.collide([*self.representatives(existing), item], item.id, met_at, message)
        acc.add(item)

    # ---- reading files -----------------------------------------------------------------------------------

    def find_kustomization(self, kdir: Path, chain: tuple[str, ...]) -> Path | None:
        found = [kdir / n for n in KUSTOMIZATION_FILE_NAMES if _is_file(kdir / n)]
        if len(found) > 1:
            self.error(f"found multiple kustomization files under {self.rel(kdir)}", kdir, chain)
            return None
        if not found:
            names = ", ".join(f"'{n}'" for n in KUSTOMIZATION_FILE_NAMES)
            self.error(f"unable to find one of {names} in directory '{self.rel(kdir)}'", kdir, chain)
            return None
        return found[0]

    def load_docs(self, path: Path, kdir: Path, chain: tuple[str, ...]) -> list[Any] | None:
        """The documents of a file; None (and an error in the report) when it cannot be read or parsed.
        A file past safeyaml's bounds (an alias bomb, absurd nesting) ends the analysis: ConflictsError."""
        try:
            text = path.read_text(encoding="utf-8")
            return [d for d in safeyaml.load_all(text) if d is not None]
        except safeyaml.YamlLimitError as exc:
            raise ConflictsError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError, safeyaml.YamlError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.error(f"cannot read {self.rel(path)}: {first_line}", kdir, chain)
            return None

    def items_from_docs(
        self, docs: list[Any], chain: tuple[str, ...], source: str, kdir: Path
    ) -> Iterator[_Item]:
        for doc in docs:
            if not isinstance(doc, dict):
                self.error(f"{source}: a document is not a mapping", kdir, chain)
                continue
            kind = str(doc.get("kind") or "")
            if kind.endswith("List") and isinstance(doc.get("items"), list):
                yield from self.items_from_docs(doc["items"], chain, source, kdir)
                continue
            rid, meta = _doc_id(doc)
            if not rid.kind or not rid.name:
                self.error(
                    f"missing {'kind' if not rid.kind else 'metadata.name'} in an object in {source}",
                    kdir,
                    chain,
                )
                continue
            yield _Item(
                uid=next(self.uids),
                id=rid,
                chain=chain,
                file=source,
                labels=_as_str_map(meta.get("labels")),
                annotations=_as_str_map(meta.get("annotations")),
            )

    # ---- the walk ----------------------------------------------------------------------------------------

    def build(self, kdir: Path, chain: tuple[str, ...], referrers: tuple[Path, ...]) -> _Accumulator:
        """A Kustomization built on its own, as kustomize does for every `resources` directory."""
        acc = _Accumulator()
        self.accumulate(kdir, chain, referrers, acc, component=False)
        return acc

    def accumulate(
        self,
        kdir: Path,
        chain: tuple[str, ...],
        referrers: tuple[Path, ...],
        acc: _Accumulator,
        component: bool,
    ) -> None:
        kfile = self.find_kustomization(kdir, chain)
        if kfile is None:
            return
        docs = self.load_docs(kfile, kdir, chain)
        if docs is None:
            return
        if len(docs) != 1 or not isinstance(docs[0], dict):
            self.error(f"{self.rel(kfile)} must hold exactly one mapping", kdir, chain)
            return
        k: dict[str, Any] = docs[0]
        kind = str(k.get("kind") or "Kustomization")
        here = chain[-1]
        if problem := _invalid_kustomization(k, kind):
            self.error(f"{self.rel(kfile)}: {problem}", kdir, chain)
            return
        if component and kind != "Component":
            self.error(f"expected kind 'Component' for path '{here}' but got '{kind}'", kdir, chain)
            return
        if not component and kind == "Component":
            self.error(f"expected kind != 'Component' for path '{here}'", kdir, chain)
            return

        for field_name in ("resources", "bases", "components"):
            if any(not isinstance(e, str) for e in _as_list(k.get(field_name))):
                self.error(
                    f"invalid Kustomization in {here}: every {field_name} entry must be a string", kdir, chain
                )
                return
        for entry in [*_as_list(k.get("resources")), *_as_list(k.get("bases"))]:
            self.accumulate_entry(entry, kdir, chain, referrers, acc)

        self.run_generators(k, kfile, kdir, chain, acc)

        for entry in _as_list(k.get("components")):
            if is_remote(entry):
                self.skip(entry, kdir, "components", "remote component: not fetched")
                continue
            target = Path(os.path.normpath(kdir / entry))
            if not _is_dir(target):
                self.error(f"component '{entry}' in {here} is not a directory", kdir, chain)
                continue
            if self.is_cycle(target, referrers, entry, kdir, chain):
                continue
            self.accumulate(
                target, (*chain, self.rel(target)), (*referrers, target.resolve()), acc, component=True
            )

        self.run_transformers(k, kfile, kdir, chain, acc)

    def is_cycle(
        self, target: Path, referrers: tuple[Path, ...], entry: str, kdir: Path, chain: tuple[str, ...]
    ) -> bool:
        """kustomize refuses a directory equal to, or above, any directory on the current include chain."""
        resolved = target.resolve()
        for visited in referrers:
            if visited == resolved or resolved in visited.parents:
                self.error(
                    f"cycle detected: '{entry}' in {chain[-1]} contains visited root '{self.rel(visited)}'",
                    kdir,
                    chain,
                )
                return True
        return False

    def accumulate_entry(
        self, entry: str, kdir: Path, chain: tuple[str, ...], referrers: tuple[Path, ...], acc: _Accumulator
    ) -> None:
        here = chain[-1]
        target = Path(os.path.normpath(kdir / entry))
        if entry.startswith(_REMOTE_PREFIXES[:6]):  # an explicit URL scheme is never a local path
            self.skip(entry, kdir, "resources", "remote resource: not fetched")
            return
        if _is_file(target):
            if not self.files_outside_root and kdir.resolve() not in target.resolve().parents:
                self.error(
                    f"security; file '{entry}' listed in {here} is not in or below '{here}'", kdir, chain
                )
                return
            docs = self.load_docs(target, kdir, chain)
            if docs is None:
                return
            # A file becomes a resource map of its own first, so duplicates inside it fail before any
            # clash with what the kustomization already holds.
            own = _Accumulator()
            for item in self.items_from_docs(docs, chain, self.rel(target), kdir):
                self.append(own, item, here)
            for item in own.items:
                self.append(acc, item, here)
            return
        if _is_dir(target):
            if self.is_cycle(target, referrers, entry, kdir, chain):
                return
            child = self.build(target, (*chain, self.rel(target)), (*referrers, target.resolve()))
            for item in child.items:
                self.append(acc, item, here)
            return
        if is_remote(entry):
            self.skip(entry, kdir, "resources", "remote resource: not fetched")
            return
        self.error(f"'{entry}' listed in {here} does not exist", kdir, chain)

    # ---- generators ---------------------------------------------------------------------------------------

    def run_generators(
        self, k: dict[str, Any], kfile: Path, kdir: Path, chain: tuple[str, ...], acc: _Accumulator
    ) -> None:
        here = chain[-1]
        for field_name, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for args in _as_list(k.get(field_name)):
                if not isinstance(args, dict):
                    continue
                name = str(args.get("name") or "")
                # "unspecified" is kustomize's own word for the default, which behaves as create.
                behavior = str(args.get("behavior") or "unspecified")
                options: dict[str, Any] = args["options"] if isinstance(args.get("options"), dict) else {}
                item = _Item(
                    uid=next(self.uids),
                    id=ResId("", "v1", kind, name, str(args.get("namespace") or "")),
                    chain=chain,
                    file=f"{self.rel(kfile)}#{field_name}:{name}",
                    labels=_as_str_map(options.get("labels")),
                    annotations=_as_str_map(options.get("annotations")),
                )
                self.absorb(acc, item, behavior, here, kdir, chain)
        for field_name in ("generators", "helmCharts", "helmChartInflationGenerator"):
            for entry in _as_list(k.get(field_name)):
                label = str(entry.get("name", "?")) if isinstance(entry, dict) else str(entry)
                self.skip(label, kdir, field_name, "generator output is not modelled")

    def absorb(
        self, acc: _Accumulator, item: _Item, behavior: str, here: str, kdir: Path, chain: tuple[str, ...]
    ) -> None:
        """resmap.AbsorbAll for one generated resource."""
        matches = acc.matching_any(item.id)
        if not matches:
            if behavior in ("merge", "replace"):
                self.error(f"id {item.id} does not exist; cannot {behavior} ({item.file})", kdir, chain)
                return
            self.append(acc, item, here)
            return
        if not self.one_resource(matches):
            self.error(
                f"found multiple objects that could accept merge of {item.id} ({item.file})", kdir, chain
            )
            return
        if behavior in ("merge", "replace"):
            return  # the existing resource keeps its id and its place
        message = (
            f"id {item.id} exists; can not use behavior: '{behavior}', behavior must be merge or replace"
        )
        self.collide([*self.representatives(matches), item], item.id, here, message)
        acc.add(item)

    # ---- transformers -------------------------------------------------------------------------------------

    def run_transformers(
        self, k: dict[str, Any], kfile: Path, kdir: Path, chain: tuple[str, ...], acc: _Accumulator
    ) -> None:
        for entry in _as_list(k.get("patchesStrategicMerge")):
            docs = self.patch_docs(str(entry), None, kdir, chain)
            if docs is not None:
                self.apply_patch(docs, None, kdir, chain, acc)
        for entry in _as_list(k.get("patches")):
            if not isinstance(entry, dict):
                continue
            target = entry.get("target") if isinstance(entry.get("target"), dict) else None
            docs = self.patch_docs(entry.get("path"), entry.get("patch"), kdir, chain)
            if docs is not None:
                self.apply_patch(docs, target, kdir, chain, acc)

        namespace = str(k.get("namespace") or "")
        if namespace:
            self.set_namespace(namespace, chain, acc)
        prefix, suffix = str(k.get("namePrefix") or ""), str(k.get("nameSuffix") or "")
        if prefix or suffix:
            for item in acc.items:
                if any(
                    item.org.kind == kind and group in ("", item.org.group)
                    for group, kind in _NAME_TRANSFORM_SKIPPED
                ):
                    continue
                item.rename(item.id.with_name(prefix + item.id.name + suffix))
            acc.changed()

        labels = _as_str_map(k.get("commonLabels"))
        for entry in _as_list(k.get("labels")):
            if isinstance(entry, dict):
                labels.update(_as_str_map(entry.get("pairs")))
        annotations = _as_str_map(k.get("commonAnnotations"))
        for item in acc.items:
            item.labels.update(labels)
            item.annotations.update(annotations)

        # The deprecated patchesJson6902 has its own transformer, which runs after names and labels change.
        for entry in _as_list(k.get("patchesJson6902")):
            if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
                continue
            docs = self.patch_docs(entry.get("path"), entry.get("patch"), kdir, chain)
            if docs is not None:
                self.apply_patch(docs, entry["target"], kdir, chain, acc)

        for field_name in ("transformers", "replacements", "vars"):
            if k.get(field_name):
                self.note(
                    f"{field_name} are not modelled (they could rename resources); first seen in {chain[-1]}"
                )
        if k.get("openapi"):
            self.note(f"a custom openapi schema in {chain[-1]} may change which kinds are cluster-scoped")

    def patch_docs(
        self, path: object, inline: object, kdir: Path, chain: tuple[str, ...]
    ) -> list[Any] | None:
        """The documents of one patch: a file next to the kustomization, or inline YAML/JSON text."""
        text: str | None = None
        if isinstance(inline, str):
            text = inline
        elif isinstance(path, str):
            candidate = kdir / path
            if _is_file(candidate):
                return self.load_docs(candidate, kdir, chain)
            if "\n" in path or ":" in path:
                text = path  # patchesStrategicMerge also accepts inline patches
            elif is_remote(path):
                self.skip(path, kdir, "patches", "remote patch: not fetched")
                return None
            else:
                self.error(f"patch file '{path}' listed in {chain[-1]} does not exist", kdir, chain)
                return None
        if text is None:
            return None
        try:
            return [d for d in safeyaml.load_all(text) if d is not None]
        except safeyaml.YamlLimitError as exc:
            raise ConflictsError(f"{kdir}: inline patch: {exc}") from None
        except safeyaml.YamlError as exc:
            self.error(f"malformed inline patch in {chain[-1]}: {exc}", kdir, chain)
            return None

    def select(self, acc: _Accumulator, target: dict[str, Any]) -> list[_Item]:
        """Items a patch `target` selects (types.Selector: anchored regexes, original or current name/namespace)."""

        def matches(pattern: object, *values: str) -> bool:
            if pattern in (None, ""):
                return True
            try:
                return any(re.fullmatch(str(pattern), v) is not None for v in values)
            except re.error:
                return False

        chosen = []
        for item in acc.items:
            cur, org = item.id, item.org
            if not matches(target.get("namespace"), org.effective_namespace, cur.effective_namespace):
                continue
            if not matches(target.get("name"), org.name, cur.name):
                continue
            if not (matches(target.get("group"), cur.group) and matches(target.get("version"), cur.version)):
                continue
            if not matches(target.get("kind"), cur.kind):
                continue
            if not _selector_matches(target.get("labelSelector"), item.labels):
                continue
            if not _selector_matches(target.get("annotationSelector"), item.annotations):
                continue
            chosen.append(item)
        return chosen

    def apply_patch(
        self,
        docs: list[Any],
        target: dict[str, Any] | None,
        kdir: Path,
        chain: tuple[str, ...],
        acc: _Accumulator,
    ) -> None:
        here = chain[-1]
        if docs and isinstance(docs[0], list):
            if target is None:
                self.error(f"a JSON 6902 patch in {here} has no target", kdir, chain)
                return
            self.apply_json6902(docs[0], self.select(acc, target), acc)
            return
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            pid, _ = _doc_id(doc)
            if not pid.kind or not pid.name:
                # kustomize parses a strategic-merge patch as an object: a bare `$patch: delete` is refused.
                self.error(
                    f"unable to parse SM or JSON patch in {here}: it needs kind and metadata.name",
                    kdir,
                    chain,
                )
                continue
            deletes = doc.get("$patch") == "delete"
            if target is not None:
                if len(docs) > 1:
                    self.error(
                        f"multiple strategic-merge patches in one `patches` entry of {here} cannot share a target",
                        kdir,
                        chain,
                    )
                    return
                if deletes:
                    acc.remove(self.select(acc, target))
                continue
            found = acc.matching_any(pid)
            if not self.one_resource(found):
                problem = "no resource matches" if not found else "more than one resource matches"
                message = f"{problem} strategic merge patch {pid} in {here}"
                if self.skipped:
                    self.note(message + " (perhaps a skipped remote base defines it)")
                else:
                    self.error(message, kdir, chain)
                continue
            if deletes:
                acc.remove(found)

    def apply_json6902(self, ops: list[Any], selected: list[_Item], acc: _Accumulator) -> None:
        """Only the operations that change an id matter here: replace/add of metadata.name or namespace."""
        for op in ops:
            if not isinstance(op, dict) or op.get("op") not in ("replace", "add"):
                continue
            value = str(op.get("value") or "")
            for item in selected:
                if op.get("path") == "/metadata/name":
                    item.rename(item.id.with_name(value))
                elif op.get("path") == "/metadata/namespace":
                    item.rename(item.id.with_namespace(value))
        acc.changed()

    def set_namespace(self, namespace: str, chain: tuple[str, ...], acc: _Accumulator) -> None:
        for item in acc.items:
            if not item.id.cluster_scoped:
                item.rename(item.id.with_namespace(namespace))
            elif item.id.kind == "Namespace" and item.id.api_version == "v1":
                # kustomize's namespace field specs include `metadata/name` of v1 Namespace objects.
                item.rename(item.id.with_name(namespace))
        acc.changed()
        groups: dict[tuple[str, ...], list[_Item]] = {}
        for item in acc.items:
            groups.setdefault(item.id.key, []).append(item)
        for members in groups.values():
            if len({self.collision_of.get(m.uid, m.uid) for m in members}) > 1:
                rid = members[-1].id
                self.collide(members, rid, chain[-1], f"namespace transformation produces ID conflict: {rid}")


_KUSTOMIZATION_API_VERSIONS = {
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}


def _invalid_kustomization(k: dict[str, Any], kind: str) -> str | None:
    """What kustomize's Load refuses before building anything (types.Kustomization CheckEmpty, EnforceFields)."""
    if kind not in _KUSTOMIZATION_API_VERSIONS:
        return "kind should be Kustomization or Component"
    api_version = k.get("apiVersion")
    if api_version and api_version != _KUSTOMIZATION_API_VERSIONS[kind]:
        return f"apiVersion for {kind} should be {_KUSTOMIZATION_API_VERSIONS[kind]}"
    if all(v is None for key, v in k.items() if key not in ("apiVersion", "kind")):
        return "kustomization.yaml is empty"
    return None


def _doc_id(doc: dict[Any, Any]) -> tuple[ResId, dict[Any, Any]]:
    """A manifest's id and its metadata mapping."""
    group, version = split_api_version(str(doc.get("apiVersion") or ""))
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    rid = ResId(
        group,
        version,
        str(doc.get("kind") or ""),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )
    return rid, meta


_SELECTOR_TERM = re.compile(r"\s*([^,(]+(?:\([^)]*\))?)\s*(?:,|$)")
_SET_TERM = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")


def _selector_matches(selector: object, values: dict[str, str]) -> bool:
    """Kubernetes label-selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`."""
    if not isinstance(selector, str) or not selector.strip():
        return True
    for term in (t.strip() for t in _SELECTOR_TERM.findall(selector)):
        if m := _SET_TERM.match(term):
            key, op, options = m.group(1), m.group(2), {o.strip() for o in m.group(3).split(",")}
            if (op == "in") != (values.get(key) in options):
                return False
        elif "!=" in term:
            key, _, want = term.partition("!=")
            if values.get(key.strip()) == want.strip():
                return False
        elif "=" in term:
            key, _, want = term.replace("==", "=").partition("=")
            if values.get(key.strip()) != want.strip():
                return False
        elif term.startswith("!"):
            if term[1:].strip() in values:
                return False
        elif term not in values:
            return False
    return True


def _is_file(path: Path) -> bool:
    """Path.is_file that says no, rather than raising, for names the OS refuses (too long, say): the
    names come from the kustomization being analysed, which may be anything."""
    try:
        return path.is_file()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    """Path.is_dir, with the same tolerance as _is_file."""
    try:
        return path.is_dir()
    except OSError:
        return False


def analyze(path: Path, *, files_outside_root: bool = False) -> ConflictReport:
    """Statically resolve the kustomization at `path` and report every resource id brought in more than once.

    `files_outside_root` mirrors `--load-restrictor LoadRestrictionsNone` (which Argo CD users often set in
    `kustomize.buildOptions`): resource files may then live outside their kustomization's directory.
    Raises ConflictsError when there is nothing to analyze (PATH missing, not a directory, no kustomization);
    every other problem (missing entries, cycles, bad YAML) is reported in the result.
    """
    path = Path(path)
    try:
        exists = path.exists()
    except OSError as exc:  # a name the OS refuses (too long, say)
        raise ConflictsError(f"{path}: {exc.strerror or exc}") from None
    if not exists:
        raise ConflictsError(f"{path}: no such file or directory")
    if not _is_dir(path):
        raise ConflictsError(f"{path}: not a directory (give the directory that holds kustomization.yaml)")
    if not any(_is_file(path / n) for n in KUSTOMIZATION_FILE_NAMES):
        raise ConflictsError(f"{path}: no kustomization.yaml, kustomization.yml or Kustomization here")
    root = Path(os.path.abspath(path))
    run = _Analysis(root, files_outside_root)
    run.build(root, (".",), (root.resolve(),))

    duplicates = tuple(
        Duplicate(
            id=c.id,
            met_at=c.met_at,
            message=c.message,
            chains=tuple(IncludeChain(dirs=m.chain, file=m.file) for m in c.members),
        )
        for c in sorted(run.collisions, key=lambda c: c.seq)
    )
    events = [(c.seq, c.message) for c in run.collisions] + [(s, p.message) for s, p in run.errors]
    return ConflictReport(
        root=str(root),
        duplicates=duplicates,
        skipped=tuple(run.skipped),
        errors=tuple(p for _, p in sorted(run.errors, key=lambda e: e[0])),
        notes=tuple(run.notes),
        first_failure=min(events)[1] if events else None,
    )


def chains_by_id(report: ConflictReport) -> dict[tuple[str, str | None, str], list[list[str]]]:
    """Include chains keyed by (kind, namespace or None, name), for attaching to a kustomize-duplicate-id finding."""
    result: dict[tuple[str, str | None, str], list[list[str]]] = {}
    for dup in report.duplicates:
        key = (dup.kind, dup.namespace, dup.name)
        result.setdefault(key, []).extend(list(c.dirs) for c in dup.chains)
    return result
