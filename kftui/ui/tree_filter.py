"""The tree's `/` filter: which items match a needle, and which ancestors stay visible (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kftui.ui.tree_model import TreeModel


@dataclass(frozen=True)
class FilterResult:
    """Which items a filter keeps: the matches and every ancestor of a match."""

    needle: str
    keep: frozenset[str]
    matched: frozenset[str]


def filter_model(model: TreeModel, needle: str) -> FilterResult:
    """Walk every item (the cap does not apply) once; pure, so the app can run it in its analysis worker."""
    keep: set[str] = set()
    matched: set[str] = set()
    for item, ancestors in model.walk():
        if model.matches(item, needle):
            matched.add(item.key)
            keep.add(item.key)
            keep.update(ancestors)
    return FilterResult(needle, frozenset(keep), frozenset(matched))
