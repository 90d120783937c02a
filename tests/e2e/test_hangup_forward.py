"""An SSH drop with a port-forward open: the TUI on the lab in tmux, the gateway forwarded, the terminal killed.

The forward's local port must stop listening within about a second and kftui must exit, both when kftui is the
session leader (it gets SIGHUP) and under make (make gets the SIGHUP and waits; kftui only sees its tty die).
"""

from __future__ import annotations

import re
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.terminals import Tmux, tmux_available, wait_gone

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/")
PORT_BOUND = 2.0  # "within a second or so", on a busy 2-core machine
EXIT_BOUND = 5.0


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _ready_gateway(lab: Any) -> bool:
    eps = lab.get_json("endpoints", "istio-ingressgateway", "-n", "istio-system")
    return any(s.get("addresses") for s in eps.get("subsets") or [])


@pytest.mark.parametrize("launch", ["direct", "make"])
def test_killing_the_terminal_stops_the_forward_and_kftui(
    lab: Any, tmp_path: Path, launch: str, record_property: Callable[[str, object], None]
) -> None:
    if not tmux_available():
        pytest.fail("tmux is not installed: `make test-deps` installs it", pytrace=False)
    lab.wait_for(lambda: _ready_gateway(lab), 90, "a ready istio-ingressgateway endpoint")
    kftui = (
        f"{sys.executable} -m kftui --kubeconfig {lab.kubeconfig} --context {lab.context}"
        f" --audit-log {tmp_path / 'audit.jsonl'}"
    )
    if launch == "make":
        makefile = tmp_path / "Makefile"
        makefile.write_text(f"tui:\n\t{kftui}\n")
        command = f"exec make -f {makefile} tui"
    else:
        command = f"exec {kftui}"
    with Tmux(command, cwd=ROOT) as session:
        session.wait_for("drift", 120)  # one of the lab's Applications: the first snapshot is in
        session.send_keys("p")
        session.wait_for("Press n to start one", 30)
        session.send_keys("n")
        deadline = time.monotonic() + 60
        while not (match := URL.search(screen := session.capture())):  # the row appears once it listens
            assert time.monotonic() < deadline, f"no active forward after 60 s:\n{screen}"
            time.sleep(0.2)
        port = int(match.group(1))
        assert _listening(port)
        answer = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False, timeout=15)
        assert answer.status_code == 302, answer  # the gateway's redirect to Dex: the forward really works
        session.track("-m kftui")

        session.kill_session()
        started = time.monotonic()
        while _listening(port) and time.monotonic() - started < PORT_BOUND + 3:
            time.sleep(0.01)
        closed = time.monotonic() - started
        gone = wait_gone(session.procs, EXIT_BOUND)
        exited = None if gone is None else time.monotonic() - started
        record_property("seconds_to_port_closed", round(closed, 3))
        record_property("seconds_to_exit", None if exited is None else round(exited, 3))
        assert closed < PORT_BOUND, f"port {port} still listening {closed:.2f} s after the terminal closed"
        left = [p.cmdline for p in session.procs if p.alive]
        assert exited is not None, f"still running {EXIT_BOUND:.0f} s after the terminal closed: {left}"
