"""Process supervision for the lab: one process group per component, logs to files.

Every component runs in its own session (so its own process group); stopping the lab
signals whole groups, which also reaps children such as the git/kustomize processes
the Argo CD repo-server spawns. The pids are recorded in the state file so that
`lab-down` from another shell (or after a crashed test run) still cleans up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path


def start(
    name: str, argv: list[str], logs_dir: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    log = logs_dir / f"{name}.log"
    with log.open("ab") as out:
        out.write(f"### {time.strftime('%H:%M:%S')} starting: {' '.join(argv)}\n".encode())
        out.flush()
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists"; treat it as dead.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_groups(pgids: Iterable[int], grace: float = 10.0) -> list[int]:
    """SIGTERM each process group, then SIGKILL what is left after `grace` seconds.

    Returns the groups that had to be killed. Reaps our own children so no zombies stay.
    """
    pgids = [p for p in pgids if p and p > 1]
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    remaining = list(pgids)
    while remaining and time.monotonic() < deadline:
        _reap()
        remaining = [p for p in remaining if _group_alive(p) and alive(p)]
        if remaining:
            time.sleep(0.1)
    for pgid in remaining:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    time.sleep(0.1)
    _reap()
    return remaining


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def tail(path: Path, lines: int = 40) -> str:
    try:
        data = path.read_bytes()[-64_000:]
    except OSError as e:
        return f"(no log: {e})"
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])
