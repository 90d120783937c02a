"""Every key kftui answers to, in one table: the app, the tree and each screen take their BINDINGS from here.

Each binding has an id (so a keymap can remap it) and a description (so the footer and the help screen can
show it). The help screen lists the keys of `help_sources()`, the same lists the widgets bind.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Tree

from kftui.ui.screen_bindings import (
    CONFIRM,
    DIFF_VIEW,
    FIX_CONFIRM,
    HELP,
    LOGS,
    ORDERED_SYNC,
    PORT_FORWARDS,
    PROMPT,
    SYNC_VIEW,
    TEXT_VIEW,
)

APP: list[BindingType] = [
    Binding("q", "quit", "Quit", tooltip="Leave kftui; nothing is changed in the cluster", id="app.quit"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="This list", id="app.help"),
    Binding(
        "slash",
        "filter",
        "Filter",
        key_display="/",
        tooltip="Filter the tree by name or any status a row shows",
        priority=True,  # see OPENERS
        id="app.filter",
    ),
    Binding(
        "colon",
        "command_line",
        "Command",
        key_display=":",
        tooltip=":apps :app NAME :pods :ns NAME :ctx :help :q (tab completes)",
        priority=True,  # see OPENERS
        id="app.command",
    ),
    Binding(
        "escape",
        "clear",
        "Clear",
        key_display="esc",
        tooltip="Back: close the filter, then focus the tree, then undo the narrowing",
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
        "c",
        "copy_command",
        "Copy fix",
        tooltip="Copy the chosen fix's command (OSC 52, works over SSH and in tmux)",
        id="app.copy-command",
    ),
    Binding(
        "l",
        "logs",
        "Logs",
        tooltip="Stream the selected pod's logs (live clusters only)",
        id="app.logs",
    ),
    Binding(
        "y",
        "yaml",
        "YAML",
        tooltip="The selected object as YAML (managedFields hidden, secrets masked)",
        id="app.yaml",
    ),
    Binding(
        "v",
        "events",
        "Events",
        tooltip="Events timeline of the selected app or resource, newest first",
        id="app.events",
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
    Binding("d", "describe", "Describe", show=False, tooltip="Describe the selected row", id="app.describe"),
    Binding(
        "D",
        "diff",
        "Diff",
        show=False,
        tooltip="Desired vs live of the selected app: the drifting fields, why, and the fix (Argo CD API)",
        id="app.diff",
    ),
    Binding(
        "S",
        "sync_view",
        "Sync view",
        show=False,
        tooltip="The selected app's sync: operation, waves, hooks, and what blocks it now (live)",
        id="app.sync-view",
    ),
    Binding(
        "ctrl+d",
        "delete_pod",
        "Delete pod",
        show=False,
        tooltip="Delete the selected pod: preview and confirm first",
        id="app.delete",
    ),
    Binding("j", "move('down')", "Down", show=False, tooltip="Move down in the focused pane", id="app.down"),
    Binding("k", "move('up')", "Up", show=False, tooltip="Move up in the focused pane", id="app.up"),
    Binding("g", "move('top')", "Top", show=False, tooltip="First row of the focused pane", id="app.top"),
    Binding(
        "G", "move('bottom')", "Bottom", show=False, tooltip="Last row of the focused pane", id="app.bottom"
    ),
    *[
        Binding(
            str(n),
            f"pick_fix({n})",
            f"Fix {n}",
            show=False,
            tooltip=f"Choose fix {n} of the highlighted finding (x runs it)",
            id=f"app.fix-{n}",
        )
        for n in range(1, 10)
    ],
    # k9s keys kftui has no action for: a one-line hint instead of silence (hints.NO_ACTION says why).
    Binding(
        "s",
        "hint('shell')",
        "No shell",
        show=False,
        tooltip="k9s shell: use kubectl exec",
        id="app.hint-shell",
    ),
    Binding(
        "ctrl+k",
        "hint('kill')",
        "No kill",
        show=False,
        tooltip="k9s kill: ctrl+d deletes",
        id="app.hint-kill",
    ),
    Binding(
        "0",
        "hint('favourite')",
        "No favourites",
        show=False,
        tooltip="k9s namespace favourites: :ns NAME",
        id="app.hint-favourite",
    ),
    Binding("ctrl+w", "hint('wide')", "No wide", show=False, tooltip="k9s wide view: d", id="app.hint-wide"),
    Binding(
        "F",
        "hint('port-forward')",
        "No pod forwards",
        show=False,
        tooltip="k9s port-forward: p forwards the gateway",
        id="app.hint-port-forward",
    ),
]

# Keys that move the focus into an input. They are priority bindings, run as the key arrives: a normal binding
# runs only after the key went to the focused widget and bubbled back, and the keys typed right after it (`:pods`
# sent at once by tmux, a paste, a fast typist) would already be on their way to the old focus, as app keys (`p`
# opened Port-forwards). Inside an input these keys are text: check_action refuses them there.
OPENERS = frozenset({"filter", "command_line"})

# The app's actions that still apply while a screen is open over the main one: moving, quitting, and tab /
# shift+tab between that screen's buttons (a screen's tab runs the app's focus action).
OVER_A_SCREEN = frozenset({"move", "quit", "focus_next", "focus_previous"})

# The app's actions that act on the tree or the findings: until there is something to look at, their keys
# do nothing and leave the footer.
NEEDS_DATA = frozenset(
    {
        "filter",
        "clear",
        "all_findings",
        "toggle_errors_only",
        "copy_command",
        "logs",
        "yaml",
        "events",
        "focus_findings",
        "focus_tree",
        "describe",
        "diff",
        "sync_view",
        "delete_pod",
        "pick_fix",
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

# The findings list: root causes lead, the findings they led to fold under them (causes.py links them).
FINDINGS: list[BindingType] = [
    Binding(
        "right",
        "unfold",
        "Unfold",
        show=False,
        tooltip="Show the findings the highlighted root cause led to",
        id="findings.unfold",
    ),
    Binding(
        "left",
        "fold",
        "Fold",
        show=False,
        tooltip="Fold the consequences back under their root cause",
        id="findings.fold",
    ),
]


# Every binding kftui defines, by where it applies (for the id/description contract and its test).
ALL: dict[str, list[BindingType]] = {
    "app": APP,
    "tree": TREE,
    "findings": FINDINGS,
    "help": HELP,
    "fix-confirm": FIX_CONFIRM,
    "ordered-sync": ORDERED_SYNC,
    "port-forwards": PORT_FORWARDS,
    "logs": LOGS,
    "text-view": TEXT_VIEW,
    "diff-view": DIFF_VIEW,
    "sync-view": SYNC_VIEW,
    "prompt": PROMPT,
    "confirm": CONFIRM,
}


def help_sources() -> list[tuple[str, list[BindingType]]]:
    """What the help screen lists, grouped by where the keys apply: ours and the Textual ones they extend
    (the help screen adds its own)."""
    return [
        ("everywhere", APP + list(App.BINDINGS)),
        ("tree", TREE + list(Tree.BINDINGS)),
        ("findings", FINDINGS),
        ("lists", list(OptionList.BINDINGS)),
        ("logs (l)", LOGS),
        ("YAML and events (y, v)", TEXT_VIEW),
        ("diff (D)", DIFF_VIEW),
        ("sync view (S)", SYNC_VIEW),
    ]
