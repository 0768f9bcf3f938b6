"""A throwaway public key infrastructure for tests: certificate authorities, server and client
certificates (good, expired, for another name, self-signed), made at test time in a folder.

Nothing here is ever committed: keys and certificates exist only in the folder a test session
makes. It uses Debian's python3-cryptography. Keys are EC P-256 unless asked otherwise (fast to
make); RSA (slow to make) and Ed25519 are there when a test needs another type of key.

    root = authority("netlab test root CA")
    inter = authority("netlab test intermediate CA", issuer=root)
    server = issue(inter, "localhost", dns=["localhost"], ips=["127.0.0.1", "::1"])
    server.write(folder, "server")        # server.pem (certificate, then inter), server.key
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DAY = datetime.timedelta(days=1)


def new_key(kind: str = "ec"):
    """A private key: "ec" (P-256), "rsa" (2048 bits) or "ed25519"."""
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"unknown key kind {kind!r}")


def key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    path.chmod(0o644)  # the tests' programs may run as another, unprivileged user
    return path


@dataclass
class Identity:
    """A certificate, its private key, and the CA certificates to send along with it."""

    key: object
    cert: x509.Certificate
    chain: list = field(default_factory=list)  # intermediates, nearest first; never the root

    @property
    def name(self) -> str:
        return self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value

    def cert_pem(self, with_chain: bool = True) -> bytes:
        certs = [self.cert] + (self.chain if with_chain else [])
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)

    def write(self, folder: Path, stem: str, with_chain: bool = True) -> tuple[Path, Path]:
        """Write STEM.pem (the certificate, then its chain) and STEM.key; return both paths."""
        folder = Path(folder)
        return (_write(folder / f"{stem}.pem", self.cert_pem(with_chain)),
                _write(folder / f"{stem}.key", key_pem(self.key)))


def _sign_algorithm(issuer_key):
    return None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _build(subject_cn: str, key, issuer: Identity | None, *, ca: bool, not_before, not_after,
           dns=(), ips=(), usage=None) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    issuer_name = issuer.cert.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    return builder.sign(signing_key, _sign_algorithm(signing_key))


def _window(valid_days: tuple[int, int]):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now + valid_days[0] * DAY, now + valid_days[1] * DAY


def authority(name: str, issuer: Identity | None = None, key_kind: str = "ec",
              valid_days: tuple[int, int] = (-1, 365)) -> Identity:
    """A CA: self-signed (a root) when issuer is None, else an intermediate signed by issuer."""
    key = new_key(key_kind)
    start, end = _window(valid_days)
    cert = _build(name, key, issuer, ca=True, not_before=start, not_after=end)
    # What a certificate signed by this CA sends along: the CAs below the root (never the root).
    chain = [] if issuer is None or _is_root(issuer) else [issuer.cert] + issuer.chain
    return Identity(key, cert, chain)


def _is_root(identity: Identity) -> bool:
    return identity.cert.issuer == identity.cert.subject


def issue(issuer: Identity, name: str, dns=(), ips=(), client: bool = False, key_kind: str = "ec",
          valid_days: tuple[int, int] = (-1, 30)) -> Identity:
    """A leaf certificate for name, signed by issuer. valid_days is (start, end) in days from now:
    (-30, -1) makes one that has expired. client=True makes a client certificate."""
    key = new_key(key_kind)
    start, end = _window(valid_days)
    usage = [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
    cert = _build(name, key, issuer, ca=False, not_before=start, not_after=end, dns=dns, ips=ips,
                  usage=usage)
    chain = [] if _is_root(issuer) else [issuer.cert] + issuer.chain
    return Identity(key, cert, chain)


def self_signed(name: str, dns=(), ips=(), key_kind: str = "ec") -> Identity:
    """A leaf certificate that signs itself: what an impostor without a CA's help can make."""
    key = new_key(key_kind)
    start, end = _window((-1, 30))
    cert = _build(name, key, None, ca=False, not_before=start, not_after=end, dns=dns, ips=ips,
                  usage=[ExtendedKeyUsageOID.SERVER_AUTH])
    return Identity(key, cert, [])


def make_folder(parent: Path | None = None, prefix: str = "netlab-pki-") -> Path:
    """A folder for the files, readable by every user (the tests' programs may run as another)."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o755)
    return folder
