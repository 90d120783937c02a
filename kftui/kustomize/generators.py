"""configMapGenerator and secretGenerator: each generated resource absorbed into the accumulator as kustomize does.

A generator with behavior `create` (or none) adds a new resource, and an id already present fails with
`... behavior must be merge or replace`; `merge` and `replace` need exactly one existing match and leave it
where it is. Other generators (`generators`, `helmCharts`) produce output this analysis does not model: they are
listed as skipped.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from kftui.kustomize.ledger import Accumulator, Item, Ledger
from kftui.kustomize.loader import as_list, as_str_map
from kftui.kustomize.resid import ResId

_GENERATED_KINDS = (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret"))
_UNMODELLED = ("generators", "helmCharts", "helmChartInflationGenerator")


def run_generators(
    run: Ledger, k: dict[str, Any], kfile: Path, kdir: Path, chain: tuple[str, ...], acc: Accumulator
) -> None:
    here = chain[-1]
    kfile_name = run.rel(kfile)
    for field_name, kind in _GENERATED_KINDS:
        for args in as_list(k.get(field_name)):
            if not isinstance(args, dict):
                continue
            name = str(args.get("name") or "")
            # "unspecified" is kustomize's own word for the default, which behaves as create.
            behavior = str(args.get("behavior") or "unspecified")
            options: dict[str, Any] = args["options"] if isinstance(args.get("options"), dict) else {}
            item = Item(
                uid=next(run.uids),
                id=ResId("", "v1", kind, name, str(args.get("namespace") or "")),
                chain=chain,
                file=f"{kfile_name}#{field_name}:{name}",
                labels=as_str_map(options.get("labels")),
                annotations=as_str_map(options.get("annotations")),
                body=_generated_body(args, kdir, kind),
            )
            absorb(run, acc, item, behavior, here, kdir, chain)
    for field_name in _UNMODELLED:
        for entry in as_list(k.get(field_name)):
            label = str(entry.get("name", "?")) if isinstance(entry, dict) else str(entry)
            run.skip(label, kdir, field_name, "generator output is not modelled", acc)


def _generated_body(args: dict[str, Any], kdir: Path, kind: str) -> dict[str, object] | None:
    """The `data` a generator makes from literals and env files (None when it reads files: not modelled)."""
    if args.get("files"):
        return None
    data: dict[str, str] = {}
    envs = [*as_list(args.get("envs")), *([args["env"]] if isinstance(args.get("env"), str) else [])]
    lines: list[str] = []
    for env in envs:
        try:
            lines.extend((kdir / str(env)).read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError):
            return None
    lines.extend(str(x) for x in as_list(args.get("literals")))
    for line in lines:
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            data[key] = value.strip('"') if len(value) > 1 and value[0] == value[-1] == '"' else value
    if kind == "Secret":
        data = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    return {"data": data}


def absorb(
    run: Ledger, acc: Accumulator, item: Item, behavior: str, here: str, kdir: Path, chain: tuple[str, ...]
) -> None:
    """resmap.AbsorbAll for one generated resource."""
    matches = acc.matching_any(item.id)
    if not matches:
        if behavior in ("merge", "replace"):
            message = f"id {item.id} does not exist; cannot {behavior} ({item.file})"
            if acc.incomplete:
                run.note(f"{message}: perhaps the skipped remote base {acc.incomplete[0]} defines it")
            else:
                run.error(message, kdir, chain)
            return
        run.append(acc, item, here)
        return
    if not run.one_resource(matches):
        run.error(f"found multiple objects that could accept merge of {item.id} ({item.file})", kdir, chain)
        return
    if behavior in ("merge", "replace"):
        for existing in matches:
            existing.patched = True  # its data changed; its id and its place did not
        return
    message = f"id {item.id} exists; can not use behavior: '{behavior}', behavior must be merge or replace"
    run.collide([*run.representatives(matches), item], item.id, here, message)
    acc.add(item)
