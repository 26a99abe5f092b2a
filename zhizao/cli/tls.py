"""`zhizao tls selfsigned`: a certificate for trying HTTPS locally."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@click.group()
def tls() -> None:
    """TLS certificates."""


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


@tls.command("selfsigned")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tls"),
    show_default=True,
    help="Folder for cert.pem and key.pem.",
)
@click.option(
    "--host",
    "hosts",
    multiple=True,
    default=("localhost", "127.0.0.1"),
    show_default=True,
    help="Name or address the certificate is for (repeatable).",
)
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3650))
def selfsigned(out: Path, hosts: tuple[str, ...], days: int) -> None:
    """Write a self-signed certificate and key (ECDSA P-256) for 'zhizao serve --tls-*'."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, hosts[0]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "zhizao node"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(out / "key.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    click.echo(
        f"wrote {out / 'cert.pem'} and {out / 'key.pem'} for {', '.join(hosts)}; "
        f"serve with: zhizao serve --tls-cert {out / 'cert.pem'} --tls-key {out / 'key.pem'}"
    )


COMMANDS = [tls]
