"""The details pane: a describe-like view of the tree's current item, its events and (live) its logs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import TabbedContent, TabPane

from kftui.model import Application, ClusterSnapshot, Key, ManagedResource, ObjectRef, Pod
from kftui.ui import render
from kftui.ui.tree_model import TreeItem
from kftui.ui.widgets.text_view import TextView

AGE_REFRESH_SECONDS = 30
NO_LOGS = "Logs are available in live mode (this source cannot fetch pod logs)."


class DetailsPane(Vertical):
    """Shows one tree item in three tabs. It asks for logs with a message instead of fetching them itself,
    because fetching is I/O that belongs in a worker owned by the app."""

    class LogsWanted(Message):
        """The pane shows a pod and the Logs tab needs its tail."""

        def __init__(self, pod: Pod) -> None:
            super().__init__()
            self.pod = pod

    def __init__(self, *, logs_supported: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.logs_supported = logs_supported
        self.item: TreeItem | None = None
        self._logs_for: Key | None = None
        self._texts: dict[str, tuple[object, ...]] = {}
        self._shown: tuple[tuple[str | None, int], tuple[object, ...]] | None = None
        self._same_item = False

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="tab-describe", id="details-tabs"):
            yield from self._panes()

    def _panes(self) -> ComposeResult:
        with TabPane("Describe", id="tab-describe"):
            yield TextView(id="describe")
        with TabPane("Events", id="tab-events"):
            yield TextView(id="events")
        with TabPane("Logs", id="tab-logs"):
            yield TextView(Text(NO_LOGS, style=render.GREY), id="logs")

    def show(self, item: TreeItem | None, snapshot: ClusterSnapshot) -> None:
        # Each analysed snapshot re-shows the cursor's item. When neither the object nor the events changed
        # (a watch event elsewhere in a 20,000-pod cluster), re-rendering an Application's 50 resources would
        # cost more than the whole tree rebuild; ages are refreshed at most every AGE_REFRESH_SECONDS.
        same = (item.key if item else None, int(snapshot.now.timestamp() // AGE_REFRESH_SECONDS))
        used = (item.obj if item else None, snapshot.events, snapshot.workloads, snapshot.services)
        shown = (same, used)
        last = self._shown
        if (
            last is not None
            and item is not None
            and item.obj is not None
            and last[0] == same
            and all(a is b for a, b in zip(last[1], used, strict=True))
        ):
            self.item = item
            return
        # The same item re-shown (a live update) keeps where the user scrolled to; another starts at the top.
        self._same_item = last is not None and last[0][0] == same[0]
        self._shown = shown
        self.item = item
        describe = self.query_one("#describe", TextView)
        events = self.query_one("#events", TextView)
        logs = self.query_one("#logs", TextView)
        if item is None:
            self._set(describe, Text())
            self._set(events, Text())
            self._logs_for = None
            return
        self._set(describe, render.describe(self._objects(item, snapshot), snapshot.now))
        if item.ref is not None:
            self._set(events, render.events_table(snapshot.events_for(item.ref)[:50], snapshot.now))
        else:
            self._set(events, Text("Choose an application, namespace, resource or pod.", style=render.GREY))
        pod_key = item.obj.key if isinstance(item.obj, Pod) else None
        if pod_key is not None and pod_key == self._logs_for:
            return  # the same pod re-shown after a live update: keep its tail rather than refetch per batch
        self._logs_for = pod_key
        if isinstance(item.obj, Pod) and self.logs_supported:
            self._set(logs, Text(f"Fetching the log tail of {item.obj.name}…", style=render.GREY))
            self.post_message(self.LogsWanted(item.obj))
        elif isinstance(item.obj, Pod):
            self._set(logs, Text(NO_LOGS, style=render.GREY))
        else:
            self._set(logs, Text("Choose a pod to see its logs.", style=render.GREY))

    def show_logs(self, pod_key: Key, text: str) -> None:
        """Accept a fetched tail only if the pane still shows that pod (the user may have moved on)."""
        if self.item is not None and isinstance(self.item.obj, Pod) and self.item.obj.key == pod_key:
            self._set(self.query_one("#logs", TextView), render.lines(text or "(no log lines)"))

    def _set(self, view: TextView, text: Text) -> None:
        """Update a tab only when its text changed (each update wraps the text again)."""
        # Rich's Text == compares only the characters: a change of style alone must still show.
        key = (text.plain, tuple(text.spans), str(text.style))
        if view.id is not None and self._texts.get(view.id) == key:
            return
        if view.id is not None:
            self._texts[view.id] = key
        view.update(text, keep_position=self._same_item)

    @staticmethod
    def _objects(item: TreeItem, snapshot: ClusterSnapshot) -> list[tuple[str, object]]:
        obj = item.obj
        if isinstance(obj, Application):
            return [(f"Application {obj.namespace}/{obj.name}", obj)]
        if isinstance(obj, Pod):
            return [(f"Pod {obj.namespace}/{obj.name}", obj)]
        if isinstance(obj, ManagedResource):
            found: list[tuple[str, object]] = [(f"{obj.kind} as Argo CD reports it (status.resources)", obj)]
            # The workload on the cluster the item's app deploys to, not the hub's of the same name.
            cluster = snapshot.app_clusters().get(item.app or "", "")
            workload = snapshot.workloads.get(ObjectRef(obj.kind, obj.namespace, obj.name, cluster).key)
            if workload is not None:
                found.append((f"{obj.kind} {obj.namespace}/{obj.name} in the cluster", workload))
            service = (
                snapshot.services.get(ObjectRef("Service", obj.namespace, obj.name, cluster).key)
                if obj.kind == "Service"
                else None
            )
            if service is not None:
                found.append((f"Service {obj.namespace}/{obj.name} in the cluster", service))
            return found
        if item.kind in ("namespace", "unowned-namespace"):
            if obj is None:
                return [(f"Namespace {item.name}", {"exists": "no: the app deploys here but it is missing"})]
            return [(f"Namespace {item.name}", obj)]
        return []
