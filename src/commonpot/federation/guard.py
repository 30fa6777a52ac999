"""Outgoing connections that cannot be steered into private networks (SSRF, DNS rebinding).

The host name of every connection is resolved once, here; addresses federation must not
reach are dropped (private, loopback and link-local ones, unless the instance allows
local peers), and the socket is opened to the address that was checked. The name is still
what TLS verifies (SNI) and what the `Host` header carries, because httpcore hands the
connection's origin host to TLS while the network backend chooses where to connect.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from commonpot.federation.handles import address_allowed

Resolver = Callable[[str, int], list[str]]


class AddressRefused(Exception):
    """The host resolves only to addresses federation must not reach."""


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves each host once and connects only to an address that passed the check."""

    def __init__(self, *, allow_local: bool, resolver: Resolver = resolve) -> None:
        self.allow_local = allow_local
        self.resolver = resolver
        self._tcp = httpcore.SyncBackend()

    def pick(self, host: str, port: int) -> str:
        """The first resolved address that may be reached (AddressRefused otherwise)."""
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        allowed = [a for a in addresses if address_allowed(a, allow_http=self.allow_local)]
        if not allowed:
            raise AddressRefused(f"{host} is not a public address")
        return allowed[0]

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the checked address of `host` (TLS still verifies `host`)."""
        address = self.pick(host, port)
        return self._tcp.connect_tcp(address, port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """Never: federation talks to other servers over TCP only."""
        raise AddressRefused("unix sockets are not federation peers")

    def sleep(self, seconds: float) -> None:
        """Wait (between connection retries)."""
        self._tcp.sleep(seconds)


_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.NetworkError, httpx.NetworkError),
)


def _as_httpx(exc: Exception, request: httpx.Request) -> Exception:
    for core, mapped in _ERRORS:
        if isinstance(exc, core):
            return mapped(str(exc) or type(exc).__name__, request=request)
    return exc


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response, request: httpx.Request) -> None:
        self.response, self.request = response, request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.response.iter_stream()
        except httpcore.TimeoutException as exc:
            raise _as_httpx(exc, self.request) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _as_httpx(exc, self.request) from exc

    def close(self) -> None:
        self.response.close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over a connection pool whose sockets go only to checked addresses."""

    def __init__(
        self,
        *,
        allow_local: bool,
        limits: httpx.Limits,
        resolver: Resolver = resolve,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.backend = GuardedBackend(allow_local=allow_local, resolver=resolver)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request through the guarded pool."""
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _as_httpx(exc, request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._pool.close()
