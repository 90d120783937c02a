"""Real terminals for the hangup tests: tmux sessions on a server of their own, and raw ptys closed under a process.

`Tmux` runs a command in a detached session on a private server (`tmux -L <unique name>`), so a test never
sees or kills anyone else's sessions; `RawPty` runs a command with a pty this test holds the master of, so the
test can close the terminal under it. Both remember every process they started (by pid and start time, so a
reused pid is never touched) and kill what is left when they close: a test that fails must not leave kftui
spinning. `wait_gone` measures how long processes took to go.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shutil
import signal
import struct
import subprocess
import termios
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

ROWS, COLS = 40, 120
# Set in the environment these win over the terminal's real size (shutil.get_terminal_size reads them first).
SIZE_VARIABLES = ("COLUMNS", "LINES")


def _environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SIZE_VARIABLES and k != "TEXTUAL_DRIVER"}
    return {**env, **(extra or {})}


@dataclass(frozen=True)
class Proc:
    """One process, identified by pid and start time (field 22 of /proc/PID/stat)."""

    pid: int
    started: int
    cmdline: str

    @classmethod
    def of(cls, pid: int) -> Proc | None:
        stat = _stat(pid)
        if stat is None:
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmdline = ""
        return cls(pid, int(stat[19]), cmdline.strip())

    @property
    def alive(self) -> bool:
        """Running (a zombie nobody has reaped yet counts as gone: it holds no port and burns no CPU)."""
        stat = _stat(self.pid)
        return stat is not None and int(stat[19]) == self.started and stat[0] not in ("Z", "X")

    def kill(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None when there is no such pid."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            tree.setdefault(int(stat[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[Proc]:
    """`pid` and every process below it, parents first."""
    tree = children_of()
    found: list[Proc] = []
    todo = [pid]
    while todo:
        current = todo.pop(0)
        if (proc := Proc.of(current)) is not None:
            found.append(proc)
        todo.extend(tree.get(current, []))
    return found


def wait_gone(procs: Iterable[Proc], timeout: float) -> float | None:
    """Seconds until every process is gone, or None if some are still running after `timeout`."""
    procs = list(procs)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not any(p.alive for p in procs):
            return time.monotonic() - started
        time.sleep(0.01)
    return None


def wait_for_process(root: int, needle: str, timeout: float = 30.0) -> Proc:
    """The first process at or below `root` whose command line contains `needle`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in descendants(root):
            if needle in proc.cmdline:
                return proc
        time.sleep(0.05)
    raise TimeoutError(f"no process {needle!r} below pid {root} after {timeout:.0f} s")


def cpu_seconds(proc: Proc) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    stat = _stat(proc.pid)
    if stat is None:
        return 0.0
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


class Tmux:
    """A detached tmux session on a private server running `command` (a shell command line)."""

    def __init__(
        self,
        command: str,
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        rows: int = ROWS,
        cols: int = COLS,
    ) -> None:
        self.socket = f"kftui-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.command = command
        self.cwd = cwd
        self.env = env
        self.size = (rows, cols)
        self.procs: list[Proc] = []

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=30,
            env=_environment(),  # the server, started by the first call, hands its environment to the pane
        )

    def start(self) -> Tmux:
        rows, cols = self.size
        extra = [arg for k, v in (self.env or {}).items() for arg in ("-e", f"{k}={v}")]
        self.tmux(
            "new-session", "-d", "-s", "main", "-x", str(cols), "-y", str(rows), "-c", str(self.cwd),
            *extra, self.command,
        )  # fmt: skip
        return self

    def pane_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "main", "#{pane_pid}").stdout.strip())

    def track(self, needle: str, timeout: float = 30.0) -> Proc:
        """Wait for the process `needle` in the pane and remember it and everything from the pane down."""
        found = wait_for_process(self.pane_pid(), needle, timeout)
        self.procs = descendants(self.pane_pid())
        return found

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main", check=False).stdout

    def send_keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise TimeoutError(f"{text!r} not on the screen after {timeout:.0f} s; it shows:\n{screen}")

    def kill_session(self) -> None:
        self.tmux("kill-session", "-t", "main")

    def close(self) -> None:
        """Kill the server and then whatever it leaves running (kftui under make survives a hangup unfixed)."""
        with contextlib.suppress(subprocess.SubprocessError, ValueError):
            known = set(self.procs)
            self.procs += [p for p in descendants(self.pane_pid()) if p not in known]
        self.tmux("kill-server", check=False)
        time.sleep(0.2)  # a hangup is the polite way to go: give it a moment before SIGKILL
        for proc in self.procs:
            proc.kill()

    def __enter__(self) -> Tmux:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class RawPty:
    """`argv` with stdin, stdout and stderr on the slave side of a fresh pty; the test holds the master.

    With `controlling=True` the pty is the child's controlling terminal (it leads a new session), so closing
    the master hangs it up and the kernel sends the child SIGHUP, like a terminal emulator. With False the
    child has no controlling terminal at all: closing the master sends nothing, the child only sees its fds go
    dead (what kftui under make, or behind a wrapper that catches SIGHUP, is left with).
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        controlling: bool = True,
        rows: int = ROWS,
        cols: int = COLS,
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        environment = _environment({"TERM": "xterm-256color", **(env or {})})
        self.output = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=environment,
            start_new_session=True,
            preexec_fn=(lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if controlling else None,
        )
        os.close(slave)
        self.proc = Proc.of(self.process.pid) or Proc(self.process.pid, 0, " ".join(argv))
        # The master must be read: a pty buffer of a few KB fills with the first screen and then blocks the app.
        self._reader = threading.Thread(target=self._read, name="raw-pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if ready:
                    chunk = os.read(self.master, 65536)
                    if not chunk:
                        return
                    with self._lock:
                        self.output.extend(chunk)
            except OSError:  # EIO once the child closed the slave side
                return

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if text in self.output:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        with self._lock:
            tail = bytes(self.output[-2000:])
        raise TimeoutError(
            f"{text!r} not in the output after {timeout:.0f} s (exit {self.process.poll()}): {tail!r}"
        )

    def close_master(self) -> None:
        """Close the terminal under the child."""
        self._stop.set()
        self._reader.join(timeout=2)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def close(self) -> None:
        self.close_master()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> RawPty:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
