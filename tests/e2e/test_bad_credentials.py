"""Bad credentials against the real lab: one clear line on stderr, exit 2, and the secret never printed.

The lab's Argo CD runs with auth disabled, so it accepts any token; the wrong-token case is tested against
a local HTTP server that answers 401 the way Argo CD does ({"error": ..., "code": 16}), with the real
kube-apiserver of the lab behind it so kftui gets as far as the Argo CD check.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos.cluster import write_token_kubeconfig
from tests.lab import pki

CANARY_TOKEN = "kftui-canary-token-7f3a9c1e"


def kftui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "TERM": "dumb", **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_exit_2(out: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-2000:])
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("kftui: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in out.stderr
    assert CANARY_TOKEN not in out.stdout + out.stderr
    return lines[0]


@pytest.fixture
def foreign_ca(tmp_path: Path) -> Path:
    """A CA that did not sign the lab's API server certificate."""
    return pki.create(tmp_path / "other-pki").ca_cert


@pytest.mark.parametrize("command", [["check"], ["dump"], []], ids=["check", "dump", "tui"])
def test_kubeconfig_with_the_wrong_ca_is_one_line_and_exit_2(
    lab, tmp_path: Path, foreign_ca: Path, command: list[str]
) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = write_token_kubeconfig(lab, tmp_path / "kc", CANARY_TOKEN, ca=foreign_ca)
    args = [*command, "--kubeconfig", str(kubeconfig)] if command else ["--kubeconfig", str(kubeconfig)]
    line = assert_one_line_exit_2(kftui(*args), "TLS certificate not trusted", lab.server)
    assert "urllib3" not in line and "SSLError" not in line


@pytest.mark.parametrize("command", [["check"], []], ids=["check", "tui"])
def test_wrong_kube_token_is_one_line_401_and_never_printed(lab, tmp_path: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = write_token_kubeconfig(lab, tmp_path / "kc", CANARY_TOKEN)
    assert_one_line_exit_2(kftui(*command, "--kubeconfig", str(kubeconfig)), "401 Unauthorized")


class _Reject(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.headers.get("Authorization", ""))
        body = json.dumps({"error": "invalid session: token signature is invalid", "code": 16}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rejecting_argocd() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Reject)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_wrong_argocd_token_is_one_line_and_exit_2(lab, rejecting_argocd: str) -> None:  # type: ignore[no-untyped-def]
    _Reject.seen.clear()
    out = kftui(
        "--kubeconfig",
        str(lab.kubeconfig),
        "--argocd-server",
        rejecting_argocd,
        "--plaintext",
        env={"ARGOCD_AUTH_TOKEN": CANARY_TOKEN},
    )
    line = assert_one_line_exit_2(out, "Argo CD", "401", rejecting_argocd)
    assert "invalid session" in line
    # The token really was sent (so the 401 is about it), and it is not in what the user saw.
    assert _Reject.seen == [f"Bearer {CANARY_TOKEN}"]


def test_unreachable_argocd_server_is_one_line_and_exit_2(lab) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    out = kftui(
        "--kubeconfig",
        str(lab.kubeconfig),
        "--argocd-server",
        f"127.0.0.1:{port}",
        "--plaintext",
        env={"ARGOCD_AUTH_TOKEN": CANARY_TOKEN},
    )
    assert_one_line_exit_2(out, "cannot reach Argo CD")
