"""configMapGenerator and secretGenerator: each generated resource absorbed into the accumulator as kustomize does.

A generator with behavior `create` (or none) adds a new resource, and an id already present fails with
`... behavior must be merge or replace`; `merge` and `replace` need exactly one existing match and leave it
where it is. Other generators (`generators`, `helmCharts`) produce output this analysis does not model: they are
listed as skipped.
"""

from __future__ import annotations

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
                file=f"{run.rel(kfile)}#{field_name}:{name}",
                labels=as_str_map(options.get("labels")),
                annotations=as_str_map(options.get("annotations")),
            )
            absorb(run, acc, item, behavior, here, kdir, chain)
    for field_name in _UNMODELLED:
        for entry in as_list(k.get(field_name)):
            label = str(entry.get("name", "?")) if isinstance(entry, dict) else str(entry)
            run.skip(label, kdir, field_name, "generator output is not modelled")


def absorb(
    run: Ledger, acc: Accumulator, item: Item, behavior: str, here: str, kdir: Path, chain: tuple[str, ...]
) -> None:
    """resmap.AbsorbAll for one generated resource."""
    matches = acc.matching_any(item.id)
    if not matches:
        if behavior in ("merge", "replace"):
            run.error(f"id {item.id} does not exist; cannot {behavior} ({item.file})", kdir, chain)
            return
        run.append(acc, item, here)
        return
    if not run.one_resource(matches):
        run.error(f"found multiple objects that could accept merge of {item.id} ({item.file})", kdir, chain)
        return
    if behavior in ("merge", "replace"):
        return  # the existing resource keeps its id and its place
    message = f"id {item.id} exists; can not use behavior: '{behavior}', behavior must be merge or replace"
    run.collide([*run.representatives(matches), item], item.id, here, message)
    acc.add(item)
