"""Outgoing HTTP for federation: only public https peers (unless allowed), bounded and timed out.

Connections go through `guard.GuardedTransport` (one resolution per connection, checked
address, no proxies from the environment); tests pass their own in-process `transport`.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from commonpot.errors import Invalid
from commonpot.federation.guard import AddressRefused, GuardedTransport, Resolver, resolve
from commonpot.federation.handles import check_url
from commonpot.federation.signatures import sign_cavage
from commonpot.federation.vocab import ACTIVITY_JSON, LD_JSON

MAX_RESPONSE_BYTES = 1024 * 1024
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "commonpot-federation (+https://github.com/commonpot/commonpot)"


class FetchError(Exception):
    """A remote document could not be fetched (refused address, error status, too big, bad JSON)."""


@dataclass
class Client:
    """Signed GETs and POSTs to other servers; `transport` lets tests route to in-process apps."""

    allow_http: bool = False
    transport: httpx.BaseTransport | None = None
    max_bytes: int = MAX_RESPONSE_BYTES
    resolver: Resolver = resolve
    ssl_context: ssl.SSLContext | None = None  # default: the system's trusted roots
    _http: httpx.Client | None = field(default=None, repr=False)

    def _client(self) -> httpx.Client:
        if self._http is None:
            limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
            transport = self.transport or GuardedTransport(
                allow_local=self.allow_http,
                limits=limits,
                resolver=self.resolver,
                ssl_context=self.ssl_context,
            )
            self._http = httpx.Client(
                transport=transport,
                timeout=TIMEOUT,
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: connections stay guarded
                headers={"user-agent": USER_AGENT},
                limits=limits,
            )
        return self._http

    def close(self) -> None:
        """Close pooled connections."""
        if self._http is not None:
            self._http.close()
            self._http = None

    def check(self, url: str) -> None:
        """Refuse URLs federation must not fetch (addresses are checked when connecting)."""
        try:
            check_url(url, allow_http=self.allow_http)
        except Invalid as exc:
            raise FetchError(exc.detail) from exc

    def get_json(
        self,
        url: str,
        *,
        key_id: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        now: datetime | None = None,
        accept: str = f"{ACTIVITY_JSON}, {LD_JSON}",
    ) -> dict[str, Any]:
        """GET a JSON document (signed with the instance key when given)."""
        self.check(url)
        headers = {"accept": accept}
        if key_id is not None and key is not None and now is not None:
            headers.update(sign_cavage("GET", url, None, key_id, key, now))
        try:
            with self._client().stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    raise FetchError(f"{url} answered {response.status_code}")
                body = self._read(response)
        except AddressRefused as exc:
            raise FetchError(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}") from exc
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise FetchError(f"{url} did not answer JSON") from exc
        if not isinstance(doc, dict):
            raise FetchError(f"{url} did not answer a JSON object")
        return doc

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST a body; the status code (0 when the server could not be reached)."""
        self.check(url)
        try:
            response = self._client().post(url, content=body, headers=headers)
        except AddressRefused as exc:
            raise FetchError(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}") from exc
        return response.status_code

    def post_json(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        """POST a body and read the JSON answer (bounded); (status, document or None)."""
        self.check(url)
        try:
            with self._client().stream("POST", url, content=body, headers=headers) as response:
                raw = self._read(response)
                status = response.status_code
        except AddressRefused as exc:
            raise FetchError(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}") from exc
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def _read(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"the answer is larger than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
