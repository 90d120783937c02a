"""The tree's key scheme: how a tree item, or the subject of a finding, is spelled as a stable string key.

A key is the path of its row, `/`-joined: app:kubeflow/ns:kubeflow/pod:x. The tree model builds its items'
keys here and the app finds a finding's row with `finding_key`, so the two cannot spell a key differently.
Expansion and the cursor are remembered by key, which is how they survive the tree being rebuilt.
"""

from __future__ import annotations

from kftui.model import Finding

UNOWNED = "unowned"
"""The root row of what no app owns."""


def app_key(name: str) -> str:
    return f"app:{name}"


def namespace_key(parent: str, namespace: str, cluster: str = "") -> str:
    """A namespace row under an app (its cluster is the app's) or under Unowned (on the hub or `cluster`)."""
    return f"{parent}/ns:{namespace}" + (f"@{cluster}" if cluster else "")


def cluster_key(parent: str) -> str:
    """The row that groups an app's cluster-scoped resources."""
    return f"{parent}/cluster"


def resource_key(parent: str, kind: str, name: str) -> str:
    return f"{parent}/res:{kind}/{name}"


def pod_key(parent: str, name: str) -> str:
    return f"{parent}/pod:{name}"


def more_key(parent: str) -> str:
    """The "… N more" row that stands for the children beyond the cap."""
    return f"{parent}/more"


def parent_key(key: str) -> str | None:
    """One step up the path. For a resource this is `…/res:Kind`, which names no row: callers that walk up
    (the cursor's nearest surviving ancestor) simply pass through it."""
    return key.rsplit("/", 1)[0] if "/" in key else None


def ancestor_keys(key: str) -> list[str]:
    """Every proper prefix of `key`, outermost first: what must be open for its row to show."""
    parts = key.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def finding_key(finding: Finding) -> str | None:
    """The key a finding's subject has in the tree, under its app or under Unowned; None where the tree has
    no row for it (a cluster-scoped object no app owns, a check's own subject)."""
    subject = finding.subject
    if subject.kind == "Application":
        return app_key(subject.name)
    base = app_key(finding.app) if finding.app else UNOWNED
    if subject.kind == "Namespace":
        return namespace_key(base, subject.name)
    if subject.namespace is None:
        return resource_key(cluster_key(base), subject.kind, subject.name) if finding.app else None
    if subject.kind == "Pod":
        return pod_key(namespace_key(base, subject.namespace), subject.name)
    return resource_key(namespace_key(base, subject.namespace), subject.kind, subject.name)
