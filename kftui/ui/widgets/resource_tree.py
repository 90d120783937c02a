"""The left-hand tree: Applications -> namespaces -> resources and pods, plus what no app owns."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kftui.model import Severity
from kftui.ui import bindings, tree_keys
from kftui.ui.tree_model import FILTER_OVERFLOW, MAX_CHILDREN, FilterResult, TreeItem, TreeModel, filter_model

# Rows whose look and children follow from their topology node and object alone (with the same findings).
# The Unowned rows are not: their pods live in the topology's unowned map, outside any node.
SKIPPABLE = frozenset({"app", "namespace", "cluster", "resource", "pod"})


class ResourceTree(Tree[TreeItem]):
    """A tree kept in step with each new snapshot without losing what the user had open or selected.

    Children of a collapsed node are only created when it is expanded, so a huge cluster stays responsive.
    With a filter, only matching items and their ancestors are shown, ancestors expanded.
    """

    BINDINGS = bindings.TREE

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
        self._subtitle = ""  # what border_subtitle says now
        self._expanded: set[str] = set()
        self._node_by_key: dict[str, TreeNode[TreeItem]] = {}
        self._label_state: dict[str, tuple[object, ...]] = {}
        self._quiet: set[str] = set()
        self._reshaped = False
        self._reuse = False
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
        """Show a new snapshot's model, keeping expansion, the cursor and the scroll position.

        The first model opens the apps and namespaces that hold errors, so the first screen already shows
        the failing pod; after that the tree only opens what the user opens. `prefiltered` is the filter
        already applied to this model off the event loop, used when it is for the current filter text.
        """
        previous = self.tree_model
        if previous is None:
            self._expanded.update(self._error_paths(model))
        self.tree_model = model
        if prefiltered is not None and prefiltered.needle == self.filter_text:
            self._keep, self._matched = prefiltered.keep, prefiltered.matched
        else:
            self._recompute_filter()
        # Same findings and no filter: a row whose topology node (or object) is the very one shown already
        # looks the same and has the same rows below it, so its whole subtree can be skipped.
        self._reuse = previous is not None and self._keep is None and model.findings == previous.findings
        try:
            self._sync()
        finally:
            self._reuse = False

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
        self._sync()

    def reveal(self, key: str) -> bool:
        """Expand the ancestors of `key` and put the cursor on it; False if no such item exists now."""
        self._expanded.update(tree_keys.ancestor_keys(key))
        self._sync(cursor=key)
        return self.cursor_key == key

    # --- building ------------------------------------------------------------------------------------
    #
    # The tree is not rebuilt per snapshot: at 20,000 pods and 100 changes a second that cost most of the
    # event loop. Instead the built nodes are walked level by level against the new model. A level whose
    # rows (keys, and whether they can open) are unchanged keeps its nodes and redraws only the rows whose
    # label state changed; a level whose rows changed is rebuilt, and only that level.

    def _recompute_filter(self) -> None:
        if not self.filter_text or self.tree_model is None:
            self._keep, self._matched = None, frozenset()
            return
        result = filter_model(self.tree_model, self.filter_text)
        self._keep, self._matched = result.keep, result.matched

    def _sync(self, cursor: str | None = None) -> None:
        if self.tree_model is None:
            return
        # A filter that matches nothing says so on the border rather than leave an empty box. Set only when it
        # changes: Textual repaints the whole widget on every set of a border title, and this runs per batch.
        nothing = self._keep is not None and not self._keep
        subtitle = f"no match for {self.filter_text}" if nothing else ""
        if subtitle != self._subtitle:
            self._subtitle = subtitle
            self.border_subtitle = Text(subtitle)
        wanted = cursor or self.cursor_key
        self._reshaped = False
        self._sync_level(self.root, self.tree_model.roots(), filtered=self._keep is not None)
        if not self._reshaped and cursor is None:
            return  # every node stayed where it was, the cursor with it
        _ = self.last_line  # lay the lines out now: the cursor is placed by line number
        target = self._nearest_node(wanted)
        if target is None and self.root.children:
            target = self.root.children[0]
        if target is not self.cursor_node or cursor is not None:
            self.move_cursor(target, animate=False)

    def _nearest_node(self, key: str | None) -> TreeNode[TreeItem] | None:
        """The node for `key`, else its closest surviving ancestor (a deleted pod leaves the cursor nearby)."""
        while key:
            if key in self._node_by_key:
                return self._node_by_key[key]
            key = tree_keys.parent_key(key)
        return None

    def _rows(self, items: list[TreeItem], filtered: bool) -> list[TreeItem]:
        """The items one level shows: with a filter only kept ones, and at most MAX_CHILDREN of them."""
        if filtered and self._keep is not None:
            keep = self._keep
            items = [i for i in items if i.key in keep]
            if len(items) > MAX_CHILDREN:
                # A filter that matches 20,000 pods must not put them all in the tree either.
                rest = len(items) - MAX_CHILDREN
                more = TreeItem(
                    tree_keys.more_key(items[MAX_CHILDREN].parent_key or ""),
                    "more",
                    FILTER_OVERFLOW,
                    hidden_count=rest,
                )
                items = [*items[:MAX_CHILDREN], more]
        return items

    def _sync_level(self, parent: TreeNode[TreeItem], items: list[TreeItem], filtered: bool) -> None:
        assert self.tree_model is not None
        model = self.tree_model
        rows = self._rows(items, filtered)
        nodes = parent.children
        same_rows = len(nodes) == len(rows) and all(
            node.data is not None
            and node.data.key == row.key
            and node.allow_expand == model.has_children(row)
            for node, row in zip(nodes, rows, strict=True)
        )
        if not same_rows:
            self._reshaped = True
            if nodes:
                self._forget(parent)
                parent.remove_children()
            for row in rows:
                label = model.label(row)
                if model.has_children(row):
                    node = parent.add(label, data=row)
                else:
                    node = parent.add_leaf(label, data=row)
                self._node_by_key[row.key] = node
                self._label_state[row.key] = model.label_state(row)
                self._sync_children(node, row, filtered)
            return
        for node, row in zip(nodes, rows, strict=True):
            if self._reuse and self._unchanged(node, row):
                continue
            node.data = row
            state = model.label_state(row)
            if self._label_state.get(row.key) != state:
                self._label_state[row.key] = state
                node.set_label(model.label(row))
            self._sync_children(node, row, filtered)

    def _unchanged(self, node: TreeNode[TreeItem], row: TreeItem) -> bool:
        """Whether `row` is drawn from the same topology node or object as the row `node` shows, and `node` is
        open or closed as it should be: then neither its label nor anything below it can differ."""
        shown = node.data
        if (
            shown is None
            or row.kind not in SKIPPABLE
            or shown.obj is not row.obj
            or shown.node is not row.node
        ):
            return False
        return node.is_expanded == (row.key in self._expanded) and (node.is_expanded or not node.children)

    def _sync_children(self, node: TreeNode[TreeItem], item: TreeItem, filtered: bool) -> None:
        """Open or close `node` as the user (or the filter) wants it, and bring an open node's children along."""
        if not node.allow_expand or self.tree_model is None:
            return
        # Below a match everything is shown; above it, only the path to the matches, opened.
        below_filtered = filtered and item.key not in self._matched
        expand = item.key in self._expanded or (below_filtered and self._keep is not None)
        if expand != node.is_expanded:
            self._reshaped = True
            self._quiet.add(item.key)  # our own doing: the Expanded/Collapsed handlers must not record it
            if expand:
                node.expand()
            else:
                node.collapse()
        if expand:
            self._sync_level(node, self.tree_model.children(item, capped=not below_filtered), below_filtered)
        elif node.children:
            # Closed: drop its rows rather than keep them current; opening it builds them again.
            self._forget(node)
            node.remove_children()

    def _forget(self, parent: TreeNode[TreeItem]) -> None:
        """Drop the bookkeeping of every node below `parent` (they are about to be removed)."""
        stack = list(parent.children)
        while stack:
            node = stack.pop()
            if node.data is not None:
                self._node_by_key.pop(node.data.key, None)
                self._label_state.pop(node.data.key, None)
            stack.extend(node.children)

    def _filtered_at(self, node: TreeNode[TreeItem]) -> bool:
        """Whether `node`'s children are filtered: a filter is on and neither it nor an ancestor matched."""
        if self._keep is None:
            return False
        current: TreeNode[TreeItem] | None = node
        while current is not None and current is not self.root:
            if current.data is not None and current.data.key in self._matched:
                return False
            current = current.parent
        return True

    # --- events --------------------------------------------------------------------------------------

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeItem]) -> None:
        item = event.node.data
        if item is None or self._quiet_event(item.key):
            return
        self._expanded.add(item.key)
        if not event.node.children and self.tree_model is not None:
            filtered = self._filtered_at(event.node)
            self._sync_level(event.node, self.tree_model.children(item, capped=not filtered), filtered)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[TreeItem]) -> None:
        item = event.node.data
        if item is not None and not self._quiet_event(item.key):
            self._expanded.discard(item.key)

    def _quiet_event(self, key: str) -> bool:
        """True (once) for an Expanded/Collapsed message that _sync_children caused, not the user."""
        if key in self._quiet:
            self._quiet.discard(key)
            return True
        return False

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
        self._sync()
