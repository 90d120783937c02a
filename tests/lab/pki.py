"""Self-signed PKI for the lab, made with the `openssl` CLI.

One CA signs everything: the apiserver's serving cert, kwok's kubelet serving cert,
and the admin client cert (O=system:masters) that every component and test uses.
The `cryptography` package is not a kftui dependency, so we do not try it; openssl is
on every Debian machine. Keys are small EC keys, so the whole PKI takes well under a second.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PKIError(RuntimeError):
    pass


@dataclass(frozen=True)
class PKI:
    dir: Path

    @property
    def ca_cert(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.dir / "ca.key"

    def cert(self, name: str) -> Path:
        return self.dir / f"{name}.crt"

    def key(self, name: str) -> Path:
        return self.dir / f"{name}.key"

    @property
    def sa_key(self) -> Path:
        return self.dir / "sa.key"

    @property
    def sa_pub(self) -> Path:
        return self.dir / "sa.pub"


def _openssl(*args: str) -> None:
    if not shutil.which("openssl"):
        raise PKIError("openssl not found on PATH (apt-get install openssl)")
    out = subprocess.run(["openssl", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise PKIError(f"openssl {' '.join(args[:2])} failed: {out.stderr.strip()}")


def _ec_key(path: Path) -> None:
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path))


def _sign(pki: PKI, name: str, subject: str, sans: list[str], usage: str) -> None:
    _ec_key(pki.key(name))
    ext = [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        f"extendedKeyUsage={usage}",
    ]
    if sans:
        ext.append("subjectAltName=" + ",".join(sans))
    with tempfile.NamedTemporaryFile("w", suffix=".ext", delete=False) as f:
        f.write("\n".join(ext) + "\n")
        extfile = f.name
    csr = pki.dir / f"{name}.csr"
    try:
        _openssl("req", "-new", "-key", str(pki.key(name)), "-subj", subject, "-out", str(csr))
        _openssl(
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(pki.ca_cert),
            "-CAkey",
            str(pki.ca_key),
            "-CAcreateserial",
            "-days",
            "365",
            "-sha256",
            "-extfile",
            extfile,
            "-out",
            str(pki.cert(name)),
        )
    finally:
        Path(extfile).unlink(missing_ok=True)
        csr.unlink(missing_ok=True)


def create(directory: Path) -> PKI:
    """Create (or reuse, if complete) the lab's CA and certificates in `directory`."""
    pki = PKI(directory)
    wanted = [pki.ca_cert, pki.sa_key, pki.sa_pub] + [pki.cert(n) for n in ("apiserver", "admin", "kwok")]
    if all(p.exists() for p in wanted):
        return pki
    directory.mkdir(parents=True, exist_ok=True)
    _ec_key(pki.ca_key)
    _openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        str(pki.ca_key),
        "-subj",
        "/CN=kftui-lab-ca",
        "-days",
        "365",
        "-sha256",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        "-out",
        str(pki.ca_cert),
    )
    _sign(
        pki,
        "apiserver",
        "/CN=kube-apiserver",
        [
            "IP:127.0.0.1",
            "IP:10.96.0.1",
            "DNS:localhost",
            "DNS:kubernetes",
            "DNS:kubernetes.default",
            "DNS:kubernetes.default.svc",
            "DNS:kubernetes.default.svc.cluster.local",
        ],
        "serverAuth",
    )
    _sign(pki, "admin", "/O=system:masters/CN=kubernetes-admin", [], "clientAuth")
    _sign(pki, "kwok", "/CN=kwok-kubelet", ["IP:127.0.0.1", "DNS:localhost"], "serverAuth")
    # Service-account token signing key: RSA, as kube-apiserver expects.
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(pki.sa_key))
    _openssl("pkey", "-in", str(pki.sa_key), "-pubout", "-out", str(pki.sa_pub))
    return pki


def service_account_keys(pki: PKI, name: str) -> tuple[Path, Path]:
    """An extra RSA key pair for service-account tokens (`<name>.key`, `<name>.pub`), made once.

    The spoke signs its own tokens, so a hub token is not valid there (and the other way round).
    """
    key, pub = pki.dir / f"{name}.key", pki.dir / f"{name}.pub"
    if not (key.exists() and pub.exists()):
        _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(key))
        _openssl("pkey", "-in", str(key), "-pubout", "-out", str(pub))
    return key, pub
