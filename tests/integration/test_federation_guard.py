"""Outgoing fetches resolve each host once and connect only to the address that was checked."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from commonpot.federation.client import Client, FetchError


class _Peer(BaseHTTPRequestHandler):
    hosts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hosts.append(self.headers.get("host", ""))
        body = json.dumps({"id": "peer", "type": "Group"}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/activity+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def peer() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on 127.0.0.2 that records the Host header of each request."""
    _Peer.hosts = []
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Peer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1]), _Peer.hosts
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class Rebinding:
    """A DNS answering a harmless address first and then an internal one (a rebinding attack)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers[min(len(self.asked), len(self.answers)) - 1]


def test_one_resolution_per_connection_and_the_name_kept_in_host(
    peer: tuple[int, list[str]],
) -> None:
    port, hosts = peer
    dns = Rebinding(["127.0.0.2"], ["169.254.169.254"])
    client = Client(allow_http=True, resolver=dns)
    try:
        doc = client.get_json(f"http://rebind.test:{port}/group")
        assert doc["id"] == "peer"
        assert dns.asked == ["rebind.test"]  # resolved once, and that answer was used
        assert hosts == [f"rebind.test:{port}"]
    finally:
        client.close()
    # a new connection asks again; the rebound answer (cloud metadata) is refused, unsent
    fresh = Client(allow_http=True, resolver=dns)
    try:
        with pytest.raises(FetchError, match="not a public address"):
            fresh.get_json(f"http://rebind.test:{port}/group")
    finally:
        fresh.close()
    assert hosts == [f"rebind.test:{port}"]


def test_refused_answers_are_skipped_for_a_checked_one(peer: tuple[int, list[str]]) -> None:
    port, hosts = peer
    dns = Rebinding(["169.254.169.254", "0.0.0.0", "127.0.0.2"])
    client = Client(allow_http=True, resolver=dns)
    try:
        assert client.get_json(f"http://mixed.test:{port}/group")["type"] == "Group"
    finally:
        client.close()
    assert hosts == [f"mixed.test:{port}"]


@pytest.mark.parametrize("answer", ["127.0.0.2", "10.0.0.7", "192.168.1.1", "::1", "fd00::1"])
def test_without_allow_http_private_answers_are_refused_before_connecting(
    peer: tuple[int, list[str]], answer: str
) -> None:
    port, hosts = peer
    client = Client(allow_http=False, resolver=Rebinding([answer]))
    try:
        with pytest.raises(FetchError, match="not a public address"):
            client.get_json(f"https://inside.test:{port}/group")
        with pytest.raises(FetchError, match="not a public address"):
            client.post(f"https://inside.test:{port}/inbox", b"{}", {})
    finally:
        client.close()
    assert hosts == []


def test_real_resolver_refuses_localhost_without_allow_http() -> None:
    assert "127.0.0.1" in _addresses("localhost")
    client = Client(allow_http=False)
    try:
        with pytest.raises(FetchError, match="not a public address"):
            client.get_json("https://localhost:9/actor")
    finally:
        client.close()


def _addresses(host: str) -> set[str]:
    return {str(info[4][0]) for info in socket.getaddrinfo(host, 80)}


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (and its key), written as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "peer.pem", folder / "peer.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_tls_goes_to_the_checked_address_but_verifies_the_name(
    tmp_path: Path,
) -> None:
    cert_path, key_path = _certificate(tmp_path, "peer.test")
    names: list[str | None] = []
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    server_context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,return-value]
    _Peer.hosts = []
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Peer)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = int(server.server_address[1])
    trusting = ssl.create_default_context(cafile=str(cert_path))
    try:
        client = Client(allow_http=True, resolver=Rebinding(["127.0.0.2"]), ssl_context=trusting)
        try:
            # the socket goes to 127.0.0.2; TLS names (SNI) and verifies peer.test
            assert client.get_json(f"https://peer.test:{port}/group")["type"] == "Group"
        finally:
            client.close()
        assert names == ["peer.test"]
        assert _Peer.hosts == [f"peer.test:{port}"]
        # a name the certificate does not carry fails verification, though the address is the same
        other = Client(allow_http=True, resolver=Rebinding(["127.0.0.2"]), ssl_context=trusting)
        try:
            with pytest.raises(FetchError):
                other.get_json(f"https://other.test:{port}/group")
        finally:
            other.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
