"""TLS certificates for the hermetic tests, made in Python (cryptography): no openssl CLI on PATH needed.

A `CertificateAuthority` signs server certificates for an IP address with the validity window a test asks for
(an expired one, a valid one); `self_signed` is a lone certificate as a lab Argo CD serves. Keys are EC P-256,
quick to generate.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = dt.UTC


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(
    folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> tuple[Path, Path]:
    """`stem`.crt and `stem`.key (PEM, the key unencrypted) in `folder`."""
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_extensions(
    builder: x509.CertificateBuilder, host: str, key: ec.EllipticCurvePrivateKey
) -> x509.CertificateBuilder:
    return (
        builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )


class CertificateAuthority:
    """A self-signed CA (`name`, valid from now for `days`) that issues server certificates."""

    def __init__(self, name: str, *, days: int = 3650) -> None:
        self.key = _key()
        now = dt.datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), False)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        """The CA certificate, PEM: what a kubeconfig's certificate-authority-data holds (base64'd)."""
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(
        self,
        folder: Path,
        stem: str,
        *,
        not_before: dt.datetime,
        not_after: dt.datetime,
        host: str = "127.0.0.1",
    ) -> tuple[Path, Path]:
        """A server certificate for the IP `host`, valid from `not_before` to `not_after`: (cert, key) paths."""
        key = _key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False)
        )
        cert = _server_extensions(builder, host, key).sign(self.key, hashes.SHA256())
        return _write(folder, stem, cert, key)


def self_signed(folder: Path, *, host: str = "127.0.0.1", days: int = 1) -> tuple[Path, Path]:
    """A certificate for the IP `host` that signs itself (tls.crt, tls.key in `folder`), valid from now."""
    key = _key()
    now = dt.datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(_name(host))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    cert = _server_extensions(builder, host, key).sign(key, hashes.SHA256())
    return _write(folder, "tls", cert, key)
