"""The k9s view keys of the app: `l` logs, `y` YAML, `v` events timeline, for the tree's current item.

Glue only: it picks what the cursor is on, asks the source for what it can give (a live source streams logs
and fetches objects; a dump gives its objects and its events, no logs; the embedded demo has made-up logs,
ui/demo_logs.py), and opens the screen.
"""

from __future__ import annotations

from typing import Any

from kftui.model import Application, ManagedResource, ObjectRef, Pod
from kftui.topology import Topology
from kftui.ui.demo_logs import demo_opener
from kftui.ui.fix_actions import FixActions
from kftui.ui.screens.events import EventsScreen
from kftui.ui.screens.logs import NO_LIVE_CLUSTER, LogsScreen
from kftui.ui.screens.yaml_view import YamlScreen
from kftui.ui.timeline import TimelineScope
from kftui.ui.tree_model import TreeItem, TreeModel
from kftui.ui.widgets.resource_tree import ResourceTree


class ViewActions(FixActions):
    """What KftuiApp does with the view keys; the app owns the snapshot and the tree model."""

    tree_model: TreeModel | None

    def _cursor_item(self) -> TreeItem | None:
        node = self.query_one(ResourceTree).cursor_node
        return node.data if node is not None and isinstance(node.data, TreeItem) else None

    def action_logs(self) -> None:
        opener = getattr(self.source, "stream_logs", None) if self.source.live else None
        if opener is None and self.snapshot is not None:
            opener = demo_opener(self.snapshot)  # the embedded demo's made-up logs; None for a dump
        if opener is None:
            self.notify(NO_LIVE_CLUSTER, severity="warning")
            return
        item = self._cursor_item()
        pod = item.obj if item is not None else None
        if not isinstance(pod, Pod):
            self.notify("Choose a pod in the tree to see its logs.", severity="warning")
            return
        self.push_screen(LogsScreen(pod, opener))

    def action_yaml(self) -> None:
        item = self._cursor_item()
        target = _object_of(item) if item is not None else None
        raw = getattr(self.source, "raw_object", None)
        if target is None:
            self.notify(
                "Choose an application, resource, pod or namespace to see its YAML.", severity="warning"
            )
            return
        if raw is None:
            self.notify("This source keeps no objects to show as YAML.", severity="warning")
            return
        ref, group, version = target
        title = f"{ref.kind} {ref.namespace + '/' if ref.namespace else ''}{ref.name}"
        # A pod's or namespace's ref says its cluster ("" the hub's); Argo CD's resource list does not (None).
        cluster = None if item is None or isinstance(item.obj, ManagedResource) else ref.cluster
        self.push_screen(
            YamlScreen(title, lambda: raw(ref.kind, ref.namespace, ref.name, group, version, cluster=cluster))
        )

    def action_events(self) -> None:
        item = self._cursor_item()
        scope = timeline_scope_of(item) if item is not None else None
        if scope is None:
            self.notify("Choose an application, namespace, resource or pod.", severity="warning")
            return
        self.push_screen(EventsScreen(scope, self._timeline_basis))

    def _timeline_basis(self) -> tuple[Any, Topology | None]:
        model = self.tree_model
        return self.snapshot, model.topology if model is not None else None


def _object_of(item: TreeItem) -> tuple[ObjectRef, str, str] | None:
    """The object under the cursor, with the group and version Argo CD reported (for kinds kftui does not list)."""
    obj = item.obj
    if isinstance(obj, ManagedResource):  # (the item's ref names the cluster the app deploys to)
        return item.ref or obj.ref, obj.group, obj.version
    if isinstance(obj, Application | Pod):
        return obj.ref, "", ""
    if item.kind in ("namespace", "unowned-namespace") and obj is not None:
        return item.ref or ObjectRef("Namespace", None, item.name), "", ""
    return None


def timeline_scope_of(item: TreeItem) -> TimelineScope | None:
    """What the events timeline of a tree row covers: an app's objects, a namespace on its cluster, or one object."""
    if item.kind == "app" and item.app is not None:
        return TimelineScope(f"application {item.app} and everything it owns", app=item.app)
    if item.kind in ("namespace", "unowned-namespace"):
        cluster = item.ref.cluster if item.ref is not None else ""
        where = f"namespace {item.name}" + (f" on cluster {cluster}" if cluster else "")
        return TimelineScope(where, namespace=item.name, cluster=cluster)
    if item.ref is not None:
        refs = {item.ref}
        if isinstance(item.obj, Pod) and item.obj.owner_kind:
            owner = ObjectRef(item.obj.owner_kind, item.obj.namespace, item.obj.owner_name, item.ref.cluster)
            refs.add(owner)
        return TimelineScope(str(item.ref), refs=frozenset(refs))
    return None
