"""The left-hand tree: Applications -> namespaces -> resources and pods, plus what no app owns."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kftui.ui.tree_model import TreeItem, TreeModel


class ResourceTree(Tree[TreeItem]):
    """A tree rebuilt from each new snapshot without losing what the user had open or selected.

    Children of a collapsed node are only created when it is expanded, so a huge cluster stays responsive.
    With a filter, only matching items and their ancestors are shown, ancestors expanded.
    """

    BINDINGS = [
        Binding("E", "expand_all_apps", "Expand apps", show=False, id="tree.expand-apps"),
        Binding("C", "collapse_all", "Collapse all", show=False, id="tree.collapse-all"),
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
        self._keep: set[str] | None = None
        self._matched: set[str] = set()

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

    def show_model(self, model: TreeModel) -> None:
        """Rebuild from a new snapshot's model, keeping expansion, the cursor and the scroll position."""
        self.tree_model = model
        self._recompute_filter()
        self._rebuild()

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
            self._keep, self._matched = None, set()
            return
        keep: set[str] = set()
        matched: set[str] = set()
        for item, ancestors in self.tree_model.walk():
            if self.tree_model.matches(item, self.filter_text):
                matched.add(item.key)
                keep.add(item.key)
                keep.update(ancestors)
        self._keep, self._matched = keep, matched

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
        for item in items:
            if filtered and self._keep is not None and item.key not in self._keep:
                continue
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

    def action_expand_all_apps(self) -> None:
        for node in self.root.children:
            if node.data is not None and node.data.kind == "app":
                node.expand()

    def action_collapse_all(self) -> None:
        self._expanded.clear()
        self._rebuild()
