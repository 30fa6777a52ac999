"""HTTP signatures for ActivityPub: draft-cavage-12 (sign and verify) and RFC 9421 (verify).

Pure: takes the method, target, headers and body of a request and PEM keys; no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)
from http_message_signatures import InvalidSignature as InvalidHTTPSignature

MAX_SKEW = timedelta(hours=12)
MIN_KEY_BITS = 2048
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*,?')


class SignatureError(Exception):
    """The request's signature is missing, malformed, stale or does not verify."""


@dataclass(frozen=True)
class SignedHeaders:
    """What a verifier needs to fetch the key and check the result: the key id it names."""

    key_id: str
    scheme: str  # "cavage" or "rfc9421"


def new_private_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=MIN_KEY_BITS)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#8 PEM of a private key."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: rsa.RSAPrivateKey) -> str:
    """SubjectPublicKeyInfo PEM of a key's public half (what `publicKeyPem` carries)."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def load_private(pem: bytes) -> rsa.RSAPrivateKey:
    """Load an RSA private key from PEM."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("not an RSA private key")
    return key


def load_public(pem: str) -> rsa.RSAPublicKey:
    """Load an RSA public key (at least 2048 bits) from PEM."""
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SignatureError("the actor's public key is not a PEM key") from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_KEY_BITS:
        raise SignatureError("the actor's key is not an RSA key of at least 2048 bits")
    return key


def digest_header(body: bytes) -> str:
    """The cavage `Digest` header value for a body."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def content_digest_header(body: bytes) -> str:
    """The RFC 9530 `Content-Digest` header value for a body."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def http_date(now: datetime) -> str:
    """An IMF-fixdate for the `Date` header."""
    return format_datetime(now.astimezone(UTC), usegmt=True)


def sign_cavage(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    key: rsa.RSAPrivateKey,
    now: datetime,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Headers (Host, Date, Digest, Signature) that sign a request with draft-cavage-12."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers: dict[str, str] = {"host": parts.netloc, "date": http_date(now)}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["digest"] = digest_header(body)
        names.append("digest")
    for name, value in (extra or {}).items():
        headers[name.lower()] = value
        names.append(name.lower())
    lines = [f"(request-target): {method.lower()} {target}"]
    lines += [f"{name}: {headers[name]}" for name in names[1:]]
    signed = key.sign("\n".join(lines).encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signed).decode("ascii")}"'
    )
    return headers


def parse_cavage(value: str) -> dict[str, str]:
    """The parameters of a cavage `Signature` header."""
    params = {m.group(1): m.group(2) for m in _PARAM.finditer(value)}
    if "keyId" not in params or "signature" not in params:
        raise SignatureError("the Signature header has no keyId or signature")
    return params


def key_id_of(headers: Mapping[str, str]) -> SignedHeaders:
    """Which key the request says it is signed with, and by which scheme (401 when unsigned)."""
    if "signature-input" in headers and "signature" in headers:
        match = re.search(r';\s*keyid="([^"]+)"', headers["signature-input"])
        if not match:
            raise SignatureError("the Signature-Input header names no keyid")
        return SignedHeaders(match.group(1), "rfc9421")
    if "signature" in headers:
        return SignedHeaders(parse_cavage(headers["signature"])["keyId"], "cavage")
    raise SignatureError("the request is not signed")


def check_date(headers: Mapping[str, str], now: datetime) -> None:
    """Refuse a request whose Date is missing or more than 12 hours away."""
    raw = headers.get("date")
    if not raw:
        raise SignatureError("the request has no Date header")
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError) as exc:
        raise SignatureError("the Date header is not a date") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if abs(now - when) > MAX_SKEW:
        raise SignatureError("the Date header is more than 12 hours away")


def check_digest(headers: Mapping[str, str], body: bytes) -> None:
    """Refuse a body whose Digest / Content-Digest is missing or does not match it."""
    if "digest" in headers:
        for part in headers["digest"].split(","):
            algo, _, value = part.strip().partition("=")
            if algo.lower() == "sha-256":
                if value != digest_header(body).partition("=")[2]:
                    raise SignatureError("the Digest does not match the body")
                return
        raise SignatureError("the Digest has no SHA-256 value")
    if "content-digest" in headers:
        for part in headers["content-digest"].split(","):
            algo, _, value = part.strip().partition("=")
            if algo.lower() == "sha-256":
                if value.strip() != content_digest_header(body).partition("=")[2]:
                    raise SignatureError("the Content-Digest does not match the body")
                return
        raise SignatureError("the Content-Digest has no sha-256 value")
    raise SignatureError("the request has no Digest")


def verify_cavage(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key_pem: str,
    now: datetime,
) -> None:
    """Verify a draft-cavage-12 signature (rsa-sha256); headers are lower-cased names."""
    params = parse_cavage(headers.get("signature", ""))
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in {"rsa-sha256", "hs2019"}:
        raise SignatureError(f"unsupported signature algorithm {algorithm}")
    names = params.get("headers", "date").lower().split()
    required = {"(request-target)", "host", "date"} | ({"digest"} if body is not None else set())
    if not required <= set(names):
        raise SignatureError("the signature must cover (request-target) host date digest")
    check_date(headers, now)
    if body is not None:
        check_digest(headers, body)
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"the signed header {name} is missing")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError as exc:
        raise SignatureError("the signature is not base64") from exc
    try:
        load_public(public_key_pem).verify(
            signature, "\n".join(lines).encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature as exc:
        raise SignatureError("the signature does not verify") from exc


# --- RFC 9421 ---------------------------------------------------------------------------------

RFC9421_COMPONENTS = ("@method", "@target-uri", "content-digest")


@dataclass
class _Message:
    """The request shape `http_message_signatures` reads: method, url and headers."""

    method: str
    url: str
    headers: dict[str, str]


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, public: rsa.RSAPublicKey | None, private: object = None):
        self.key_id, self.public, self.private = key_id, public, private

    def resolve_public_key(self, key_id: str) -> rsa.RSAPublicKey | None:
        return self.public if key_id == self.key_id else None

    def resolve_private_key(self, key_id: str) -> object:
        return self.private


def sign_rfc9421(
    method: str, url: str, body: bytes, key_id: str, key: rsa.RSAPrivateKey
) -> dict[str, str]:
    """Headers (Content-Digest, Signature-Input, Signature) signing a request per RFC 9421."""
    message = _Message(method.upper(), url, {"Content-Type": "application/activity+json"})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(key_id, None, key)
    )
    signer.sign(
        message,
        key_id=key_id,
        label="sig1",
        covered_component_ids=("@method", "@target-uri"),
        body=body,
    )
    return {k.lower(): v for k, v in message.headers.items()}


def verify_rfc9421(
    method: str, url: str, headers: Mapping[str, str], body: bytes, key_id: str, public_key_pem: str
) -> None:
    """Verify an RFC 9421 signature over @method, @target-uri and content-digest."""
    message = _Message(method.upper(), url, dict(headers))
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.RSA_V1_5_SHA256,
        key_resolver=_OneKey(key_id, load_public(public_key_pem)),
    )
    try:
        verifier.verify(message, max_age=MAX_SKEW, require_components=RFC9421_COMPONENTS, body=body)
    except (InvalidHTTPSignature, HTTPMessageSignaturesException) as exc:
        raise SignatureError(f"the RFC 9421 signature does not verify: {exc}") from exc
