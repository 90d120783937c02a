"""The left-hand tree: Applications -> namespaces -> resources and pods, plus what no app owns."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kftui.model import Severity
from kftui.ui import render
from kftui.ui.tree_model import MAX_CHILDREN, FilterResult, TreeItem, TreeModel, filter_model


class ResourceTree(Tree[TreeItem]):
    """A tree rebuilt from each new snapshot without losing what the user had open or selected.

    Children of a collapsed node are only created when it is expanded, so a huge cluster stays responsive.
    With a filter, only matching items and their ancestors are shown, ancestors expanded.
    """

    BINDINGS = [
        Binding(
            "right",
            "expand_or_child",
            "Expand",
            show=False,
            tooltip="Open a node, or step into it",
            id="tree.expand",
        ),
        Binding(
            "left",
            "collapse_or_parent",
            "Collapse / parent",
            show=False,
            tooltip="Close a node, or go to its parent",
            id="tree.collapse",
        ),
        Binding(
            "E",
            "expand_all_apps",
            "Expand apps",
            show=False,
            tooltip="Show every app's namespaces",
            id="tree.expand-apps",
        ),
        Binding(
            "C",
            "collapse_all",
            "Collapse all",
            show=False,
            tooltip="Close everything",
            id="tree.collapse-all",
        ),
    ]

    class ItemHighlighted(Message):
        """The cursor moved to an item: the details pane follows it."""

        def __init__(self, item: TreeItem) -> None:
            super().__init__()
            self.item = item

    class ItemSelected(Message):
        """The user chose an item (enter or click): the findings narrow to it."""

        def __init__(self, item: TreeItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("cluster", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.tree_model: TreeModel | None = None
        self.filter_text = ""
        self._expanded: set[str] = set()
        self._node_by_key: dict[str, TreeNode[TreeItem]] = {}
        self._keep: frozenset[str] | None = None
        self._matched: frozenset[str] = frozenset()

    # --- public --------------------------------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        node = self.cursor_node
        return node.data.key if node is not None and node.data is not None else None

    @property
    def expanded_keys(self) -> frozenset[str]:
        return frozenset(self._expanded)

    def node_for(self, key: str) -> TreeNode[TreeItem] | None:
        return self._node_by_key.get(key)

    def visible_keys(self) -> list[str]:
        """Keys of the nodes currently in the tree, in display order (for tests and the palette)."""
        keys: list[str] = []

        def visit(node: TreeNode[TreeItem]) -> None:
            for child in node.children:
                if child.data is not None:
                    keys.append(child.data.key)
                if child.is_expanded:
                    visit(child)

        visit(self.root)
        return keys

    def show_model(self, model: TreeModel, prefiltered: FilterResult | None = None) -> None:
        """Rebuild from a new snapshot's model, keeping expansion, the cursor and the scroll position.

        The first model opens the apps and namespaces that hold errors, so the first screen already shows
        the failing pod; after that the tree only opens what the user opens. `prefiltered` is the filter
        already applied to this model off the event loop, used when it is for the current filter text.
        """
        if self.tree_model is None:
            self._expanded.update(self._error_paths(model))
        self.tree_model = model
        if prefiltered is not None and prefiltered.needle == self.filter_text:
            self._keep, self._matched = prefiltered.keep, prefiltered.matched
        else:
            self._recompute_filter()
        self._rebuild()

    @staticmethod
    def _error_paths(model: TreeModel) -> set[str]:
        keys: set[str] = set()
        for app in model.roots():
            if app.kind != "app" or model.worst(app) is not Severity.ERROR:
                continue
            keys.add(app.key)
            keys.update(ns.key for ns in model.children(app) if model.worst(ns) is Severity.ERROR)
        return keys

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self._recompute_filter()
        self._rebuild()

    def reveal(self, key: str) -> bool:
        """Expand the ancestors of `key` and put the cursor on it; False if no such item exists now."""
        parts = key.split("/")
        for i in range(1, len(parts)):
            self._expanded.add("/".join(parts[:i]))
        self._rebuild(cursor=key)
        return self.cursor_key == key

    # --- building ------------------------------------------------------------------------------------

    def _recompute_filter(self) -> None:
        if not self.filter_text or self.tree_model is None:
            self._keep, self._matched = None, frozenset()
            return
        result = filter_model(self.tree_model, self.filter_text)
        self._keep, self._matched = result.keep, result.matched

    def _rebuild(self, cursor: str | None = None) -> None:
        if self.tree_model is None:
            return
        wanted = cursor or self.cursor_key
        scroll_y = self.scroll_y
        self.clear()
        self._node_by_key = {}
        self._add_items(self.root, self.tree_model.roots(), filtered=self._keep is not None)
        _ = self.last_line  # lay the lines out now so the scroll offset below is not clamped to an empty tree
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        target = self._nearest_node(wanted)
        if target is None and self.root.children:
            target = self.root.children[0]
        self.move_cursor(target, animate=False)

    def _nearest_node(self, key: str | None) -> TreeNode[TreeItem] | None:
        """The node for `key`, else its closest surviving ancestor (a deleted pod leaves the cursor nearby)."""
        while key:
            if key in self._node_by_key:
                return self._node_by_key[key]
            key = key.rsplit("/", 1)[0] if "/" in key else None
        return None

    def _add_items(self, parent: TreeNode[TreeItem], items: list[TreeItem], filtered: bool) -> None:
        assert self.tree_model is not None
        shown = 0
        for index, item in enumerate(items):
            if filtered and self._keep is not None and item.key not in self._keep:
                continue
            if shown == MAX_CHILDREN:
                # A filter that matches 20,000 pods must not put them all in the tree either.
                rest = sum(1 for i in items[index:] if self._keep is None or i.key in self._keep)
                more = TreeItem(f"{item.parent_key}/more", "more", "", hidden_count=rest)
                label = Text(f"… {rest:,} more matches: refine the filter", style=render.GREY)
                self._node_by_key[more.key] = parent.add_leaf(label, data=more)
                return
            shown += 1
            label = self.tree_model.label(item)
            if not self.tree_model.has_children(item):
                self._node_by_key[item.key] = parent.add_leaf(label, data=item)
                continue
            # Below a match everything is shown; above it, only the path to the matches.
            below_filtered = filtered and item.key not in self._matched
            expand = item.key in self._expanded or (below_filtered and self._keep is not None)
            node = parent.add(label, data=item, expand=expand)
            self._node_by_key[item.key] = node
            if expand:
                self._add_items(
                    node, self.tree_model.children(item, capped=not below_filtered), below_filtered
                )

    # --- events --------------------------------------------------------------------------------------

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeItem]) -> None:
        item = event.node.data
        if item is None:
            return
        self._expanded.add(item.key)
        if not event.node.children and self.tree_model is not None:
            self._add_items(event.node, self.tree_model.children(item), filtered=False)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[TreeItem]) -> None:
        if event.node.data is not None:
            self._expanded.discard(event.node.data.key)

    def _on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        if event.node.data is not None:
            self.post_message(self.ItemHighlighted(event.node.data))

    def _on_tree_node_selected(self, event: Tree.NodeSelected[TreeItem]) -> None:
        if event.node.data is not None:
            self.post_message(self.ItemSelected(event.node.data))

    def action_expand_or_child(self) -> None:
        """Right opens a node, or steps into it when already open (file-manager muscle memory)."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if node.is_expanded and node.children:
            self.move_cursor(node.children[0])
        else:
            node.expand()

    def action_collapse_or_parent(self) -> None:
        """Left closes an open node, otherwise jumps to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_expand_all_apps(self) -> None:
        for node in self.root.children:
            if node.data is not None and node.data.kind == "app":
                node.expand()

    def action_collapse_all(self) -> None:
        self._expanded.clear()
        self._rebuild()
