"""ShutdownGuard: when the terminal goes away (SIGHUP, SIGTERM, a closed pty), stop every forward and exit.

Why it is needed. Under `make demo` in tmux, `tmux kill-session` hangs up the pty: the kernel sends SIGHUP to
the session leader only, which is make; make catches it and waits for its children. kftui gets no signal at
all, and Textual's input thread spins on the hung-up tty (select says readable, read returns EOF) at a full
core, with every port-forward still listening. Started directly, kftui is the session leader and SIGHUP's
default action killed it without stopping anything in order. An SSH drop is the same hangup.

How. SIGHUP and SIGTERM get Python handlers, and a pipe is the signal wakeup fd: the C-level handler writes
the signal number there whichever thread the kernel picked, so nothing depends on when the main thread (busy
in Textual's event loop) runs Python handlers. One watcher thread polls that pipe and the terminal's fds for
POLLHUP/POLLERR/POLLNVAL only (typing never wakes it). On the first of these it:
  1. points the terminal fds away from the dead tty (stdout/stderr to /dev/null, stdin to a pipe nobody
     writes), so no write can block or raise and Textual's input thread blocks instead of spinning;
  2. starts the cleanup (the fix runtime's close(): every port-forward) and the exit request, each in its own
     thread, so neither can hold up the other or the deadline;
  3. gives the process DEADLINE seconds to end by itself, then os._exit(128 + signal), 129 for a closed
     terminal. When the guarded block ends first (the app exited, typically 0.1-0.25 s) and the cleanup is
     done, the process ends right there with the same code: there is nobody to return to, and finalizing an
     interpreter holding Textual and the Kubernetes client took another 0.7 s on the 2-core machine.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType, TracebackType
from typing import Any

log = logging.getLogger(__name__)

DEADLINE = 0.75
SIGNALS = (signal.SIGHUP, signal.SIGTERM)
HANGUP_EXIT = 128 + signal.SIGHUP
_STOP = 0  # no signal has number 0: this byte on the pipe means "the guarded block ended normally"
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def terminal_fds() -> list[int]:
    """The standard fds that are a terminal: the ones whose hangup means the user is gone."""
    return [fd for fd in (0, 1, 2) if _isatty(fd)]


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def detach_from_terminal(fds: Sequence[int]) -> None:
    """Point the given standard fds away from a dead terminal.

    Output goes to /dev/null: on a hung-up tty a write raises EIO, which kills Textual's writer thread, and
    its bounded queue then blocks the next write forever. Input becomes the read end of a pipe whose write end
    stays open and unwritten, so a read blocks instead of returning EOF again and again (the spin).
    """
    outputs = [fd for fd in fds if fd != 0]
    if outputs:
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in outputs:
            os.dup2(null, fd)
        os.close(null)
    if 0 in fds:
        idle, _keep_open = os.pipe()  # the write end is never closed: no EOF for as long as the process lives
        os.dup2(idle, 0)
        os.close(idle)


class ShutdownGuard:
    """Context manager around `app.run()` (see cli.cmd_tui); `exit_code` is set once it has acted.

    `request_exit(code)` asks the app to exit (it is called from a helper thread, so it may block);
    `cleanup()` stops what must not outlive the process's purpose (every port-forward). The other arguments
    are seams for the tests: which fds are the terminal, how to detach from it, how to end the process, and
    `on_wakeup(events)`, called with poll's events each time the watcher woke and goes back to waiting (so a
    test knows the watcher has looked at the terminal, and whether anything but its pipe woke it).
    """

    def __init__(
        self,
        request_exit: Callable[[int], object],
        cleanup: Callable[[], object],
        *,
        deadline: float = DEADLINE,
        fds: Sequence[int] | None = None,
        detach: Callable[[Sequence[int]], None] = detach_from_terminal,
        hard_exit: Callable[[int], object] = os._exit,
        on_wakeup: Callable[[list[tuple[int, int]]], object] | None = None,
    ) -> None:
        self.request_exit = request_exit
        self.cleanup = cleanup
        self.deadline = deadline
        self._fds = fds
        self._detach = detach
        self._hard_exit = hard_exit
        self._on_wakeup = on_wakeup
        self.exit_code: int | None = None
        self.reason = ""
        self.triggered = threading.Event()
        self._watched: list[int] = []
        self._pipe: tuple[int, int] | None = None
        self._previous_handlers: dict[int, Any] = {}
        self._previous_wakeup = -1
        self._owns_signals = False
        self._watcher: threading.Thread | None = None
        self._cleaner: threading.Thread | None = None
        self._deadline_at = 0.0
        self._end_lock = threading.Lock()
        self._ended = False

    # --- the guarded block ------------------------------------------------------------------------

    def __enter__(self) -> ShutdownGuard:
        read_end, write_end = os.pipe()
        for fd in (read_end, write_end):
            os.set_blocking(fd, False)  # set_wakeup_fd requires it, and a full pipe must not block a handler
        self._pipe = (read_end, write_end)
        self._watched = list(terminal_fds() if self._fds is None else self._fds)
        # Signal handlers and the wakeup fd can only be set from the main thread; elsewhere (a test runner's
        # thread) the guard still watches the terminal.
        self._owns_signals = threading.current_thread() is threading.main_thread()
        if self._owns_signals:
            for sig in SIGNALS:
                self._previous_handlers[sig] = signal.signal(sig, self._on_signal)
            self._previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        self._watcher = threading.Thread(target=self._watch, name="kftui-shutdown-guard", daemon=True)
        self._watcher.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._owns_signals:
            signal.set_wakeup_fd(self._previous_wakeup)
            for sig, handler in self._previous_handlers.items():
                signal.signal(sig, handler)
            self._previous_handlers.clear()
        if self.triggered.is_set():
            # The app has exited: wait (until the deadline at most) for the forwards to stop, then end.
            if self._cleaner is not None:
                self._cleaner.join(timeout=max(0.0, self._deadline_at - time.monotonic()))
            self._end()
            return
        self._wake(_STOP)
        if self._watcher is not None:
            self._watcher.join(timeout=1.0)
            if self._watcher.is_alive():
                return  # a hangup raced the end of the block; the watcher still needs its pipe
        if self._pipe is not None:
            for fd in self._pipe:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._pipe = None

    # --- signals and the watcher ------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """The Python-level handler (main thread). The wakeup fd already carried the signal to the watcher;
        writing it again covers a wakeup fd that something else replaced while the app ran."""
        self._wake(signum)

    def _wake(self, byte: int) -> None:
        if self._pipe is not None:
            with contextlib.suppress(OSError):  # full (the watcher is behind) or closed: it is awake anyway
                os.write(self._pipe[1], bytes([byte]))

    def _watch(self) -> None:
        assert self._pipe is not None
        read_end = self._pipe[0]
        poller = select.poll()
        poller.register(read_end, select.POLLIN)
        for fd in self._watched:
            poller.register(fd, 0)  # no events asked for: hangup, error and an invalid fd are always reported
        while True:
            events = poller.poll()
            for fd, mask in events:
                if fd == read_end:
                    data = self._drain(read_end)
                    caught = [b for b in data if b in SIGNALS]
                    if caught:
                        self._shutdown(128 + caught[0], signal.Signals(caught[0]).name)
                        return
                    if _STOP in data:
                        return
                elif mask & _GONE:
                    self._shutdown(HANGUP_EXIT, "terminal closed")
                    return
            if self._on_wakeup is not None:
                self._on_wakeup(events)

    def _drain(self, fd: int) -> bytes:
        chunks = []
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(fd, 512):
                chunks.append(chunk)
        data = b"".join(chunks)
        if self._previous_wakeup >= 0 and data:
            with contextlib.suppress(OSError):  # whoever had the wakeup fd before still hears its signals
                os.write(self._previous_wakeup, data)
        return data

    # --- acting -----------------------------------------------------------------------------------

    def _shutdown(self, code: int, reason: str) -> None:
        self._deadline_at = time.monotonic() + self.deadline
        self.exit_code, self.reason = code, reason
        try:
            self._detach(self._watched)
        except OSError as exc:
            log.debug("detaching from the terminal failed: %s", exc)
        self._cleaner = _start(self.cleanup, "cleanup")
        self.triggered.set()  # after the cleanup started: __exit__ waits for it
        _start(lambda: self.request_exit(code), "exit")
        time.sleep(max(0.0, self._deadline_at - time.monotonic()))
        self._end()

    def _end(self) -> None:
        """End the process with the exit code, once (the watcher at the deadline or __exit__, whichever is first)."""
        with self._end_lock:
            if self._ended or self.exit_code is None:
                return
            self._ended = True
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # they point at /dev/null now; a buffered line is harmless
                if stream is not None:
                    stream.flush()
        self._hard_exit(self.exit_code)


def _start(action: Callable[[], object], name: str) -> threading.Thread:
    thread = threading.Thread(target=_quietly, args=(action,), name=f"kftui-shutdown-{name}", daemon=True)
    thread.start()
    return thread


def _quietly(action: Callable[[], object]) -> None:
    """Run one shutdown step; a failure must not stop the others (the terminal is gone, nobody can read it)."""
    try:
        action()
    except Exception as exc:
        log.debug("shutdown step failed: %s", exc)
