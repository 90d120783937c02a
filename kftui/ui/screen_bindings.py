"""The keys of kftui's screens over the main one (help, confirm, ordered sync, port-forwards, logs, the text views,
prompts); ui/bindings.py holds the app's and the tree's and lists all of them for the help screen."""

from __future__ import annotations

from textual.binding import Binding, BindingType

HELP: list[BindingType] = [
    Binding("escape", "dismiss_help", "Close help", id="help.close"),
    Binding("q", "dismiss_help", "Close help", id="help.close-q"),
    Binding("question_mark", "dismiss_help", "Close help", key_display="?", id="help.close-question"),
]

FIX_CONFIRM: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="fix.cancel"),
    Binding("q", "cancel", "Cancel", show=False, id="fix.cancel-q"),
    Binding("question_mark", "help", "Help", key_display="?", id="fix.help"),
    Binding("ctrl+enter", "run", "Run the fix", id="fix.run", show=False),
]

ORDERED_SYNC: list[BindingType] = [
    Binding("escape", "close_or_cancel", "Cancel / close", id="ordered.close"),
    Binding("q", "close_or_cancel", "Cancel / close", show=False, id="ordered.close-q"),
    Binding("question_mark", "help", "Help", key_display="?", id="ordered.help"),
    Binding("s", "start", "Start", id="ordered.start"),
]

PORT_FORWARDS: list[BindingType] = [
    Binding("escape", "close", "Close", id="pf.close"),
    Binding("q", "close", "Close", show=False, id="pf.close-q"),
    Binding("question_mark", "help", "Help", key_display="?", id="pf.help"),
    Binding("n", "new_forward", "New forward", id="pf.new"),
    Binding("p", "probe", "Probe", id="pf.probe"),
    Binding("x", "stop_forward", "Stop forward", id="pf.stop"),
]

LOGS: list[BindingType] = [
    Binding("escape", "close", "Close", id="logs.close"),
    Binding("q", "close", "Close", show=False, id="logs.close-q"),
    Binding(
        "c",
        "next_container",
        "Container",
        tooltip="Next container (init containers too)",
        id="logs.container",
    ),
    Binding(
        "p",
        "toggle_previous",
        "Previous",
        tooltip="The previous instance's log, or the current",
        id="logs.previous",
    ),
    Binding(
        "f",
        "toggle_follow",
        "Follow",
        tooltip="Keep streaming new lines, or stop at the end",
        id="logs.follow",
    ),
    Binding(
        "s", "next_since", "Since", tooltip="Only lines newer than 1m, 5m, 15m, 1h, or all", id="logs.since"
    ),
    Binding(
        "t", "next_tail", "Tail", tooltip="Start from the last 100, 1000, 10000 lines, or all", id="logs.tail"
    ),
    Binding("w", "toggle_wrap", "Wrap", tooltip="Wrap long lines, or scroll sideways", id="logs.wrap"),
    Binding(
        "slash", "search", "Search", key_display="/", tooltip="Find text in the lines kept", id="logs.search"
    ),
    Binding("n", "next_match", "Next", tooltip="Next match", id="logs.next"),
    Binding("N", "previous_match", "Prev", tooltip="Previous match", id="logs.previous-match"),
    Binding("ctrl+s", "save", "Save", tooltip="Save the lines kept to a file", id="logs.save"),
]

TEXT_VIEW: list[BindingType] = [
    Binding("escape", "close", "Close", id="view.close"),
    Binding("q", "close", "Close", show=False, id="view.close-q"),
    Binding("slash", "search", "Search", key_display="/", tooltip="Find text", id="view.search"),
    Binding("n", "next_match", "Next", tooltip="Next match", id="view.next"),
    Binding("N", "previous_match", "Prev", tooltip="Previous match", id="view.previous-match"),
]

# The diff view is a text view (TEXT_VIEW's keys are inherited from its base screen) with these two more.
DIFF_VIEW: list[BindingType] = [
    Binding(
        "x",
        "fix",
        "Fix",
        tooltip="Preview and run the drift fix (ignoreDifferences) through the gate",
        id="diff.fix",
    ),
    Binding(
        "c",
        "copy_fix",
        "Copy YAML",
        tooltip="Copy the YAML to add to the Application (or to git)",
        id="diff.copy",
    ),
]

# The sync view is a text view too (TEXT_VIEW's keys are inherited), with the way to the blocker's finding.
SYNC_VIEW: list[BindingType] = [
    Binding(
        "enter",
        "show_finding",
        "Blocker's finding",
        tooltip="Close the view and highlight the finding that explains the blocker",
        id="sync.finding",
    ),
]

PROMPT: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
]

CONFIRM: list[BindingType] = [
    Binding("y", "yes", "Yes", id="confirm.yes"),
    Binding("n", "no", "No", id="confirm.no"),
    Binding("escape", "no", "No", show=False, id="confirm.escape"),
]
