"""Transformers, in kustomize's order: patches, namespace, name prefix and suffix, labels, patchesJson6902.

The namespace transformer leaves cluster-scoped kinds alone, renames a v1 Namespace object to the namespace, and
fails with `namespace transformation produces ID conflict` when ids become equal. Prefix and suffix leave CRDs,
APIServices and Namespaces alone. `replacements` run last (renames.py). Transformers this analysis does not model
(`transformers`, a custom openapi schema) leave a note, since they could rename resources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kftui.kustomize.ledger import Accumulator, Item, Ledger
from kftui.kustomize.loader import as_list, as_str_map
from kftui.kustomize.patches import apply_patch, patch_docs
from kftui.kustomize.renames import run_replacements

# Kinds whose names prefix/suffix leave alone (PrefixTransformer / SuffixTransformer skip lists).
_NAME_TRANSFORM_SKIPPED = (
    ("", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("", "Namespace"),
)

# Transformers that change fields besides names and namespaces (labels reach selectors and templates too).
_FIELD_CHANGERS = ("commonLabels", "labels", "commonAnnotations", "images", "replicas", "transformers")


def run_transformers(
    run: Ledger, k: dict[str, Any], kfile: Path, kdir: Path, chain: tuple[str, ...], acc: Accumulator
) -> None:
    for entry in as_list(k.get("patchesStrategicMerge")):
        docs = patch_docs(run, str(entry), None, kdir, chain)
        if docs is not None:
            apply_patch(run, docs, None, kdir, chain, acc)
    for entry in as_list(k.get("patches")):
        if not isinstance(entry, dict):
            continue
        target = entry.get("target") if isinstance(entry.get("target"), dict) else None
        docs = patch_docs(run, entry.get("path"), entry.get("patch"), kdir, chain)
        if docs is not None:
            apply_patch(run, docs, target, kdir, chain, acc)

    namespace = str(k.get("namespace") or "")
    if namespace:
        set_namespace(run, namespace, chain, acc)
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

    labels = as_str_map(k.get("commonLabels"))
    for entry in as_list(k.get("labels")):
        if isinstance(entry, dict):
            labels.update(as_str_map(entry.get("pairs")))
    annotations = as_str_map(k.get("commonAnnotations"))
    for item in acc.items:
        item.labels.update(labels)
        item.annotations.update(annotations)

    # The deprecated patchesJson6902 has its own transformer, which runs after names and labels change.
    for entry in as_list(k.get("patchesJson6902")):
        if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
            continue
        docs = patch_docs(run, entry.get("path"), entry.get("patch"), kdir, chain)
        if docs is not None:
            apply_patch(run, docs, entry["target"], kdir, chain, acc)

    if any(k.get(f) for f in _FIELD_CHANGERS):
        for item in acc.items:
            item.patched = True  # fields a replacement source may read are no longer as the file has them
    run_replacements(run, k, kdir, chain, acc)
    if k.get("transformers"):
        run.note(f"transformers are not modelled (they could rename resources); first seen in {chain[-1]}")
    if k.get("openapi"):
        run.note(f"a custom openapi schema in {chain[-1]} may change which kinds are cluster-scoped")


def set_namespace(run: Ledger, namespace: str, chain: tuple[str, ...], acc: Accumulator) -> None:
    for item in acc.items:
        if not item.id.cluster_scoped:
            item.rename(item.id.with_namespace(namespace))
        elif item.id.kind == "Namespace" and item.id.api_version == "v1":
            # kustomize's namespace field specs include `metadata/name` of v1 Namespace objects.
            item.rename(item.id.with_name(namespace))
    acc.changed()
    groups: dict[tuple[str, ...], list[Item]] = {}
    for item in acc.items:
        groups.setdefault(item.id.key, []).append(item)
    for members in groups.values():
        if len({run.collision_of.get(m.uid, m.uid) for m in members}) > 1:
            rid = members[-1].id
            run.collide(members, rid, chain[-1], f"namespace transformation produces ID conflict: {rid}")
