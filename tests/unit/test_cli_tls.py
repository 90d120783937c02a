"""An API server whose certificate has expired, or was signed by another CA: one line, exit 2, no token.

The servers are local TLS listeners on 127.0.0.1 with certificates made in Python (tests/certs.py); a
control server with a valid certificate from the same CA proves the failure comes from the certificate.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from kftui.cluster.kube import KubeSource
from tests.certs import CertificateAuthority

TOKEN = "expired-cert-test-token-value"
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority("kftui-test-ca", days=3650)


class _Version(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"gitVersion": "v1.36.3"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def _serve(cert: Path, key: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Version)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # quick shutdown
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def expired_server(ca: CertificateAuthority, tmp_path: Path) -> Iterator[str]:
    cert, key = ca.issue(tmp_path, "expired", not_before=LONG_AGO, not_after=LONG_AGO + dt.timedelta(days=1))
    yield from _serve(cert, key)


@pytest.fixture()
def valid_server(ca: CertificateAuthority, tmp_path: Path) -> Iterator[str]:
    cert, key = ca.issue(
        tmp_path, "valid", not_before=LONG_AGO, not_after=dt.datetime(2099, 12, 31, tzinfo=dt.UTC)
    )
    yield from _serve(cert, key)


def _kubeconfig(tmp_path: Path, server: str, ca_pem: bytes) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "c",
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": "u", "user": {"token": TOKEN}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def _kftui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kftui", *args], capture_output=True, text=True, timeout=60)


def test_expired_server_certificate_is_one_line_and_exit_2(
    tmp_path: Path, ca: CertificateAuthority, expired_server: str
) -> None:
    kubeconfig = _kubeconfig(tmp_path, expired_server, ca.pem)
    for args in (["check"], ["dump", str(tmp_path / "d.yaml")], []):
        out = _kftui(*args, "--kubeconfig", str(kubeconfig))
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "certificate has expired" in lines[0], out.stderr
        assert TOKEN not in out.stderr + out.stdout
    assert not (tmp_path / "d.yaml").exists(), "a failed dump writes nothing"


def test_certificate_from_another_ca_is_not_trusted(tmp_path: Path, valid_server: str) -> None:
    other = CertificateAuthority("another-ca", days=30)
    out = _kftui("check", "--kubeconfig", str(_kubeconfig(tmp_path, valid_server, other.pem)))
    assert out.returncode == 2 and "TLS certificate not trusted" in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and TOKEN not in out.stderr


def test_control_the_same_ca_with_a_valid_certificate_connects(
    tmp_path: Path, ca: CertificateAuthority, valid_server: str
) -> None:
    source = KubeSource.from_kubeconfig(str(_kubeconfig(tmp_path, valid_server, ca.pem)))
    assert source.preflight() == "v1.36.3"
