"""ShutdownGuard's logic with its seams faked: which event triggers it, what it does, in which order, and what it
leaves as it found it. The real thing in a real terminal is tests/terminal/test_hangup.py."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kftui.lifecycle import ShutdownGuard


@dataclass
class Seams:
    """Records every call the guard makes to the outside, with the time it came."""

    exit_works: bool = True
    calls: list[tuple[str, object, float]] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)
    exited: threading.Event = field(default_factory=threading.Event)
    wakeups: list[list[tuple[int, int]]] = field(default_factory=list)
    woke: threading.Condition = field(default_factory=threading.Condition)

    def _note(self, what: str, arg: object = None) -> None:
        self.calls.append((what, arg, time.monotonic()))

    def request_exit(self, code: int) -> None:
        self._note("request_exit", code)
        if self.exit_works:
            self.exited.set()

    def cleanup(self) -> None:
        self._note("cleanup")

    def detach(self, fds: Sequence[int]) -> None:
        self._note("detach", list(fds))

    def hard_exit(self, code: int) -> None:
        self._note("hard_exit", code)
        self.ended.set()

    def on_wakeup(self, events: list[tuple[int, int]]) -> None:
        with self.woke:
            self.wakeups.append(events)
            self.woke.notify_all()

    def watcher_looks(self, times: int, nudge: Callable[[], None]) -> list[list[tuple[int, int]]]:
        """Wake the watcher `times` times, each once it is back from the one before (so it has polled the
        terminal that often and not acted); every wakeup since the first nudge, as poll reported it."""
        start = len(self.wakeups)
        for _ in range(times):
            seen = len(self.wakeups)
            nudge()
            with self.woke:
                assert self.woke.wait_for(lambda: len(self.wakeups) > seen, 5), "the watcher never woke"  # noqa: B023
        return self.wakeups[start:]

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def arg(self, name: str) -> object:
        return next(c[1] for c in self.calls if c[0] == name)

    def guard(self, fds: Sequence[int] = (), deadline: float = 0.3) -> ShutdownGuard:
        return ShutdownGuard(
            self.request_exit,
            self.cleanup,
            deadline=deadline,
            fds=fds,
            detach=self.detach,
            hard_exit=self.hard_exit,
            on_wakeup=self.on_wakeup,
        )


def _wakeup_fd() -> int:
    current = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(current)
    return current


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A real pty pair: (master, slave). The test may close the master; both are closed afterwards."""
    master, slave = os.openpty()
    yield master, slave
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


@pytest.fixture
def nudge() -> Iterator[Callable[[], None]]:
    """Wakes the guard's watcher for nothing, as a terminal resize does in the app: a signal the guard does not
    handle (SIGUSR1 here; it needs a Python handler to reach the wakeup fd, as Textual's SIGWINCH has)."""
    previous = signal.signal(signal.SIGUSR1, lambda *_: None)
    try:
        yield lambda: os.kill(os.getpid(), signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, previous)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGHUP, 129), (signal.SIGTERM, 143)])
def test_a_signal_detaches_stops_the_forwards_asks_the_app_to_exit_and_ends_with_128_plus_signal(
    sig: signal.Signals, code: int
) -> None:
    seams = Seams()
    guard = seams.guard(fds=[7], deadline=60.0)
    with guard:
        started = time.monotonic()
        os.kill(os.getpid(), sig)
        assert seams.exited.wait(5), "the app was never asked to exit"
    assert seams.ended.is_set()  # leaving the block ended it: the test did not wait for the deadline
    assert guard.exit_code == code and guard.reason == sig.name
    assert seams.arg("detach") == [7]
    assert seams.arg("request_exit") == code
    assert seams.arg("hard_exit") == code
    assert seams.names().index("detach") < seams.names().index("request_exit")
    assert "cleanup" in seams.names()
    # The app exited at once, so the process ends when the block does, long before the 60 s deadline.
    assert seams.calls[-1][2] - started < 30
    assert seams.names().count("hard_exit") == 1


def test_a_closed_terminal_without_any_signal_ends_with_129(
    terminal: tuple[int, int], nudge: Callable[[], None]
) -> None:
    """Under make, kftui gets no SIGHUP: the only sign is the hung-up tty (POLLHUP)."""
    master, slave = terminal
    seams = Seams()
    guard = seams.guard(fds=[slave])
    with guard:
        seams.watcher_looks(2, nudge)  # an open terminal, looked at twice: nothing to act on
        assert not guard.triggered.is_set()
        os.close(master)
        assert seams.exited.wait(5)
    assert guard.exit_code == 129 and guard.reason == "terminal closed"
    assert seams.arg("detach") == [slave]
    assert seams.ended.is_set()


def test_typing_on_the_terminal_does_not_wake_the_guard(
    terminal: tuple[int, int], nudge: Callable[[], None]
) -> None:
    """Only hangup, error and invalid-fd events are watched: pending input must not trigger it (nor spin it)."""
    master, slave = terminal
    seams = Seams()
    guard = seams.guard(fds=[slave])
    with guard:
        os.write(master, b"q\r")
        assert select.select([slave], [], [], 0)[0], "the input is there for the app to read"
        seams.watcher_looks(2, nudge)  # it has polled the terminal with the input pending, twice
        assert not guard.triggered.is_set()
        # A watcher that spins wakes without being nudged: on the tty's input (the terminal among poll's
        # events) or on nothing (a poll that times out at once). This one woke for the nudges and nothing else.
        with seams.woke:
            wakeups = list(seams.wakeups)
        assert len(wakeups) == 2 and all(events and slave not in dict(events) for events in wakeups), wakeups
    assert seams.calls == []
    assert guard.exit_code is None


def test_the_process_ends_once_the_forwards_are_stopped_when_that_is_before_the_deadline() -> None:
    seams = Seams()
    release = threading.Event()
    stopped = threading.Event()

    def slow_cleanup() -> None:
        release.wait(30)  # joining a forward's threads: they stop when the test says so
        stopped.set()

    def stop_the_forwards_once_the_app_has_exited() -> None:
        seams.exited.wait(5)
        release.set()

    guard = ShutdownGuard(
        seams.request_exit,
        slow_cleanup,
        deadline=60.0,
        fds=[],
        detach=seams.detach,
        hard_exit=seams.hard_exit,
    )
    with guard:
        started = time.monotonic()
        threading.Thread(target=stop_the_forwards_once_the_app_has_exited, daemon=True).start()
        os.kill(os.getpid(), signal.SIGTERM)
        assert seams.exited.wait(5)
    assert stopped.is_set(), "ended before the forwards were stopped"
    # Ended when the forwards stopped, not at the 60 s deadline.
    assert seams.ended.is_set() and time.monotonic() - started < 30


def test_an_app_that_does_not_exit_is_ended_at_the_deadline() -> None:
    seams = Seams(exit_works=False)
    guard = seams.guard(deadline=0.3)
    with guard:
        started = time.monotonic()
        os.kill(os.getpid(), signal.SIGTERM)
        assert seams.ended.wait(5), "no hard exit at the deadline"
        took = time.monotonic() - started
    assert 0.25 <= took < 10, took  # not before the deadline; the upper bound only says "not never"
    assert seams.arg("hard_exit") == 143
    assert seams.names().count("hard_exit") == 1  # leaving the block afterwards does not end it twice


def test_a_failing_step_does_not_stop_the_others() -> None:
    seams = Seams()

    def broken_cleanup() -> None:
        raise RuntimeError("forward already gone")

    def broken_detach(fds: Sequence[int]) -> None:
        raise OSError("EBADF")

    guard = ShutdownGuard(
        seams.request_exit,
        broken_cleanup,
        deadline=0.3,
        fds=[],
        detach=broken_detach,
        hard_exit=seams.hard_exit,
    )
    with guard:
        os.kill(os.getpid(), signal.SIGHUP)
        assert seams.exited.wait(5)
    assert seams.arg("hard_exit") == 129


def test_leaving_normally_restores_handlers_and_the_wakeup_fd_and_stops_the_watcher() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGHUP, signal.SIGTERM)}
    wakeup_before = _wakeup_fd()
    threads_before = set(threading.enumerate())
    seams = Seams()
    guard = seams.guard()
    with guard:
        assert signal.getsignal(signal.SIGTERM) not in (before[signal.SIGTERM], signal.SIG_DFL)
        assert _wakeup_fd() not in (wakeup_before, -1)
    assert {sig: signal.getsignal(sig) for sig in before} == before
    assert _wakeup_fd() == wakeup_before
    assert set(threading.enumerate()) <= threads_before
    assert seams.calls == [] and guard.exit_code is None


def test_whoever_had_the_wakeup_fd_before_still_hears_its_signals() -> None:
    """asyncio's add_signal_handler, for one, relies on the wakeup fd; the guard forwards what it reads."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous_handler = signal.signal(signal.SIGUSR1, lambda *_: None)
    previous_wakeup = signal.set_wakeup_fd(write_end)
    try:
        seams = Seams()
        with seams.guard():
            os.kill(os.getpid(), signal.SIGUSR1)
            ready, _, _ = select.select([read_end], [], [], 2)
            assert ready and os.read(read_end, 16) == bytes([signal.SIGUSR1])
        assert seams.calls == []  # a signal the guard does not handle changes nothing
        assert _wakeup_fd() == write_end
    finally:
        signal.set_wakeup_fd(previous_wakeup)
        signal.signal(signal.SIGUSR1, previous_handler)
        os.close(read_end)
        os.close(write_end)


def test_outside_the_main_thread_it_still_watches_the_terminal(terminal: tuple[int, int]) -> None:
    """Handlers can only be set from the main thread; the guard leaves them alone there and keeps the rest."""
    master, slave = terminal
    seams = Seams()
    before = signal.getsignal(signal.SIGTERM)
    errors: list[BaseException] = []

    def body() -> None:
        try:
            guard = seams.guard(fds=[slave])
            with guard:
                assert signal.getsignal(signal.SIGTERM) == before
                os.close(master)
                assert seams.exited.wait(5)
            assert guard.exit_code == 129
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join(10)
    assert not errors, errors


DETACH_PROBE = """
import os, select, sys
from kftui.lifecycle import detach_from_terminal
report = open(sys.argv[1], "w")
master, slave = os.openpty()
for fd in (0, 1, 2):
    os.dup2(slave, fd)
os.close(master)  # the terminal goes away
try:
    os.write(1, b"x")
    report.write("write ok before\\n")
except OSError as exc:
    report.write(f"write error before: {exc.errno}\\n")
readable = select.select([0], [], [], 0.2)[0]
report.write(f"input readable before: {bool(readable)} {os.read(0, 10) if readable else b''!r}\\n")
detach_from_terminal([0, 1, 2])
os.write(1, b"x")
os.write(2, b"x")
report.write("write ok after\\n")
report.write(f"input readable after: {bool(select.select([0], [], [], 0)[0])}\\n")  # asked now: no window to wait out
"""


def test_detaching_turns_a_dead_terminal_into_quiet_fds(tmp_path: Path) -> None:
    """On a hung-up tty a write fails (EIO) and input is always 'readable' with nothing in it: the spin.
    Afterwards writes go nowhere and input blocks. Run in a child: it rewires fds 0-2."""
    report = tmp_path / "report.txt"
    subprocess.run([sys.executable, "-c", DETACH_PROBE, str(report)], check=True, timeout=30, cwd=Path.cwd())
    lines = report.read_text().splitlines()
    assert lines == [
        "write error before: 5",
        "input readable before: True b''",
        "write ok after",
        "input readable after: False",
    ]
