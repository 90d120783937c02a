"""The order the tree lists Applications in: the profile's dependency chain, then the others by name."""

from __future__ import annotations

from collections.abc import Sequence

from kftui.profile import Profile, ProfileError


def app_order(profile: Profile | None) -> tuple[str, ...]:
    """kubeflow -> kubeflow-seaweedfs -> kubeflow-pipelines for the Kubeflow profile; () without one (or on
    a dependency cycle, which the checks report)."""
    if profile is None:
        return ()
    try:
        return profile.chain()
    except ProfileError:
        return ()


def app_sort_key(order: Sequence[str]) -> dict[str, int]:
    """Position by name, for `sorted(..., key=lambda name: (pos.get(name, len(pos)), name))`."""
    return {name: i for i, name in enumerate(order)}
