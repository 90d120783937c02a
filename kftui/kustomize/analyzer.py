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

This module is the walk (resources, bases, components, in kustomize's order) and the entry point. The steps
it takes at each kustomization live beside it: loader (files and their documents), generators, transformers,
patches, selector (which resources a patch target selects), ledger (the copies, accumulators and findings).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kftui.kustomize.causes import root_causes
from kftui.kustomize.generators import run_generators
from kftui.kustomize.ledger import Accumulator, Chain, Collision, Ledger, entries_of
from kftui.kustomize.loader import (
    EXPLICIT_SCHEMES,
    KUSTOMIZATION_FILE_NAMES,
    as_list,
    find_kustomization,
    invalid_kustomization,
    is_dir,
    is_file,
    is_remote,
    items_from_docs,
    load_docs,
)
from kftui.kustomize.remotes import RemoteMap, repository_of
from kftui.kustomize.renames import declare_vars, resolve_vars
from kftui.kustomize.report import ConflictReport, ConflictsError, Duplicate, IncludeChain
from kftui.kustomize.transformers import run_transformers


def _build(run: Ledger, kdir: Path, chain: tuple[str, ...], referrers: tuple[Path, ...]) -> Accumulator:
    """A Kustomization built on its own, as kustomize does for every `resources` directory."""
    acc = Accumulator()
    _accumulate(run, kdir, chain, referrers, acc, component=False)
    return acc


def _accumulate(
    run: Ledger,
    kdir: Path,
    chain: tuple[str, ...],
    referrers: tuple[Path, ...],
    acc: Accumulator,
    component: bool,
) -> None:
    kfile = find_kustomization(run, kdir, chain)
    if kfile is None:
        return
    docs = load_docs(run, kfile, kdir, chain)
    if docs is None:
        return
    if len(docs) != 1 or not isinstance(docs[0], dict):
        run.error(f"{run.rel(kfile)} must hold exactly one mapping", kdir, chain)
        return
    k: dict[str, Any] = docs[0]
    kind = str(k.get("kind") or "Kustomization")
    here = chain[-1]
    if problem := invalid_kustomization(k, kind):
        run.error(f"{run.rel(kfile)}: {problem}", kdir, chain)
        return
    if component and kind != "Component":
        run.error(f"expected kind 'Component' for path '{here}' but got '{kind}'", kdir, chain)
        return
    if not component and kind == "Component":
        run.error(f"expected kind != 'Component' for path '{here}'", kdir, chain)
        return

    for field_name in ("resources", "bases", "components"):
        if any(not isinstance(e, str) for e in as_list(k.get(field_name))):
            run.error(
                f"invalid Kustomization in {here}: every {field_name} entry must be a string", kdir, chain
            )
            return
    for entry in [*as_list(k.get("resources")), *as_list(k.get("bases"))]:
        _accumulate_entry(run, entry, kdir, chain, referrers, acc)

    run_generators(run, k, kfile, kdir, chain, acc)

    for entry in as_list(k.get("components")):
        target = Path(os.path.normpath(kdir / entry))
        if entry.startswith(EXPLICIT_SCHEMES) or (is_remote(entry) and not is_dir(target)):
            mapped = run.remotes.resolve(entry)
            if mapped is None:
                run.skip(entry, kdir, "components", "remote component: not fetched", acc)
                continue
            target = mapped
        if not is_dir(target):
            run.error(f"component '{entry}' in {here} is not a directory", kdir, chain)
            continue
        if _is_cycle(run, target, referrers, entry, kdir, chain):
            continue
        _accumulate(run, target, _then(run, chain, target, entry), (*referrers, target.resolve()), acc, True)

    run_transformers(run, k, kfile, kdir, chain, acc)
    declare_vars(run, k, kdir, chain, acc)


def _then(run: Ledger, chain: tuple[str, ...], target: Path, entry: str) -> Chain:
    """The chain one step further down: the directory, and the entry as its kustomization spells it."""
    base = chain if isinstance(chain, Chain) else Chain(chain, chain)
    return base.then(run.rel(target), entry)


def _is_cycle(
    run: Ledger, target: Path, referrers: tuple[Path, ...], entry: str, kdir: Path, chain: tuple[str, ...]
) -> bool:
    """kustomize refuses a directory equal to, or above, any directory on the current include chain."""
    resolved = target.resolve()
    for visited in referrers:
        if visited == resolved or resolved in visited.parents:
            run.error(
                f"cycle detected: '{entry}' in {chain[-1]} contains visited root '{run.rel(visited)}'",
                kdir,
                chain,
            )
            return True
    return False


def _accumulate_entry(
    run: Ledger, entry: str, kdir: Path, chain: tuple[str, ...], referrers: tuple[Path, ...], acc: Accumulator
) -> None:
    here = chain[-1]
    target = Path(os.path.normpath(kdir / entry))
    # An explicit URL scheme is never a local path; other remote spellings are, when such a path exists.
    if entry.startswith(EXPLICIT_SCHEMES) or (
        is_remote(entry) and not is_file(target) and not is_dir(target)
    ):
        mapped = run.remotes.resolve(entry)
        if mapped is None:
            run.skip(entry, kdir, "resources", "remote resource: not fetched", acc)
            return
        if not is_file(mapped) and not is_dir(mapped):
            run.error(f"remote '{entry}' in {here} maps to {mapped}, which does not exist", kdir, chain)
            return
        target = mapped
    if is_file(target):
        if (
            not run.files_outside_root
            and kdir.resolve() not in target.resolve().parents
            and run.remotes.resolve(entry) is None
        ):
            run.error(f"security; file '{entry}' listed in {here} is not in or below '{here}'", kdir, chain)
            return
        docs = load_docs(run, target, kdir, chain)
        if docs is None:
            return
        # A file becomes a resource map of its own first, so duplicates inside it fail before any
        # clash with what the kustomization already holds.
        own = Accumulator()
        for item in items_from_docs(run, docs, chain, run.rel(target), kdir):
            run.append(own, item, here)
        for item in own.items:
            run.append(acc, item, here)
        return
    if is_dir(target):
        if _is_cycle(run, target, referrers, entry, kdir, chain):
            return
        child = _build(run, target, _then(run, chain, target, entry), (*referrers, target.resolve()))
        acc.incomplete.extend(child.incomplete)
        for item in child.items:
            run.append(acc, item, here)
        return
    run.error(f"'{entry}' listed in {here} does not exist", kdir, chain)


def analyze(
    path: Path, *, files_outside_root: bool = False, remote_map: RemoteMap | None = None
) -> ConflictReport:
    """Statically resolve the kustomization at `path` and report every resource id brought in more than once.

    `files_outside_root` mirrors `--load-restrictor LoadRestrictionsNone` (which Argo CD users often set in
    `kustomize.buildOptions`): resource files may then live outside their kustomization's directory.
    `remote_map` maps remote bases to local checkouts; unmapped remote entries are skipped, with a note.
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
    if not is_dir(path):
        raise ConflictsError(f"{path}: not a directory (give the directory that holds kustomization.yaml)")
    if not any(is_file(path / n) for n in KUSTOMIZATION_FILE_NAMES):
        raise ConflictsError(f"{path}: no kustomization.yaml, kustomization.yml or Kustomization here")
    root = Path(os.path.abspath(path))
    run = Ledger(root, files_outside_root, remote_map)
    top = _build(run, root, Chain((".",), (".",)), (root.resolve(),))
    resolve_vars(run, top)
    remote = [s for s in run.skipped if s.reason.startswith("remote")]
    if remote:
        run.note(
            f"{len(remote)} remote entr{'y was' if len(remote) == 1 else 'ies were'} not fetched; to analyse "
            f"{'it' if len(remote) == 1 else 'them'} offline, map each repository to a local checkout: "
            f"--remote-map {repository_of(remote[0].entry)}=DIR (add ?ref=X to the URL to map one ref only)"
        )

    def duplicate(c: Collision) -> Duplicate:
        return Duplicate(
            id=c.id,
            met_at=c.met_at,
            message=c.message,
            chains=tuple(
                IncludeChain(dirs=m.chain, file=m.file, entries=entries_of(m.chain)) for m in c.members
            ),
        )

    collisions = sorted(run.collisions, key=lambda c: c.seq)
    certain = [c for c in collisions if not any(m.uncertain for m in c.members)]
    duplicates = tuple(duplicate(c) for c in certain)
    events = [(c.seq, c.message) for c in certain] + [(s, p.message) for s, p in run.errors]
    return ConflictReport(
        root=str(root),
        duplicates=duplicates,
        skipped=tuple(run.skipped),
        errors=tuple(p for _, p in sorted(run.errors, key=lambda e: e[0])),
        notes=tuple(run.notes),
        first_failure=min(events)[1] if events else None,
        uncertain=tuple(duplicate(c) for c in collisions if c not in certain),
        causes=root_causes(duplicates),
    )


def chains_by_id(report: ConflictReport) -> dict[tuple[str, str | None, str], list[list[str]]]:
    """Include chains keyed by (kind, namespace or None, name), for attaching to a kustomize-duplicate-id finding."""
    result: dict[tuple[str, str | None, str], list[list[str]]] = {}
    for dup in report.duplicates:
        key = (dup.kind, dup.namespace, dup.name)
        result.setdefault(key, []).extend(list(c.dirs) for c in dup.chains)
    return result
