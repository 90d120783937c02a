"""When the terminal goes away, kftui goes too: the real `kftui --demo` in real terminals (tmux, a raw pty).

The bug: `make demo` in tmux, then `tmux kill-session`, left kftui spinning on the deleted pty at a full core
(make, the session leader, got the SIGHUP and waits for its children; kftui got nothing). What fails here is a
kftui that does not go: BOUND only says when to stop waiting for it, and is generous so that a loaded machine
cannot fail a kftui that does go. How fast it goes (kftui's own deadline is 0.75 s, kftui/lifecycle.py) is
recorded as seconds_to_exit, not asserted.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.terminals import RawPty, Tmux, tmux_available, wait_gone

ROOT = Path(__file__).resolve().parents[2]
KFTUI = f"{sys.executable} -m kftui --demo"  # run from ROOT: this checkout's kftui comes first on sys.path
BOUND = 60.0
FIRST_SCREEN = 90.0  # the first screen on a loaded machine


@pytest.fixture(autouse=True)
def _tmux_needed() -> None:
    if not tmux_available():
        pytest.fail("tmux is not installed: `make test-deps` installs it", pytrace=False)


def _kill_session_and_measure(session: Tmux, record: Callable[[str, object], None]) -> float:
    session.wait_for("Diagnostics", FIRST_SCREEN)
    session.track("-m kftui --demo")
    session.kill_session()
    gone = wait_gone(session.procs, BOUND)
    left = [p.cmdline for p in session.procs if p.alive]
    assert gone is not None, f"still running {BOUND:.0f} s after the terminal closed: {left}"
    record("seconds_to_exit", round(gone, 3))
    return gone


def test_tmux_kill_session_ends_kftui_started_directly(
    record_property: Callable[[str, object], None],
) -> None:
    with Tmux(f"exec {KFTUI}", cwd=ROOT) as session:
        _kill_session_and_measure(session, record_property)


def test_tmux_kill_session_ends_kftui_under_make(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """make gets the SIGHUP and waits for kftui, which gets none: kftui must notice the dead pty itself."""
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"demo:\n\t{KFTUI}\n")
    with Tmux(f"exec make -f {makefile} demo", cwd=ROOT) as session:
        session.wait_for("Diagnostics", FIRST_SCREEN)
        session.track("-m kftui --demo")
        assert any(p.cmdline.startswith("make ") for p in session.procs), session.procs
        _kill_session_and_measure(session, record_property)


@pytest.mark.parametrize("controlling", [True, False], ids=["controlling-tty", "no-controlling-tty"])
def test_closing_the_pty_under_kftui_ends_it_with_129(
    controlling: bool, record_property: Callable[[str, object], None]
) -> None:
    """With the pty as its controlling terminal kftui also gets SIGHUP; without, only its fds go dead."""
    with RawPty(KFTUI.split(), cwd=ROOT, controlling=controlling) as terminal:
        terminal.wait_for(b"Diagnostics", FIRST_SCREEN)
        started = time.monotonic()
        terminal.close_master()
        code = terminal.process.wait(BOUND)
        record_property("seconds_to_exit", round(time.monotonic() - started, 3))
        assert code == 129


@pytest.mark.parametrize(("sig", "expected"), [(signal.SIGHUP, 129), (signal.SIGTERM, 143)])
def test_sighup_and_sigterm_end_kftui_with_128_plus_the_signal(
    sig: signal.Signals, expected: int, record_property: Callable[[str, object], None]
) -> None:
    with RawPty(KFTUI.split(), cwd=ROOT) as terminal:
        terminal.wait_for(b"Diagnostics", FIRST_SCREEN)
        started = time.monotonic()
        terminal.process.send_signal(sig)
        code = terminal.process.wait(BOUND)
        record_property("seconds_to_exit", round(time.monotonic() - started, 3))
        assert code == expected
