"""The tree's filter box: hidden until `/`, and applying what is typed only once typing pauses."""

from __future__ import annotations

from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

DEBOUNCE_SECONDS = 0.15


class FilterBox(Input):
    """Filtering walks every item of the tree model, and at 20,000 pods a walk per key would lag: the box
    posts Applied once typing pauses for DEBOUNCE_SECONDS, or at once on enter. The app filters the tree."""

    class Applied(Message):
        """Filter the tree by `text` now; `submitted` when the user pressed enter (done filtering)."""

        def __init__(self, text: str, submitted: bool) -> None:
            super().__init__()
            self.text = text
            self.submitted = submitted

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter: name or pod status (esc clears)", id=id)
        self.display = False
        self.applied = ""
        """The filter last applied, as the tree normalises it: typing back to it applies nothing."""
        self._timer: Timer | None = None

    def open(self) -> None:
        self.display = True
        # Now, not after the next refresh (what focus() does): keys typed right after the opening key
        # (a paste, a fast typist, tmux send-keys) must land here, not trigger the app's keys.
        self.screen.set_focus(self)

    def reset(self) -> None:
        """Empty and hide the box, dropping a pending apply; the caller clears the tree's filter."""
        self._stop_timer()
        self.value = ""
        self.display = False
        self.applied = ""

    def _on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        self._stop_timer()
        if event.value.strip().lower() != self.applied:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, self._apply)

    def _on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is self:
            self._stop_timer()
            self._apply(submitted=True)

    def _apply(self, submitted: bool = False) -> None:
        self._timer = None
        self.applied = self.value.strip().lower()
        self.post_message(self.Applied(self.value, submitted))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
