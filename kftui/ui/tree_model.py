"""What the resource tree shows, computed lazily from a snapshot and its findings.

The tree widget asks for the roots and, only when a node is expanded (or a filter needs it), for the
children of one item. A 20,000-pod cluster therefore costs a handful of nodes until someone opens a big
namespace, and even then a namespace shows at most MAX_CHILDREN rows with a hint to filter.

Every item has a stable string key (app:kubeflow/ns:kubeflow/pod:x, spelled by tree_keys), so expansion and
the cursor survive the tree being rebuilt from a new snapshot. The item also knows which findings belong to it (its Scope), which is
how selecting a node narrows the diagnostics panel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from rich.text import Text

from kftui.model import ClusterSnapshot, Finding, Key, ManagedResource, ObjectRef, Pod, Severity
from kftui.topology import AppNode, NamespaceNode, Topology, build_topology
from kftui.ui import render, tree_keys
from kftui.ui.app_order import app_sort_key
from kftui.ui.tree_filter import FilterResult, filter_model
from kftui.ui.tree_items import Scope, TreeItem

__all__ = [
    "FILTER_OVERFLOW",
    "MAX_CHILDREN",
    "FilterResult",
    "Scope",
    "TreeItem",
    "TreeModel",
    "filter_model",
]

MAX_CHILDREN = 500
# The name of the "more" row that stands for filter matches beyond MAX_CHILDREN.
FILTER_OVERFLOW = "filter-overflow"
K = TypeVar("K")


class TreeModel:
    """The tree's content for one snapshot: roots, children on demand, labels, and scopes."""

    def __init__(
        self,
        snapshot: ClusterSnapshot,
        findings: list[Finding],
        previous: TreeModel | None = None,
        order: Sequence[str] = (),
    ) -> None:
        """`previous`, the model of an earlier snapshot of the same stream, lets the topology start from its
        own (only the pods changed since are placed again). `order` lists apps first (ui/app_order.py)."""
        self.snapshot = snapshot
        self._order = app_sort_key(order)
        self.findings = findings
        self._roots: list[TreeItem] | None = None
        self._cluster_of: dict[str, str] | None = None
        # Rows of the previous model, reused by roots() for apps whose node is shared (then let go).
        self._previous_roots: list[TreeItem] = (previous._roots or []) if previous is not None else []
        self._apps_in_order: list[str] | None = None  # the apps' names in row order, once roots() sorted them
        if previous is not None and self._same_apps_as(previous, snapshot):
            # Most batches change pods only: the rows keep their order and clusters (1,500 apps sorted per
            # batch were a tenth of the incremental model).
            self._cluster_of = previous._cluster_of
            self._apps_in_order = previous._apps_in_order
        self.topology: Topology = build_topology(
            snapshot, previous.topology if previous is not None else None
        )
        self._by_ref: dict[ObjectRef, Severity] = {}
        self._by_app: dict[str, dict[Severity, int]] = defaultdict(lambda: defaultdict(int))
        self._by_app_ns: dict[tuple[str | None, str], Severity] = {}
        # A workload's icon is the worst of its own findings and its pods' (computed once, not per label).
        self._by_workload: dict[ObjectRef, Severity] = {}
        for f in findings:
            self._by_app[f.app or ""][f.severity] += 1
            _worst(self._by_ref, f.subject, f.severity)
            ns = f.subject.namespace or (f.subject.name if f.subject.kind == "Namespace" else None)
            if ns is not None:
                _worst(self._by_app_ns, (f.app, ns), f.severity)
                _worst(self._by_app_ns, (None, ns), f.severity)
            if f.subject.kind == "Pod" and f.subject.namespace is not None:
                subject = snapshot.pods.get(f.subject.key)
                if subject is not None and subject.workload_kind:
                    workload = replace(f.subject, kind=subject.workload_kind, name=subject.workload_name)
                    _worst(self._by_workload, workload, f.severity)

    # --- structure ---------------------------------------------------------------------------------

    def roots(self) -> list[TreeItem]:
        """One row per app (and Unowned). Built once per model; an app whose topology node the previous
        model shared keeps its row object (300 frozen TreeItems per batch of watch events add up)."""
        if self._roots is None:
            earlier = {id(item.node): item for item in self._previous_roots if item.node is not None}
            items = [
                earlier.get(id(n))
                or TreeItem(
                    tree_keys.app_key(n.app.name),
                    "app",
                    n.app.name,
                    app=n.app.name,
                    ref=n.app.ref,
                    obj=n.app,
                    node=n,
                )
                for n in self._nodes_in_order()
            ]
            if self.topology.unowned_pods or self.topology.orphan_namespaces:
                items.append(TreeItem(tree_keys.UNOWNED, "unowned", "Unowned"))
            self._roots, self._previous_roots = items, []
        return list(self._roots)

    def _same_apps_as(self, previous: TreeModel, snapshot: ClusterSnapshot) -> bool:
        earlier = previous.snapshot
        return (
            earlier.applications is snapshot.applications
            and earlier.clusters == snapshot.clusters
            and previous._order == self._order
        )

    def _nodes_in_order(self) -> list[AppNode]:
        if self._apps_in_order is None:
            nodes = sorted(self.topology.apps, key=self._app_position)
            self._apps_in_order = [n.app.name for n in nodes]
            return nodes
        by_name = {n.app.name: n for n in self.topology.apps}
        return [by_name[name] for name in self._apps_in_order]

    def _app_position(self, node: AppNode) -> tuple[str, int, str]:
        """The hub's apps first, then those of each other cluster by its name; in the profile's order within."""
        name = node.app.name
        return (self.clusters().get(name, ""), self._order.get(name, len(self._order)), name)

    def clusters(self) -> dict[str, str]:
        """ClusterSnapshot.app_clusters, computed once per model."""
        if self._cluster_of is None:
            self._cluster_of = self.snapshot.app_clusters()
        return self._cluster_of

    def has_children(self, item: TreeItem) -> bool:
        if item.kind in ("app", "cluster", "unowned"):
            return True
        if item.kind == "namespace" and isinstance(item.node, NamespaceNode):
            return bool(item.node.resources or item.node.pods)
        if item.kind == "unowned-namespace":
            return bool(self.topology.unowned_pods.get(_namespace_key(item)))
        return False

    def children(self, item: TreeItem, capped: bool = True) -> list[TreeItem]:
        if item.kind == "app" and isinstance(item.node, AppNode):
            return self._app_children(item, item.node)
        if item.kind == "cluster" and isinstance(item.node, AppNode):
            return [self._resource_item(item, r) for r in item.node.cluster_resources]
        if item.kind == "namespace" and isinstance(item.node, NamespaceNode):
            resources = [
                self._resource_item(item, r)
                for r in sorted(item.node.resources, key=lambda r: (r.kind, r.name))
            ]
            return resources + self._pod_items(item, item.node.pods, capped)
        if item.kind == "unowned":
            keys = sorted(set(self.topology.unowned_pods) | set(self.topology.orphan_namespaces))
            return [self._unowned_ns_item(key) for key in keys]
        if item.kind == "unowned-namespace":
            return self._pod_items(item, self.topology.unowned_pods.get(_namespace_key(item), []), capped)
        return []

    def walk(self) -> Iterator[tuple[TreeItem, tuple[str, ...]]]:
        """Every item with its ancestors' keys, depth first, ignoring the MAX_CHILDREN cap (for filtering)."""
        stack: list[tuple[TreeItem, tuple[str, ...]]] = [(i, ()) for i in reversed(self.roots())]
        while stack:
            item, ancestors = stack.pop()
            yield item, ancestors
            if self.has_children(item):
                below = (*ancestors, item.key)
                stack.extend((c, below) for c in reversed(self.children(item, capped=False)))

    def _app_children(self, parent: TreeItem, node: AppNode) -> list[TreeItem]:
        cluster = self.clusters().get(parent.app or "", "")  # (its namespaces are that cluster's)
        items = [
            TreeItem(
                tree_keys.namespace_key(parent.key, ns.name),
                "namespace",
                ns.name,
                app=parent.app,
                namespace=ns.name,
                ref=(ref := ObjectRef("Namespace", None, ns.name, cluster)),
                obj=self.snapshot.namespaces.get(ref.key),
                node=ns,
            )
            for ns in sorted(node.namespaces.values(), key=lambda n: n.name)
        ]
        if node.cluster_resources:
            items.append(
                TreeItem(
                    tree_keys.cluster_key(parent.key), "cluster", "cluster-scoped", app=parent.app, node=node
                )
            )
        return items

    def _resource_item(self, parent: TreeItem, res: ManagedResource) -> TreeItem:
        # Its ref names the cluster the app deploys to: describe, the fixes and the findings go by it.
        cluster = self.clusters().get(parent.app or "", "")
        return TreeItem(
            tree_keys.resource_key(parent.key, res.kind, res.name),
            "resource",
            res.name,
            app=parent.app,
            namespace=res.namespace or None,
            ref=replace(res.ref, cluster=cluster) if cluster else res.ref,
            obj=res,
        )

    def _pod_items(self, parent: TreeItem, pods: list[Pod], capped: bool = True) -> list[TreeItem]:
        limit = MAX_CHILDREN if capped else len(pods)
        items = [
            TreeItem(
                tree_keys.pod_key(parent.key, p.name),
                "pod",
                p.name,
                app=parent.app,
                namespace=p.namespace,
                ref=p.ref,
                obj=p,
            )
            for p in pods[:limit]
        ]
        if len(pods) > limit:
            items.append(
                TreeItem(
                    tree_keys.more_key(parent.key), "more", "", app=parent.app, hidden_count=len(pods) - limit
                )
            )
        return items

    def _unowned_ns_item(self, key: Key) -> TreeItem:
        """The row of a namespace (key: the hub's, or another cluster's) holding unowned pods or no app's."""
        ref = ObjectRef("Namespace", None, key[1], key[2] if len(key) > 2 else "")
        return TreeItem(
            tree_keys.namespace_key(tree_keys.UNOWNED, key[1], ref.cluster),
            "unowned-namespace",
            ref.name,
            namespace=ref.name,
            ref=ref,
            obj=self.snapshot.namespaces.get(key),
        )

    # --- appearance ----------------------------------------------------------------------------------

    def worst(self, item: TreeItem) -> Severity | None:
        """The most severe finding under this item, which decides its leading icon."""
        if item.kind == "app" and item.app is not None:
            counts = self._by_app.get(item.app, {})
            return next((s for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts.get(s)), None)
        if item.kind in ("namespace", "unowned-namespace") and item.namespace is not None:
            return self._by_app_ns.get((item.app, item.namespace))
        if item.kind in ("resource", "pod") and item.ref is not None:
            severities = [self._by_ref.get(item.ref)]
            if isinstance(item.obj, ManagedResource) and item.obj.namespace:
                severities.append(self._by_workload.get(item.ref))
            found = [s for s in severities if s is not None]
            return min(found, key=lambda s: s.rank) if found else None
        return None

    def label_state(self, item: TreeItem) -> tuple[object, ...]:
        """Everything `label(item)` depends on. Equal states draw equal labels, so after a watch event the
        tree redraws only the rows whose state changed. Objects compare by identity first (apply_events
        keeps the ones a batch did not touch), so comparing states is cheap."""
        if item.kind == "more":
            return ("more", item.name, item.hidden_count)
        if item.kind == "unowned":
            pods = sum(len(p) for p in self.topology.unowned_pods.values())
            return ("unowned", pods, len(self.topology.orphan_namespaces))
        if item.kind == "cluster":
            return ("cluster", item.name)
        worst = self.worst(item)
        if item.kind == "app":
            counts = self._by_app.get(item.app or "", {})
            cluster = self.clusters().get(item.app or "", "")
            return ("app", item.obj, worst, tuple(counts.get(s, 0) for s in Severity), cluster)
        if item.kind in ("namespace", "unowned-namespace"):
            orphan = (
                item.kind == "unowned-namespace" and _namespace_key(item) in self.topology.orphan_namespaces
            )
            return (item.kind, item.name, item.obj, worst, orphan)
        return (item.kind, item.obj, worst)

    def label(self, item: TreeItem) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if item.kind in ("more", "unowned", "cluster"):
            return self._fixed_label(item, text)
        return self._object_label(item, text)

    def _fixed_label(self, item: TreeItem, text: Text) -> Text:
        if item.kind == "more":
            hint = "matches: refine the filter" if item.name == FILTER_OVERFLOW else "pods: press / to filter"
            text.append(f"… {item.hidden_count:,} more {hint}", style=render.GREY)
            return text
        if item.kind in ("unowned", "cluster"):
            text.append(item.name, style="italic " + render.GREY)
            if item.kind == "unowned":
                count = sum(len(p) for p in self.topology.unowned_pods.values())
                text.append(
                    f"  {count} pods, {len(self.topology.orphan_namespaces)} namespaces no app owns",
                    style=render.GREY,
                )
        return text

    def _object_label(self, item: TreeItem, text: Text) -> Text:
        text.append_text(render.severity_mark(self.worst(item)))
        text.append(" ")
        obj = item.obj
        if item.kind == "app" and isinstance(item.node, AppNode):
            app = item.node.app
            text.append(app.name, style="bold")
            if self.clusters().get(app.name):
                text.append(f" @{self.clusters()[app.name]}", style=render.BLUE)
            text.append("  ")
            text.append_text(render.app_badges(app.sync_status, app.health_status, app.operation_phase))
            text.append_text(render.counts_badge(self._by_app.get(app.name, {})))
        elif item.kind in ("namespace", "unowned-namespace"):
            text.append("ns ", style=render.GREY)
            text.append(item.name)
            exists = obj is not None
            if not exists:
                text.append("  MISSING", style=render.RED)
            elif getattr(obj, "phase", "Active") != "Active":
                text.append(f"  {getattr(obj, 'phase', '')}", style=render.YELLOW)
            if item.kind == "unowned-namespace" and item.ref is not None and item.ref.cluster:
                text.append(f" @{item.ref.cluster}", style=render.BLUE)
            if item.kind == "unowned-namespace" and _namespace_key(item) in self.topology.orphan_namespaces:
                text.append("  orphan", style=render.GREY)
        elif isinstance(obj, ManagedResource):
            text.append(obj.kind + " ", style=render.GREY)
            text.append(obj.name)
            text.append_text(render.resource_badges(obj))
        elif isinstance(obj, Pod):
            text.append(obj.name)
            text.append_text(render.pod_badges(obj))
        # Names, kinds and statuses are the cluster's: the one exit of every tree label makes them inert.
        return render.inert_text(text, single=True)

    def matches(self, item: TreeItem, needle: str) -> bool:
        """Filter predicate: the name or any status the row shows (`/crash` finds CrashLoopBackOff,
        `/degraded` and `/outofsync` the apps and resources that say so)."""
        if item.kind in ("more", "unowned", "cluster"):
            return False
        return needle in item.name.lower() or any(needle in s.lower() for s in render.status_words(item.obj))

    # --- narrowing -----------------------------------------------------------------------------------

    def scope(self, item: TreeItem) -> Scope:
        """The findings this item stands for. A workload also stands for its pods' findings."""
        if item.kind in ("resource", "pod") and item.ref is not None:
            refs = {item.ref}
            res = item.obj
            if isinstance(res, ManagedResource) and res.namespace:
                refs.update(
                    p.ref
                    for p in self.snapshot.pods.values()
                    if p.namespace == res.namespace
                    and p.workload_kind == res.kind
                    and p.workload_name == res.name
                    and p.ref.cluster == item.ref.cluster
                )
            return Scope(f"{item.ref.kind.lower()} {item.name}", refs=frozenset(refs))
        if item.kind in ("namespace", "unowned-namespace"):
            where = f" of {item.app}" if item.app else ""
            cluster = item.ref.cluster if item.ref is not None else ""
            return Scope(
                f"namespace {item.name}{where}", app=item.app, namespace=item.namespace, cluster=cluster
            )
        if item.app is not None:
            return Scope(f"app {item.app}", app=item.app)
        return Scope("everything")


def _worst(index: dict[K, Severity], key: K, severity: Severity) -> None:
    current = index.get(key)
    if current is None or severity.rank < current.rank:
        index[key] = severity


def _namespace_key(item: TreeItem) -> Key:
    """An Unowned namespace row's key in the topology (its namespace on its cluster)."""
    return item.ref.key if item.ref is not None else ("", item.name)
