"""The rows of the resource tree (TreeItem) and which findings each stands for (Scope); tree_model.py makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kftui.model import Finding, ObjectRef
from kftui.topology import AppNode, NamespaceNode
from kftui.ui import tree_keys

ItemKind = Literal["app", "namespace", "cluster", "resource", "pod", "unowned", "unowned-namespace", "more"]


@dataclass(frozen=True)
class Scope:
    """Which findings a tree item stands for: selecting the item narrows the findings to these."""

    label: str
    app: str | None = None
    namespace: str | None = None
    refs: frozenset[ObjectRef] = frozenset()
    cluster: str = ""  # with `namespace`: its cluster ("" the hub's); another cluster's is not in it

    def matches(self, finding: Finding) -> bool:
        if self.refs:
            return finding.subject in self.refs
        if self.namespace is not None:
            subject = finding.subject
            in_namespace = subject.namespace == self.namespace or (
                subject.kind == "Namespace" and subject.name == self.namespace
            )
            in_namespace = in_namespace and subject.cluster in (self.cluster, "")
            return in_namespace and (self.app is None or finding.app in (self.app, None))
        if self.app is not None:
            return finding.app == self.app
        return True


@dataclass(frozen=True, eq=False)
class TreeItem:
    """One row of the tree: what it is, where it sits, and the model object the details pane describes."""

    key: str
    kind: ItemKind
    name: str
    app: str | None = None
    namespace: str | None = None
    ref: ObjectRef | None = None
    obj: object = None
    node: AppNode | NamespaceNode | None = field(default=None, repr=False)
    hidden_count: int = 0

    @property
    def parent_key(self) -> str | None:
        return tree_keys.parent_key(self.key)
