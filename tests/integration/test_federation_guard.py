"""Outgoing fetches resolve each host once and connect only to the address that was checked."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

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
