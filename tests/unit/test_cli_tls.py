"""An API server whose certificate has expired, or was signed by another CA: one line, exit 2, no token.

The servers are local TLS listeners on 127.0.0.1 with certificates the test makes with the openssl CLI; a
control server with a valid certificate from the same CA proves the failure comes from the certificate.
"""

from __future__ import annotations

import base64
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

TOKEN = "expired-cert-test-token-value"
CA_CONFIG = """
[ca]
default_ca = mini
[mini]
dir = .
database = db/index.txt
serial = db/serial
new_certs_dir = db
unique_subject = no
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
[any]
commonName = supplied
[ext]
subjectAltName = IP:127.0.0.1
"""


def _openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _self_signed_ca(folder: Path, name: str, days: int) -> Path:
    """A CA certificate (ca.crt, ca.key) in `folder`."""
    _openssl(
        folder,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-subj",
        f"/CN={name}",
        "-days",
        str(days),
    )
    return folder / "ca.crt"


def _server_cert(pki: Path, name: str, start: str, end: str) -> tuple[Path, Path]:
    _openssl(
        pki,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f"{name}.key",
        "-out",
        f"{name}.csr",
        "-subj",
        "/CN=127.0.0.1",
    )
    _openssl(
        pki,
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-in",
        f"{name}.csr",
        "-out",
        f"{name}.crt",
        "-startdate",
        start,
        "-enddate",
        end,
    )
    return pki / f"{name}.crt", pki / f"{name}.key"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pki = tmp_path_factory.mktemp("pki")
    (pki / "db").mkdir()
    (pki / "db" / "index.txt").write_text("")
    (pki / "db" / "serial").write_text("01\n")
    (pki / "ca.cnf").write_text(CA_CONFIG)
    _self_signed_ca(pki, "kftui-test-ca", days=3650)
    return pki


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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def expired_server(pki: Path) -> Iterator[str]:
    cert, key = _server_cert(pki, "expired", "20200101000000Z", "20200102000000Z")
    yield from _serve(cert, key)


@pytest.fixture()
def valid_server(pki: Path) -> Iterator[str]:
    cert, key = _server_cert(pki, "valid", "20200101000000Z", "20991231000000Z")
    yield from _serve(cert, key)


def _kubeconfig(tmp_path: Path, server: str, ca: Path) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "c",
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca.read_bytes()).decode(),
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
    tmp_path: Path, pki: Path, expired_server: str
) -> None:
    kubeconfig = _kubeconfig(tmp_path, expired_server, pki / "ca.crt")
    for args in (["check"], ["dump", str(tmp_path / "d.yaml")], []):
        out = _kftui(*args, "--kubeconfig", str(kubeconfig))
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "certificate has expired" in lines[0], out.stderr
        assert TOKEN not in out.stderr + out.stdout
    assert not (tmp_path / "d.yaml").exists(), "a failed dump writes nothing"


def test_certificate_from_another_ca_is_not_trusted(tmp_path: Path, pki: Path, valid_server: str) -> None:
    other = tmp_path / "other"
    other.mkdir()
    _self_signed_ca(other, "another-ca", days=30)
    out = _kftui("check", "--kubeconfig", str(_kubeconfig(tmp_path, valid_server, other / "ca.crt")))
    assert out.returncode == 2 and "TLS certificate not trusted" in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and TOKEN not in out.stderr


def test_control_the_same_ca_with_a_valid_certificate_connects(
    tmp_path: Path, pki: Path, valid_server: str
) -> None:
    source = KubeSource.from_kubeconfig(str(_kubeconfig(tmp_path, valid_server, pki / "ca.crt")))
    assert source.preflight() == "v1.36.3"
