"""k9s and kubectl habits: describe, delete, j/k/g/G, fix 1-9, the `:` command line, and hints for the rest.

A base class of the app, like FixActions, because the keys call `action_*` methods on the app. It only moves
the cursor, switches tabs and opens the existing screens: every change to the cluster still goes through the
fix plan, its preview and its confirm (ctrl+d is the delete-pod fix of the selected pod).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import DataTable, OptionList, TabbedContent, Tree

from kftui.cluster.source import ConnectionStatus
from kftui.fixes.plan import PlanError, plan_action
from kftui.model import ConnectionState, Finding, Pod
from kftui.textsafe import one_line
from kftui.ui import bindings, command_line, hints, tree_keys
from kftui.ui.command_line import Command, CommandError, Completion
from kftui.ui.messages import SourceSwitched, SwitchFailed
from kftui.ui.screens.fix_confirm import open_fix_screen
from kftui.ui.screens.help import HelpScreen
from kftui.ui.tree_model import TreeItem, TreeModel
from kftui.ui.view_actions import ViewActions
from kftui.ui.widgets.command_box import CommandBox
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.filter_box import FilterBox
from kftui.ui.widgets.resource_tree import ResourceTree

if TYPE_CHECKING:
    from kftui.multicluster import ContextSwitcher

# What j/k/g/G call on the focused widget, first match wins: lists and tables move their cursor, text scrolls.
MOVES: dict[str, tuple[str, ...]] = {
    "down": ("cursor_down", "scroll_down"),
    "up": ("cursor_up", "scroll_up"),
    "top": ("first", "scroll_home"),
    "bottom": ("last", "scroll_end"),
}


class HabitActions(ViewActions):
    """What KftuiApp does for a k9s user's keys. The app owns the tree model and the narrowing."""

    tree_model: TreeModel | None
    scope_item: TreeItem | None
    findings: list[Finding]
    start_app: str | None
    connection: ConnectionStatus
    switcher: ContextSwitcher | None = None
    """What `:ctx NAME` switches between (cli.py sets it for a live source)."""

    def action_refresh(self) -> None:
        raise NotImplementedError

    def _show_findings(self) -> None:
        raise NotImplementedError

    # --- keys that mean what they mean in k9s ---------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(bindings.help_sources()))

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_describe(self) -> None:
        """`d`: the details pane's Describe tab for the selected row, focused so it scrolls."""
        self.query_one("#details-tabs", TabbedContent).active = "tab-describe"
        self.query_one("#describe").focus()

    def action_focus_findings(self) -> None:
        self.query_one("#finding-list", OptionList).focus()

    def action_focus_tree(self) -> None:
        self.query_one(ResourceTree).focus()

    def action_hint(self, name: str) -> None:
        self.notify(hints.NO_ACTION.get(name, "kftui has no such action"), severity="warning")

    def action_delete_pod(self) -> None:
        """`ctrl+d`: the delete-pod fix of the pod under the tree cursor, through the usual preview/confirm."""
        node = self.query_one(ResourceTree).cursor_node
        item = node.data if node is not None else None
        if item is None or not isinstance(item.obj, Pod):
            what = f"{item.kind} {item.name}" if item is not None else "nothing"
            self.notify(
                f"ctrl+d deletes a pod; the selection is {what}: select a pod in the tree", severity="warning"
            )
            return
        if self.fixes is None or self.snapshot is None:
            self.notify("No cluster connection to delete pods with.", severity="warning")
            return
        try:
            plan = plan_action("delete-pod", item.obj.ref, self.snapshot, self.profile)
        except PlanError as exc:
            self.notify(str(exc), severity="warning")
            return
        open_fix_screen(self, plan, self.fixes, self._fix_done)

    def action_move(self, where: str) -> None:
        """`j`/`k`/`g`/`G` in whatever list, tree, table or text has the focus."""
        focused = self.focused
        if focused is None:
            return
        if isinstance(focused, Tree) and where in ("top", "bottom"):
            focused.cursor_line = 0 if where == "top" else focused.last_line
            return
        if isinstance(focused, DataTable) and where in ("top", "bottom"):
            focused.move_cursor(row=0 if where == "top" else focused.row_count - 1)
            return
        for name in MOVES[where]:
            action = getattr(focused, f"action_{name}", None)
            if action is not None:
                action()
                return

    def action_pick_fix(self, number: int) -> None:
        """`1`-`9`: choose fix N of the highlighted finding; `x` then runs it, `c` copies its command."""
        panel = self.query_one(DiagnosticsPanel)
        finding = panel.current
        if finding is None or not finding.fixes:
            self.notify("The highlighted finding offers no fix.", severity="warning")
            return
        if number > len(finding.fixes):
            self.notify(
                f"This finding has {len(finding.fixes)} fixes; there is no fix {number}.", severity="warning"
            )
            return
        panel.query_one("#fix-list", OptionList).highlighted = number - 1
        fix = finding.fixes[number - 1]
        self.notify(f"Fix {number} chosen: {fix.title} (x runs it, c copies its command)")

    # --- the `:` command line ---------------------------------------------------------------------------

    def action_command_line(self) -> None:
        self.query_one(CommandBox).open()

    def complete_command(self, text: str) -> Completion:
        snapshot = self.snapshot
        apps = [a.name for a in snapshot.applications.values()] if snapshot else []
        namespaces = [ns.name for ns in snapshot.namespaces.values()] if snapshot else []
        contexts = self.switcher.names() if self.switcher is not None and self.source.live else []
        return command_line.complete(text, apps, namespaces, contexts)

    def on_command_box_completed(self, message: CommandBox.Completed) -> None:
        self.notify("  ".join(message.candidates), title="Completions")

    def on_command_box_entered(self, message: CommandBox.Entered) -> None:
        self.query_one(ResourceTree).focus()
        if not message.text.strip():
            return
        try:
            command = command_line.parse(message.text)
        except CommandError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.run_command(command)

    def run_command(self, command: Command) -> None:
        name = command.name
        if name == "q":
            self.exit()
        elif name == "help":
            self.call_later(self.run_action, "help")
        elif name == "ctx":
            self._ctx(command.arg)
        elif self.tree_model is None:
            self.notify("Nothing loaded yet.", severity="warning")
        elif name == "apps":
            self._show_apps(expand_namespaces=False)
        elif name == "app":
            if not self.jump_to_app(command.arg):
                self.notify(f"no Application {command.arg}", severity="warning")
        elif name == "ns":
            self._jump_to_namespace(command.arg)
        elif name == "pods":
            self._show_pods()

    def _source_line(self) -> str:
        snapshot = self.snapshot
        context = snapshot.context if snapshot and snapshot.context else "(none)"
        if not self.source.live:
            where = f"a snapshot (dump or demo), recorded from context {context}"
        else:
            server = snapshot.server if snapshot else ""
            where = f"kube context {context}" + (f" at {server}" if server else "")
        backend = f"; Argo CD actions via {self.fixes.runner.backend_name}" if self.fixes is not None else ""
        if self.switcher is None or not self.source.live:
            return f"Source: {where}{backend}."
        return f"Source: {where}{backend}. :ctx NAME switches to one of: {', '.join(self.switcher.names())}"

    def _ctx(self, name: str) -> None:
        """`:ctx` says what is active; `:ctx NAME` switches kube context or Argo CD server without restarting."""
        if not name or self.switcher is None or not self.source.live:
            self.notify(self._source_line(), title=":ctx")
            return
        self.notify(f"Switching to {name}…", title=":ctx", timeout=2)
        self._switch(name)

    @work(thread=True, group="switch", exclusive=True, exit_on_error=False)
    def _switch(self, name: str) -> None:
        switcher = self.switcher
        assert switcher is not None
        try:
            source, fixes, active = switcher.switch(name)
        except Exception as exc:  # a bad context, a refused login: one line, the current source stays
            self._post(SwitchFailed(one_line(str(exc))))
            return
        self._post(SourceSwitched(source, fixes, active))

    def on_source_switched(self, message: SourceSwitched) -> None:
        if self.fixes is not None:
            self.fixes.close()  # stops the old context's port-forwards
        self.fixes = message.fixes
        self.use_source(message.source)
        self.connection = ConnectionStatus(ConnectionState.CONNECTING)
        self.notify(f"Now reading {message.active}", title=":ctx")
        self.action_refresh()

    def on_switch_failed(self, message: SwitchFailed) -> None:
        self.notify(message.reason, title=":ctx", severity="error")

    def _show_apps(self, *, expand_namespaces: bool) -> None:
        tree = self.query_one(ResourceTree)
        tree.action_collapse_all()
        if expand_namespaces:
            tree.action_expand_all_apps()
        tree.cursor_line = 0
        self.scope_item = None
        self._show_findings()
        tree.focus()

    def _jump_to_namespace(self, name: str) -> None:
        if not name:
            self._show_apps(expand_namespaces=True)
            return
        model = self.tree_model
        assert model is not None
        for root in model.roots():
            for child in model.children(root) if model.has_children(root) else []:
                if child.kind in ("namespace", "unowned-namespace") and child.name == name:
                    self._select(child.key)
                    return
        self.notify(f"no namespace {name} in the tree", severity="warning")

    def _show_pods(self) -> None:
        """`:pods`: open every app and namespace and put the cursor on the first pod (pods live there)."""
        model = self.tree_model
        assert model is not None
        tree = self.query_one(ResourceTree)
        first: str | None = None
        for root in model.roots():
            for ns in model.children(root) if model.has_children(root) else []:
                if not model.has_children(ns):
                    continue
                pods = [c for c in model.children(ns) if c.kind == "pod"]
                if pods:
                    tree.reveal(pods[0].key)  # opens its app and namespace
                    first = first or pods[0].key
        if first is None:
            self.notify("no pods in the tree", severity="warning")
            return
        tree.reveal(first)
        tree.focus()

    def _select(self, key: str) -> bool:
        tree = self.query_one(ResourceTree)
        if tree.reveal(key):
            node = tree.cursor_node
            if node is not None and node.data is not None:
                self.scope_item = node.data
                self._show_findings()
            tree.focus()
            return True
        return False

    def open_start_app(self) -> None:
        """`--app NAME` (the k9s plugin): that Application selected, expanded and its findings shown; an
        unknown name leaves the tree as it opens, with a one-line notice."""
        name = self.start_app
        if not name:
            return
        if not self.jump_to_app(name):
            self.notify(f"no Application named {one_line(name)}", severity="warning")
            return
        tree = self.query_one(ResourceTree)
        node = tree.cursor_node
        if node is not None and node.allow_expand:
            node.expand()
            tree.scroll_to(y=node.line, animate=False)  # the app on top, what it deploys below it

    def jump_to_app(self, name: str) -> bool:
        """Put the tree cursor on an app and narrow the findings to it (palette: jump to app, `:app NAME`)."""
        return self._select(tree_keys.app_key(name))
