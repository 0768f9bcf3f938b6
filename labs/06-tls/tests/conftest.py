"""Fixtures of Lab 06's tests: the test PKI, made once per test session in a temporary folder.

Nothing secret is committed: every key and certificate below is made when the tests start
(netlab.pki, with Debian's python3-cryptography) and deleted when they end.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from netlab import pki as mk
from netlab.tlspeers import write_legacy_openssl_conf

LOCAL = dict(dns=["localhost"], ips=["127.0.0.1", "::1"])


@dataclass
class Files:
    """Paths of the test PKI. NAME is a certificate chain (PEM), NAME_key its private key."""

    folder: Path
    ca: Path  # the root CA everyone trusts
    server: Path  # "localhost", 127.0.0.1 and ::1, then the intermediate CA
    server_key: Path
    server_leaf_only: Path  # the same certificate without its intermediate
    expired: Path
    expired_key: Path
    not_yet_valid: Path
    not_yet_valid_key: Path
    wrong_host: Path  # valid, but for netlab-other.test only
    wrong_host_key: Path
    names_only: Path  # valid for the name localhost, no IP address
    names_only_key: Path
    self_signed: Path  # "localhost", signed by itself
    self_signed_key: Path
    rogue: Path  # "localhost", from a CA nobody trusts
    rogue_key: Path
    client: Path  # a client certificate, "netlab-client"
    client_key: Path
    rogue_client: Path
    rogue_client_key: Path
    other_key: Path  # an EC key, like the server's, but not the server's
    ed25519_key: Path  # a key of another type than the server's certificate
    legacy_conf: Path  # an OpenSSL configuration that allows TLS 1.0 (use with OPENSSL_CONF)


def make_files(folder: Path) -> Files:
    root = mk.authority("netlab test root CA")
    inter = mk.authority("netlab test intermediate CA", issuer=root)
    rogue_root = mk.authority("netlab rogue CA")
    (folder / "ca.pem").write_bytes(root.cert_pem())
    (folder / "ca.pem").chmod(0o644)
    out = {"folder": folder, "ca": folder / "ca.pem"}

    def add(name, identity, with_chain=True):
        out[name], out[f"{name}_key"] = identity.write(folder, name.replace("_", "-"), with_chain)

    server = mk.issue(inter, "localhost", **LOCAL)
    add("server", server)
    out["server_leaf_only"] = folder / "server-leaf-only.pem"
    out["server_leaf_only"].write_bytes(server.cert_pem(with_chain=False))
    out["server_leaf_only"].chmod(0o644)
    add("expired", mk.issue(inter, "localhost", valid_days=(-30, -1), **LOCAL))
    add("not_yet_valid", mk.issue(inter, "localhost", valid_days=(2, 30), **LOCAL))
    add("wrong_host", mk.issue(inter, "netlab-other.test", dns=["netlab-other.test"]))
    add("names_only", mk.issue(inter, "localhost", dns=["localhost"]))
    add("self_signed", mk.self_signed("localhost", **LOCAL))
    add("rogue", mk.issue(rogue_root, "localhost", **LOCAL))
    add("client", mk.issue(inter, "netlab-client", client=True))
    add("rogue_client", mk.issue(rogue_root, "netlab-client", client=True))
    for name, kind in (("other_key", "ec"), ("ed25519_key", "ed25519")):
        out[name] = folder / f"{name.replace('_', '-')}.pem"
        out[name].write_bytes(mk.key_pem(mk.new_key(kind)))
        out[name].chmod(0o644)
    out["legacy_conf"] = folder / "legacy-openssl.cnf"
    write_legacy_openssl_conf(out["legacy_conf"])
    return Files(**out)


@pytest.fixture(scope="session")
def pki():
    """The test PKI (see Files), in a folder the programs under test can read."""
    folder = mk.make_folder(prefix="netlab-lab06-pki-")
    try:
        yield make_files(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
