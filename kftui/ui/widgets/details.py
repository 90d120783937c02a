"""The details pane: a describe-like view of the tree's current item, its events and (live) its logs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from kftui.model import Application, ClusterSnapshot, ManagedResource, Pod
from kftui.ui import render
from kftui.ui.tree_model import TreeItem

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
        self._logs_for: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="tab-describe", id="details-tabs"):
            yield from self._panes()

    def _panes(self) -> ComposeResult:
        with TabPane("Describe", id="tab-describe"), VerticalScroll():
            yield Static(id="describe")
        with TabPane("Events", id="tab-events"), VerticalScroll():
            yield Static(id="events")
        with TabPane("Logs", id="tab-logs"), VerticalScroll():
            yield Static(Text(NO_LOGS, style=render.GREY), id="logs")

    def show(self, item: TreeItem | None, snapshot: ClusterSnapshot) -> None:
        self.item = item
        describe = self.query_one("#describe", Static)
        events = self.query_one("#events", Static)
        logs = self.query_one("#logs", Static)
        if item is None:
            describe.update("")
            events.update("")
            self._logs_for = None
            return
        describe.update(render.describe(self._objects(item, snapshot), snapshot.now))
        if item.ref is not None:
            events.update(render.events_table(snapshot.events_for(item.ref)[:50], snapshot.now))
        else:
            events.update(Text("Choose an application, namespace, resource or pod.", style=render.GREY))
        pod_key = item.obj.key if isinstance(item.obj, Pod) else None
        if pod_key is not None and pod_key == self._logs_for:
            return  # the same pod re-shown after a live update: keep its tail rather than refetch per batch
        self._logs_for = pod_key
        if isinstance(item.obj, Pod) and self.logs_supported:
            logs.update(Text(f"Fetching the log tail of {item.obj.name}…", style=render.GREY))
            self.post_message(self.LogsWanted(item.obj))
        elif isinstance(item.obj, Pod):
            logs.update(Text(NO_LOGS, style=render.GREY))
        else:
            logs.update(Text("Choose a pod to see its logs.", style=render.GREY))

    def show_logs(self, pod_key: tuple[str, str], text: str) -> None:
        """Accept a fetched tail only if the pane still shows that pod (the user may have moved on)."""
        if self.item is not None and isinstance(self.item.obj, Pod) and self.item.obj.key == pod_key:
            self.query_one("#logs", Static).update(Text(text or "(no log lines)"))

    @staticmethod
    def _objects(item: TreeItem, snapshot: ClusterSnapshot) -> list[tuple[str, object]]:
        obj = item.obj
        if isinstance(obj, Application):
            return [(f"Application {obj.namespace}/{obj.name}", obj)]
        if isinstance(obj, Pod):
            return [(f"Pod {obj.namespace}/{obj.name}", obj)]
        if isinstance(obj, ManagedResource):
            found: list[tuple[str, object]] = [(f"{obj.kind} as Argo CD reports it (status.resources)", obj)]
            workload = snapshot.workloads.get((obj.kind, f"{obj.namespace}/{obj.name}"))
            if workload is not None:
                found.append((f"{obj.kind} {obj.namespace}/{obj.name} in the cluster", workload))
            service = snapshot.services.get((obj.namespace, obj.name)) if obj.kind == "Service" else None
            if service is not None:
                found.append((f"Service {obj.namespace}/{obj.name} in the cluster", service))
            return found
        if item.kind in ("namespace", "unowned-namespace"):
            if obj is None:
                return [(f"Namespace {item.name}", {"exists": "no: the app deploys here but it is missing"})]
            return [(f"Namespace {item.name}", obj)]
        return []
