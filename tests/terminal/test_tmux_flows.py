"""A k9s user's first minutes, in a real terminal: `kftui --demo` in tmux at 80x24 and 160x48, driven with
send-keys and read with capture-pane: open, filter by status, select a finding, fix 2 with `2`, a pod's log with
`l` after `:pods` (lines arriving), help, quit. Every step waits for what the screen must show (polling, no fixed sleeps);
BOUND only says when to stop waiting, and is generous so that a loaded machine cannot fail a working kftui.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.terminals import Tmux, tmux_available, wait_gone

ROOT = Path(__file__).resolve().parents[2]
KFTUI = (
    f"exec {sys.executable} -m kftui --demo"  # run from ROOT: this checkout's kftui comes first on sys.path
)
BOUND = 60.0
FIRST_SCREEN = 90.0  # the first screen on a loaded machine


@pytest.fixture(autouse=True)
def _tmux_needed() -> None:
    if not tmux_available():
        pytest.fail("tmux is not installed: `make test-deps` installs it", pytrace=False)


def _until(session: Tmux, holds: Callable[[str], bool], what: str, bound: float = BOUND) -> str:
    """Poll the pane until `holds(screen)`; fail with the screen when it never does."""
    deadline = time.monotonic() + bound
    screen = session.capture()
    while not holds(screen):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {bound:.0f} s; the screen shows:\n{screen}")
        time.sleep(0.1)
        screen = session.capture()
    return screen


@pytest.mark.parametrize(("cols", "rows"), [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_a_k9s_users_first_minutes(cols: int, rows: int) -> None:
    with Tmux(KFTUI, cwd=ROOT, rows=rows, cols=cols) as session:
        _until(session, lambda s: "Diagnostics" in s and "kubeflow" in s, "first screen", FIRST_SCREEN)
        session.track("-m kftui --demo")

        # Filter by status: the tree keeps the crash-looping pod and its ancestors and drops namespace auth.
        session.send_keys("/", "CrashLoopBackOff", "Enter")
        _until(session, lambda s: "CrashLoopBackOff" in s.splitlines()[2] and " ns auth" not in s, "filter")
        # Enter gave the focus back to the tree: the footer offers `/` again (hidden while typing in a box).
        _until(session, lambda s: " / Filter" in s.splitlines()[-1], "the focus back on the tree")
        session.send_keys("Escape")
        # Waited on until the ESC has acted (namespace auth is back): the terminal holds an ESC back a moment in
        # case a sequence follows, and an ESC with the next key in the same read is alt+key.
        _until(
            session,
            lambda s: s.splitlines()[1].startswith("╭─ Applications") and " ns auth" in s,
            "the filter to close and clear",
        )

        # Select a finding and pick its fix 2 with `2`.
        session.send_keys("f", "j", "k", "2")
        _until(session, lambda s: "Fix 2 chosen" in s, "fix 2 chosen")

        # `:pods`, typed at once, jumps to the first pod and opens nothing else.
        session.send_keys(":pods", "Enter")
        screen = _until(session, lambda s: "auth/dex-6f8c7b9d54-x2k8q" in s, "the first pod described")
        assert "Port-forwards (127.0.0.1" not in screen  # the screen `p` opens

        # `l` streams that pod's log (the demo's made-up one): its lines, then followed lines arriving.
        session.send_keys("l")
        _until(session, lambda s: "# kftui demo: made-up log lines" in s and "streaming" in s, "the log")
        _until(session, lambda s: "GET /healthz 200 (2)" in s, "followed lines arriving")
        session.send_keys("Escape")
        _until(session, lambda s: "Diagnostics" in s and "streaming" not in s, "the log to close")

        # `?` opens the help, `q` closes it.
        session.send_keys("?")
        _until(session, lambda s: "Keys  (ctrl+p" in s and "k9s" in s, "help")
        session.send_keys("q")
        _until(session, lambda s: "Keys  (ctrl+p" not in s and "Diagnostics" in s, "help to close")

        # `q` quits.
        session.send_keys("q")
        gone = wait_gone(session.procs, BOUND)
        assert gone is not None, f"kftui still running {BOUND:.0f} s after q"
