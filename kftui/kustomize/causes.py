"""Group follow-on duplicates under their root cause: an include that brings a whole base a second time.

When a kustomization lists two includes that both reach the same base, every resource of that base is a
duplicate, and kustomize names only the first. The copies of each such duplicate part at the same kustomization,
through the same includes, and come through the same base directory: that triple is the root cause.
"""

from __future__ import annotations

from kftui.kustomize.report import Duplicate, RootCause


def _cause_key(dup: Duplicate) -> tuple[str, tuple[str, ...], str] | None:
    """(where the chains part, the include each copy leaves through, the base they share), or None."""
    dirs = [c.dirs for c in dup.chains]
    if len(dirs) < 2:
        return None
    shortest = min(len(d) for d in dirs)
    prefix = 0
    while prefix < shortest and len({d[prefix] for d in dirs}) == 1:
        prefix += 1
    suffix = 0
    while prefix + suffix < shortest and len({d[-1 - suffix] for d in dirs}) == 1:
        suffix += 1
    if prefix == 0 or suffix == 0:
        return None
    includes = tuple(c.spelled[prefix] if prefix < len(c.spelled) else c.dirs[prefix] for c in dup.chains)
    return dirs[0][prefix - 1], includes, dirs[0][len(dirs[0]) - suffix]


def root_causes(duplicates: tuple[Duplicate, ...]) -> tuple[RootCause, ...]:
    """Causes that explain more than one duplicate, in the order kustomize meets their first duplicate."""
    groups: dict[tuple[str, tuple[str, ...], str], list[Duplicate]] = {}
    for dup in duplicates:
        key = _cause_key(dup)
        if key is not None:
            groups.setdefault(key, []).append(dup)
    return tuple(
        RootCause(where=where, includes=includes, base=base, first=dups[0], follow_ons=tuple(dups[1:]))
        for (where, includes, base), dups in groups.items()
        if len(dups) > 1
    )
