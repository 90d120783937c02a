"""Every key kftui answers to, in one table: the app, the tree and each screen take their BINDINGS from here.

Each binding has an id (so a keymap can remap it) and a description (so the footer and the help screen can
show it). The help screen lists the keys of `help_sources()`, the same lists the widgets bind.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Tree

APP: list[BindingType] = [
    Binding("q", "quit", "Quit", tooltip="Leave kftui; nothing is changed in the cluster", id="app.quit"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="This list", id="app.help"),
    Binding(
        "slash",
        "filter",
        "Filter",
        key_display="/",
        tooltip="Filter the tree by name or pod status",
        id="app.filter",
    ),
    Binding(
        "escape",
        "clear",
        "Clear",
        key_display="esc",
        tooltip="Clear the filter, then the narrowing",
        id="app.clear",
    ),
    Binding(
        "a",
        "all_findings",
        "All findings",
        tooltip="Undo the narrowing chosen in the tree",
        id="app.all-findings",
    ),
    Binding(
        "e",
        "toggle_errors_only",
        "Errors only",
        tooltip="Hide warnings and info, or show them again",
        id="app.errors-only",
    ),
    Binding(
        "y",
        "copy_command",
        "Copy fix",
        tooltip="Copy the highlighted fix's command",
        id="app.copy-command",
    ),
    Binding(
        "r",
        "refresh",
        "Refresh",
        tooltip="Load the cluster state again from the source",
        id="app.refresh",
    ),
    Binding(
        "f",
        "focus_findings",
        "Focus findings",
        show=False,
        tooltip="Walk the findings; the tree follows",
        id="app.focus-findings",
    ),
    Binding(
        "t",
        "focus_tree",
        "Focus tree",
        show=False,
        tooltip="Back to the tree; enter narrows findings",
        id="app.focus-tree",
    ),
    Binding(
        "x",
        "run_fix",
        "Run fix",
        tooltip="Preview, confirm and run the highlighted fix",
        id="app.run-fix",
    ),
    Binding(
        "o",
        "ordered_sync",
        "Ordered sync",
        tooltip="Sync the profile's dependency chain in order",
        id="app.ordered-sync",
    ),
    Binding(
        "p",
        "port_forwards",
        "Port-forwards",
        tooltip="Forward the gateway to localhost and probe it",
        id="app.port-forwards",
    ),
]

# The app's actions that act on the tree or the findings: until there is something to look at, their keys
# do nothing and leave the footer.
NEEDS_DATA = frozenset(
    {
        "filter",
        "clear",
        "all_findings",
        "toggle_errors_only",
        "copy_command",
        "focus_findings",
        "focus_tree",
    }
)

TREE: list[BindingType] = [
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

HELP: list[BindingType] = [
    Binding("escape", "dismiss_help", "Close help", id="help.close"),
    Binding("question_mark", "dismiss_help", "Close help", key_display="?", id="help.close-question"),
]

FIX_CONFIRM: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="fix.cancel"),
    Binding("ctrl+enter", "run", "Run the fix", id="fix.run", show=False),
]

ORDERED_SYNC: list[BindingType] = [
    Binding("escape", "close_or_cancel", "Cancel / close", id="ordered.close"),
    Binding("s", "start", "Start", id="ordered.start"),
]

PORT_FORWARDS: list[BindingType] = [
    Binding("escape", "close", "Close", id="pf.close"),
    Binding("n", "new_forward", "New forward", id="pf.new"),
    Binding("p", "probe", "Probe", id="pf.probe"),
    Binding("x", "stop_forward", "Stop forward", id="pf.stop"),
]

# Every binding kftui defines, by where it applies (for the id/description contract and its test).
ALL: dict[str, list[BindingType]] = {
    "app": APP,
    "tree": TREE,
    "help": HELP,
    "fix-confirm": FIX_CONFIRM,
    "ordered-sync": ORDERED_SYNC,
    "port-forwards": PORT_FORWARDS,
}


def help_sources() -> list[tuple[str, list[BindingType]]]:
    """What the help screen lists, grouped by where the keys apply: ours and the Textual ones they extend
    (the help screen adds its own)."""
    return [
        ("everywhere", APP + list(App.BINDINGS)),
        ("tree", TREE + list(Tree.BINDINGS)),
        ("lists", list(OptionList.BINDINGS)),
    ]
