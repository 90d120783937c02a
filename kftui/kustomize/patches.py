"""Patches: reading a patch (file or inline), and what it does to ids: a delete removes, a JSON 6902 op renames.

Only the effects that change which ids exist are modelled: `$patch: delete` in a strategic-merge patch, and
JSON 6902 `replace`/`add` of metadata.name or metadata.namespace. Any other patch content leaves ids alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kftui import safeyaml
from kftui.kustomize.ledger import Accumulator, Item, Ledger
from kftui.kustomize.loader import doc_id, is_file, is_remote, load_docs
from kftui.kustomize.report import ConflictsError
from kftui.kustomize.selector import select


def patch_docs(
    run: Ledger, path: object, inline: object, kdir: Path, chain: tuple[str, ...]
) -> list[Any] | None:
    """The documents of one patch: a file next to the kustomization, or inline YAML/JSON text."""
    text: str | None = None
    if isinstance(inline, str):
        text = inline
    elif isinstance(path, str):
        candidate = kdir / path
        if is_file(candidate):
            return load_docs(run, candidate, kdir, chain)
        if "\n" in path or ":" in path:
            text = path  # patchesStrategicMerge also accepts inline patches
        elif is_remote(path):
            run.skip(path, kdir, "patches", "remote patch: not fetched")
            return None
        else:
            run.error(f"patch file '{path}' listed in {chain[-1]} does not exist", kdir, chain)
            return None
    if text is None:
        return None
    try:
        return [d for d in safeyaml.load_all(text) if d is not None]
    except safeyaml.YamlLimitError as exc:
        raise ConflictsError(f"{kdir}: inline patch: {exc}") from None
    except safeyaml.YamlError as exc:
        run.error(f"malformed inline patch in {chain[-1]}: {exc}", kdir, chain)
        return None


def apply_patch(
    run: Ledger,
    docs: list[Any],
    target: dict[str, Any] | None,
    kdir: Path,
    chain: tuple[str, ...],
    acc: Accumulator,
) -> None:
    here = chain[-1]
    if docs and isinstance(docs[0], list):
        if target is None:
            run.error(f"a JSON 6902 patch in {here} has no target", kdir, chain)
            return
        apply_json6902(docs[0], select(acc, target), acc)
        return
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        pid, _ = doc_id(doc)
        if not pid.kind or not pid.name:
            # kustomize parses a strategic-merge patch as an object: a bare `$patch: delete` is refused.
            run.error(
                f"unable to parse SM or JSON patch in {here}: it needs kind and metadata.name",
                kdir,
                chain,
            )
            continue
        deletes = doc.get("$patch") == "delete"
        if target is not None:
            if len(docs) > 1:
                run.error(
                    f"multiple strategic-merge patches in one `patches` entry of {here} cannot share a target",
                    kdir,
                    chain,
                )
                return
            chosen = select(acc, target)
            for item in chosen:
                item.patched = True
            if deletes:
                acc.remove(chosen)
            continue
        found = acc.matching_any(pid)
        if not run.one_resource(found):
            problem = "no resource matches" if not found else "more than one resource matches"
            message = f"{problem} strategic merge patch {pid} in {here}"
            if acc.incomplete:
                run.note(f"{message} (perhaps the skipped remote base {acc.incomplete[0]} defines it)")
            else:
                run.error(message, kdir, chain)
            continue
        for item in found:
            item.patched = True
        if deletes:
            acc.remove(found)


def apply_json6902(ops: list[Any], selected: list[Item], acc: Accumulator) -> None:
    """Only the operations that change an id matter here: replace/add of metadata.name or namespace."""
    for item in selected:
        item.patched = True
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
