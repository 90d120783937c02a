"""Which resources a patch `target` selects: kustomize's types.Selector and Kubernetes label-selector syntax."""

from __future__ import annotations

import re
from typing import Any

from kftui.kustomize.ledger import Accumulator, Item

_SELECTOR_TERM = re.compile(r"\s*([^,(]+(?:\([^)]*\))?)\s*(?:,|$)")
_SET_TERM = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")


def select(acc: Accumulator, target: dict[str, Any]) -> list[Item]:
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
        if not selector_matches(target.get("labelSelector"), item.labels):
            continue
        if not selector_matches(target.get("annotationSelector"), item.annotations):
            continue
        chosen.append(item)
    return chosen


def selector_matches(selector: object, values: dict[str, str]) -> bool:
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
