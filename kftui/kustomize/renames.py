"""Replacements and legacy vars, as far as they rename resources (metadata.name, metadata.namespace).

`replacements` run last among a kustomization's built-in transformers (api/filters/replacement): the source is
selected by exact id fields among current and earlier ids, and must be exactly one resource; each target
`select`/`reject` matches the same way; a `delimiter` option splices the value into one part of the field.
`vars` are only resolved once, at the very top, after everything has accumulated (ResAccumulator.ResolveVars), and
only in fields a `varReference` configuration names; the top then rebuilds its resource map, so ids made equal by
vars fail there with `may not add resource with an already registered id`. An objref is bound where the var is
declared, by group, version, kind and name among current and earlier ids.

A value the analysis cannot know (a source it does not hold, a field a patch may have changed) makes the renamed
resources *uncertain*: they keep their old ids, marked, and a duplicate among them is reported as uncertain.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from kftui.kustomize.ledger import Accumulator, Item, Ledger
from kftui.kustomize.loader import as_list, load_docs
from kftui.kustomize.resid import ResId, split_api_version
from kftui.kustomize.selector import selector_matches
from kftui.wording import plural

ID_FIELDS = ("metadata.name", "metadata.namespace")
_VAR = re.compile(r"\$\(([^)]+)\)")


def _map(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _field(path: object) -> str:
    text = str(path or "metadata.name").strip()
    return text.removeprefix(".").replace("/", ".")


def _id_selected(rid: ResId, sel: dict[str, Any]) -> bool:
    """kyaml ResId.IsSelectedBy: every field the selector sets must be equal (namespaces compared effectively)."""
    for key, value in (
        ("group", rid.group),
        ("version", rid.version),
        ("kind", rid.kind),
        ("name", rid.name),
    ):
        want = sel.get(key)
        if want not in (None, "") and str(want) != value:
            return False
    ns = sel.get("namespace")
    return (
        ns in (None, "")
        or ResId(rid.group, rid.version, rid.kind, "", str(ns)).key[4] == rid.effective_namespace
    )


def _selected(item: Item, sel: dict[str, Any]) -> bool:
    return (
        any(_id_selected(rid, sel) for rid in item.all_ids())
        and selector_matches(sel.get("labelSelector"), item.labels)
        and selector_matches(sel.get("annotationSelector"), item.annotations)
    )


def _describe(sel: dict[str, Any]) -> str:
    return "/".join(str(sel.get(k)) for k in ("kind", "name", "namespace") if sel.get(k)) or "any resource"


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def field_value(item: Item, path: str) -> tuple[str | None, str, bool]:
    """(value, "", False) as kustomize would read `path` on `item` now; else (None, why, absent), `absent`
    when the field is certainly not there (kustomize then refuses), not just beyond what the analysis knows."""
    if path == "metadata.name":
        return item.id.name, "", False
    if path == "metadata.namespace":
        return (
            (item.id.namespace, "", False)
            if item.id.namespace
            else (None, f"{item.id} has no namespace", True)
        )
    parts = path.split(".")
    if parts[:2] in (["metadata", "labels"], ["metadata", "annotations"]) and len(parts) == 3:
        values = item.labels if parts[1] == "labels" else item.annotations
        return (
            (values[parts[2]], "", False) if parts[2] in values else (None, f"{item.id} has no {path}", True)
        )
    if item.patched or item.body is None or any(c in path for c in "[]*"):
        return (
            None,
            f"{path} of {item.id} may be changed by a patch or transformer the analysis does not apply",
            False,
        )
    node: object = item.body
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None, f"{item.id} has no {path}", True
    value = _scalar(node)
    return (value, "", False) if value is not None else (None, f"{path} of {item.id} is not a scalar", False)


def _source_value(
    run: Ledger, acc: Accumulator, source: dict[str, Any], kdir: Path, chain: tuple[str, ...]
) -> tuple[str | None, str]:
    matches = [i for i in acc.items if _selected(i, source)]
    what = _describe(source)
    if not matches:
        if acc.incomplete:
            return None, f"its source {what} may be in a skipped remote base ({acc.incomplete[0]})"
        run.error(f"nothing selected by {what} (replacement source in {chain[-1]})", kdir, chain)
        return None, ""
    if len(matches) > 1 and not run.one_resource(matches):
        run.error(
            f"found more than one resource matching replacement source {what} in {chain[-1]}", kdir, chain
        )
        return None, ""
    path = _field(source.get("fieldPath"))
    value, why, absent = field_value(matches[0], path)
    if absent:
        run.error(f"fieldPath `{path}` is missing for replacement source {matches[0].id}", kdir, chain)
        return None, ""
    options = _map(source.get("options"))
    if value is not None and options.get("delimiter"):
        pieces = value.split(str(options["delimiter"]))
        index = options.get("index") or 0
        if not isinstance(index, int) or not 0 <= index < len(pieces):
            return None, f"options.index {index} is out of bounds for {value!r}"
        value = pieces[index]
    return value, why


def _splice(current: str, value: str, options: dict[str, Any]) -> str:
    """setTargetValue: the whole field, or one `delimiter`-separated part of it (prefix/suffix when out of range)."""
    delimiter = str(options.get("delimiter") or "")
    if not delimiter:
        return value
    parts = current.split(delimiter)
    index = options["index"] if isinstance(options.get("index"), int) else 0
    if index < 0:
        parts = [value, delimiter.join(parts)]
    elif index >= len(parts):
        parts.append(value)
    else:
        parts[index] = value
    return delimiter.join(parts)


def replacements_of(
    run: Ledger, k: dict[str, Any], kdir: Path, chain: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Inline replacements and those read from `path:` files (one replacement or a list per document)."""
    found: list[dict[str, Any]] = []
    for entry in as_list(k.get("replacements")):
        if not isinstance(entry, dict):
            continue
        if "path" in entry and "source" not in entry:
            docs = (
                load_docs(run, kdir / str(entry["path"]), kdir, chain)
                if (kdir / str(entry["path"])).is_file()
                else None
            )
            if docs is None:
                run.error(f"replacements file '{entry['path']}' in {chain[-1]} cannot be read", kdir, chain)
                continue
            for doc in docs:
                found.extend(d for d in (doc if isinstance(doc, list) else [doc]) if isinstance(d, dict))
        else:
            found.append(entry)
    return found


def run_replacements(
    run: Ledger, k: dict[str, Any], kdir: Path, chain: tuple[str, ...], acc: Accumulator
) -> None:
    for r in replacements_of(run, k, kdir, chain):
        source = _map(r.get("source"))
        specs = [
            t for t in as_list(r.get("targets")) if isinstance(t, dict) and isinstance(t.get("select"), dict)
        ]
        chosen = [
            (spec, item)
            for spec in specs
            for item in acc.items
            if _selected(item, spec["select"])
            and not any(
                _selected(item, rj) for rj in as_list(spec.get("reject")) if isinstance(rj, dict) and rj
            )
        ]
        renaming = [
            (spec, item, path)
            for spec, item in chosen
            for path in [_field(p) for p in as_list(spec.get("fieldPaths")) or ["metadata.name"]]
            if path in ID_FIELDS
        ]
        for _, item in chosen:
            item.patched = True  # its other fields now differ from what was read
        # kustomize reads the source first, whether or not any target is selected.
        value, why = _source_value(run, acc, source, kdir, chain)
        if not renaming:
            continue
        if value is None:
            if why:
                mark_uncertain(run, [item for _, item, _ in renaming], f"replacement in {chain[-1]}: {why}")
            continue
        for spec, item, path in renaming:
            options = _map(spec.get("options"))
            if path == "metadata.name":
                item.rename(item.id.with_name(_splice(item.id.name, value, options)))
            elif item.id.namespace or options.get("create"):
                item.rename(item.id.with_namespace(_splice(item.id.namespace, value, options)))
            else:
                run.error(
                    f'unable to find field "metadata.namespace" in replacement target {item.id}', kdir, chain
                )
        acc.changed()


def mark_uncertain(run: Ledger, items: list[Item], reason: str) -> None:
    for item in items:
        item.uncertain = item.uncertain or reason
    ids = list(dict.fromkeys(str(i.id) for i in items))
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    run.note(f"{reason}; the name or namespace of {plural(len(ids), 'resource')} is uncertain: {shown}")


# ---- vars ----------------------------------------------------------------------------------------------------


def declare_vars(
    run: Ledger, k: dict[str, Any], kdir: Path, chain: tuple[str, ...], acc: Accumulator
) -> None:
    """ResAccumulator.MergeVars: bind each var to its objref here, and read the varReference configurations."""
    for entry in as_list(k.get("configurations")):
        path = kdir / str(entry)
        docs = load_docs(run, path, kdir, chain) if path.is_file() else None
        for doc in docs or []:
            for ref in as_list(doc.get("varReference") if isinstance(doc, dict) else None):
                if isinstance(ref, dict) and _field(ref.get("path")) in ID_FIELDS:
                    run.var_references.add((str(ref.get("kind") or ""), _field(ref.get("path"))))
    for var in as_list(k.get("vars")):
        if not isinstance(var, dict) or not var.get("name"):
            continue
        objref = _map(var.get("objref"))
        fieldref = _map(var.get("fieldref"))
        group, version = split_api_version(str(objref.get("apiVersion") or ""))
        want = ResId(
            group,
            version,
            str(objref.get("kind") or ""),
            str(objref.get("name") or ""),
            str(objref.get("namespace") or ""),
        )
        matched = [
            i
            for i in acc.items
            if any(
                (r.group, r.version, r.kind, r.name) == (want.group, want.version, want.kind, want.name)
                and ((not want.namespace and not want.cluster_scoped) or r.key == want.key)
                for r in i.all_ids()
            )
        ]
        bound = matched[0] if len(matched) == 1 or run.one_resource(matched) else None
        why = (
            ""
            if bound
            else f"its objref {want} is not in {chain[-1]}"
            + (f" (a skipped remote base may hold it: {acc.incomplete[0]})" if acc.incomplete else "")
        )
        run.vars[str(var["name"])] = (bound, _field(fieldref.get("fieldPath")), why)


def _var_value(run: Ledger, m: re.Match[str], *, unknown: list[str]) -> str:
    name = m.group(1)
    if name not in run.vars:
        return m.group(0)  # kustomize leaves an undeclared var as it is
    bound, field_path, why = run.vars[name]
    found, reason, _ = field_value(bound, field_path) if bound else (None, why, False)
    if found is None:
        unknown.append(f"var {name}: {reason}")
        return m.group(0)
    return found


def resolve_vars(run: Ledger, acc: Accumulator) -> None:
    """At the top: substitute `$(VAR)` in names and namespaces a varReference names, then check ids again."""
    if not run.var_references:
        return
    pending: dict[str, list[Item]] = {}
    for item in acc.items:
        for path in ID_FIELDS:
            if not any(path == p and kind in ("", item.id.kind) for kind, p in run.var_references):
                continue
            current = item.id.name if path == "metadata.name" else item.id.namespace
            unknown: list[str] = []
            new = _VAR.sub(functools.partial(_var_value, run, unknown=unknown), current)
            if unknown:
                pending.setdefault(unknown[0], []).append(item)
            elif new != current:
                item.rename(
                    item.id.with_name(new) if path == "metadata.name" else item.id.with_namespace(new)
                )
    for reason, items in pending.items():
        mark_uncertain(run, items, reason)
    acc.changed()
    groups: dict[tuple[str, ...], list[Item]] = {}
    for item in acc.items:
        groups.setdefault(item.id.key, []).append(item)
    for members in groups.values():
        if len(members) > 1 and not run.one_resource(members):
            rid = members[-1].id
            run.collide(members, rid, ".", f"may not add resource with an already registered id: {rid}")
