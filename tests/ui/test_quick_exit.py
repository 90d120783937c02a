"""Quitting does not wait out the input thread's poll (kftui/ui/quick_exit.py); anything else still does."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.drivers.linux_driver import LinuxDriver

from kftui.ui.quick_exit import QuickExitDriver, quick_exit_driver


class _App:
    """The little of an App a driver touches while its input is disabled."""

    def post_message(self, message: Any) -> bool:
        return True


@pytest.fixture(autouse=True)
def _signals_kept() -> Iterator[None]:
    """A LinuxDriver installs handlers for SIGTSTP, SIGCONT and SIGWINCH: give pytest its own back."""
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT, signal.SIGWINCH)}
    yield
    for sig, handler in kept.items():
        signal.signal(sig, handler)


def _driver() -> tuple[QuickExitDriver, threading.Thread, threading.Event]:
    """A driver whose input thread, like Textual's, looks at its exit event only when a poll returns:
    here, when the test sets `poll_returns`."""
    driver = QuickExitDriver(_App())  # type: ignore[arg-type]
    driver.write = lambda data: None  # type: ignore[method-assign]
    driver.flush = lambda: None  # type: ignore[method-assign]
    poll_returns = threading.Event()

    def poll() -> None:
        while not driver.exit_event.is_set():
            poll_returns.wait()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    driver._key_thread = thread
    return driver, thread, poll_returns


async def test_leaving_tells_the_input_thread_to_stop_without_waiting_for_it() -> None:
    driver, thread, poll_returns = _driver()
    backstop = threading.Timer(10, poll_returns.set)  # a driver that joins fails here instead of hanging
    backstop.start()
    driver.stop_application_mode()  # what the app's exit calls
    backstop.cancel()
    assert thread.is_alive()  # returned while the poll still runs: Textual's join would still be waiting
    poll_returns.set()
    thread.join(30)
    assert not thread.is_alive() and driver.exit_event.is_set()  # it ended at its next look


async def test_a_suspend_still_waits_for_the_input_thread() -> None:
    """ctrl+z comes back: the next input thread must not start beside the old one, nor see a set exit event."""
    driver, thread, poll_returns = _driver()
    threading.Timer(0.05, poll_returns.set).start()
    driver.suspend_application_mode()
    assert not thread.is_alive() and not driver.exit_event.is_set()  # Textual's join, event cleared
    assert not driver._leaving


def test_only_textuals_terminal_driver_is_replaced() -> None:
    assert quick_exit_driver(LinuxDriver) is QuickExitDriver
    assert quick_exit_driver(HeadlessDriver) is HeadlessDriver
