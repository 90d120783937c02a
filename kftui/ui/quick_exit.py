"""The terminal driver kftui runs on: Textual's own, except that quitting does not wait out the input poll.

On the way out Textual's LinuxDriver tells its input thread to stop and joins it, and the thread only looks
between polls of the terminal (`select` with a 0.1 s timeout): measured in tmux, that join was 115-155 ms of
a 250-300 ms quit (`q` to the shell prompt) on a loaded machine. kftui ends the process right after the app
(cli.run, os._exit), so when leaving, the thread is told to stop and not waited for. A key it still reads in
that last poll goes nowhere, as Textual's own input flush would have discarded it. A suspend (ctrl+z) comes
back and starts a new input thread, so there the join stays.
"""

from __future__ import annotations

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver


def quick_exit_driver(default: type[Driver]) -> type[Driver]:
    """QuickExitDriver where Textual would run its LinuxDriver; any other driver (headless, web) as it is."""
    return QuickExitDriver if default is LinuxDriver else default


class QuickExitDriver(LinuxDriver):
    """LinuxDriver that, when the application mode stops for good, does not join the input thread."""

    _leaving = False
    _suspending = False

    def suspend_application_mode(self) -> None:
        """ctrl+z (and App.suspend) stops the application mode too, but comes back: the input thread must be
        gone before the next one starts, and the exit event clear, so Textual's join stays."""
        self._suspending = True
        try:
            super().suspend_application_mode()
        finally:
            self._suspending = False

    def stop_application_mode(self) -> None:
        self._leaving = not self._suspending
        super().stop_application_mode()

    def disable_input(self) -> None:
        thread = self._key_thread
        if not self._leaving or thread is None or self.exit_event.is_set():
            super().disable_input()
            return
        self._key_thread = None  # so Textual's disable_input sets the event and skips the join ...
        super().disable_input()
        self.exit_event.set()  # ... and clears the event after it: set again, the thread ends at its next poll
