"""The repository holds no private key and no certificate: every test makes its own when it runs
(netlab/pki.py, tests/unit/testpki.c), and students make theirs in an ignored folder."""
import re
import subprocess
from pathlib import Path

from conftest import KIT

DASHES = b"-" * 5
# "BEGIN ... PRIVATE KEY" (PKCS#8, RSA, EC, OPENSSH, ENCRYPTED) and "BEGIN ... CERTIFICATE" (X509,
# TRUSTED), written in pieces so that this file does not match itself.
PEM = re.compile(DASHES + b"BEGIN (?:[A-Z0-9]+ )*(?:PRIVATE KEY|CERTIFICATE)" + DASHES)
SUFFIXES = {".pem", ".key", ".crt", ".cer", ".der", ".p12", ".pfx", ".jks"}


def findings(root: Path, files: list[str]) -> list[str]:
    """Files under root that hold a PEM private key or certificate, or are named like one."""
    found = []
    for rel in files:
        path = root / rel
        if path.suffix.lower() in SUFFIXES:
            found.append(f"{rel}: named like a key or certificate")
        elif path.is_file() and PEM.search(path.read_bytes()):
            found.append(f"{rel}: holds a PEM private key or certificate")
    return found


def repository_files() -> list[str]:
    """Tracked files, and new files git would add (not ignored)."""
    return subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=KIT, capture_output=True,
                          text=True, check=True).stdout.splitlines()


def test_no_key_or_certificate_committed():
    found = findings(KIT, repository_files())
    assert not found, "keys and certificates are made at test time, never committed:\n" + "\n".join(found)


def test_the_check_finds_them(tmp_path):
    """The check above is not blind: it finds a real key and a real certificate."""
    from netlab import pki
    ca = pki.authority("netlab repository test CA")
    (tmp_path / "notes.txt").write_bytes(b"a key:\n" + pki.key_pem(ca.key))
    (tmp_path / "data.txt").write_bytes(ca.cert_pem())
    (tmp_path / "server.pem").write_bytes(b"")
    (tmp_path / "plain.txt").write_bytes(b"BEGIN CERTIFICATE, in prose only\n")
    found = findings(tmp_path, ["notes.txt", "data.txt", "server.pem", "plain.txt"])
    assert [f.split(":")[0] for f in found] == ["notes.txt", "data.txt", "server.pem"], found
