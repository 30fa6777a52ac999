"""Handles (`@slug@host`) and the addresses federation may fetch (no SSRF into private networks).

Pure: parsing and address checks on plain strings and IP addresses; no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from commonpot.errors import Invalid

_HANDLE = re.compile(r"^@?([A-Za-z0-9_.-]{1,60})@([A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?)$")


@dataclass(frozen=True)
class Handle:
    """A remote actor's handle: its name and the host that serves it."""

    name: str
    host: str

    @property
    def acct(self) -> str:
        """The WebFinger resource."""
        return f"acct:{self.name}@{self.host}"

    def __str__(self) -> str:
        return f"@{self.name}@{self.host}"


def parse_handle(text: str) -> Handle:
    """Read `@slug@host` (or `slug@host`, or `acct:slug@host`)."""
    cleaned = text.strip().removeprefix("acct:")
    match = _HANDLE.match(cleaned)
    if match is None:
        raise Invalid("Write the handle as @community@server.example.", field="handle")
    return Handle(match.group(1), match.group(2).lower())


def domain_of(url: str) -> str:
    """The host name (without port) of a URL, lower-cased."""
    return (urlsplit(url).hostname or "").lower()


def check_url(url: str, *, allow_http: bool) -> str:
    """Refuse URLs federation must not fetch: not https (unless allowed), no host, credentials."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes:
        if allow_http:
            raise Invalid("Only http or https addresses may be fetched.", field="url")
        raise Invalid("Only https addresses may be fetched.", field="url")
    if not parts.hostname or parts.username or parts.password:
        raise Invalid("The address has no host, or carries credentials.", field="url")
    return url


def address_allowed(address: str, *, allow_http: bool) -> bool:
    """True for a public IP address; with `allow_http`, loopback and private ones too.

    Link-local (cloud metadata services live there), multicast and unspecified addresses
    are never peers, whatever the setting.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return False
    if allow_http:
        return ip.is_loopback or ip.is_private or ip.is_global
    return ip.is_global
