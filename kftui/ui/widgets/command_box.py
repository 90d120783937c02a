"""The `:` command line: an input that completes with Tab and hands the typed line to the app on enter."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from kftui.ui.command_line import USAGE, Completion


class CommandBox(Input):
    """Hidden until `:`. What is typed is plain text (an Input never parses markup); esc closes it."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", priority=True, id="command.complete"),
        Binding("escape", "close", "Close", id="command.close"),
    ]

    class Entered(Message):
        """The user pressed enter on `text` (the app parses and runs it)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Completed(Message):
        """Tab found several candidates: the app shows them."""

        def __init__(self, candidates: tuple[str, ...]) -> None:
            super().__init__()
            self.candidates = candidates

    def __init__(self, completer: Callable[[str], Completion], *, id: str | None = None) -> None:
        super().__init__(placeholder=f"command: {USAGE}  (tab completes, esc closes)", id=id)
        self.completer = completer
        self.display = False

    def open(self) -> None:
        self.value = ""
        self.display = True
        # Now, not after the next refresh (what focus() does): keys typed right after the opening key
        # (a paste, a fast typist, tmux send-keys) must land here, not trigger the app's keys.
        self.screen.set_focus(self)

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(self.Entered(""))

    def action_complete(self) -> None:
        done = self.completer(self.value)
        self.value = done.text
        self.cursor_position = len(self.value)
        if len(done.candidates) > 1:
            self.post_message(self.Completed(done.candidates))

    def _on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is self:
            event.stop()
            text = self.value
            self.value = ""
            self.display = False
            self.post_message(self.Entered(text))
