"""Fetch a recipe page from the web without letting the server reach internal addresses (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from commonpot.errors import Invalid, PayloadTooLarge

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0
Resolver = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses (no loopback, private, link-local...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback)


def check_url(url: str, resolver: Resolver = _resolve) -> str:
    """Check a URL before fetching: http(s), standard ports, public addresses only."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Invalid("That is not a valid web address.", field="url") from exc
    if parts.scheme not in {"http", "https"}:
        raise Invalid("Only http:// and https:// addresses can be imported.", field="url")
    if not parts.hostname:
        raise Invalid("The address has no host name.", field="url")
    if parts.username or parts.password:
        raise Invalid("Addresses with a user name or password are not fetched.", field="url")
    if port not in {80, 443}:
        raise Invalid("Only the standard web ports (80, 443) are fetched.", field="url")
    try:
        addresses = resolver(parts.hostname, port)
    except (OSError, UnicodeError) as exc:
        raise Invalid(
            "Cannot find the host %(host)s.", field="url", host=str(parts.hostname)
        ) from exc
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise Invalid(
            "That address points inside a private network; paste the page's HTML instead.",
            field="url",
        )
    return parts.geturl()


def fetch_page(url: str, resolver: Resolver = _resolve, transport: Any = None) -> tuple[bytes, str]:
    """Download a page, re-checking each redirect; returns (content, final URL)."""
    import httpx

    current = check_url(url, resolver)
    client = httpx.Client(
        follow_redirects=False, timeout=TIMEOUT_SECONDS, trust_env=False, transport=transport
    )
    with client:
        for _hop in range(MAX_REDIRECTS + 1):
            with client.stream(
                "GET", current, headers={"accept": "text/html,application/ld+json"}
            ) as response:
                _check_peer(response)
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    current = check_url(urljoin(current, location), resolver)
                    continue
                if response.status_code >= 400:
                    raise Invalid(
                        "The page answered %(status)s.",
                        field="url",
                        status=str(response.status_code),
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_PAGE_BYTES:
                        raise PayloadTooLarge("The page is larger than 5 MB.")
                    chunks.append(chunk)
                return b"".join(chunks), current
    raise Invalid("The page redirects too many times.", field="url")


def _check_peer(response: object) -> None:
    """Refuse the answer if the connection actually went to a private address (DNS rebinding)."""
    extensions = getattr(response, "extensions", {}) or {}
    stream = extensions.get("network_stream")
    if stream is None:
        return
    peer = stream.get_extra_info("server_addr")
    if peer and not is_public_address(str(peer[0])):
        raise Invalid(
            "That address points inside a private network; paste the page's HTML instead.",
            field="url",
        )
