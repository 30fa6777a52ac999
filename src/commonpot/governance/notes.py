"""C2SP signed notes and tlog checkpoints with Ed25519 keys.

Note: ``<text ending in a newline>`` + ``"\\n"`` + one line per signature,
``"— <name> <base64(key id || signature)>\\n"``; the signature covers the text bytes.
Key id: first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key). Verifier key:
``<name>+<hex key id>+<base64(0x01 || public key)>``; signer key:
``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || private seed)>``.
Checkpoint text: ``origin\\nsize\\nbase64(root)\\n`` then optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from commonpot.parsing import is_digits

ALG_ED25519 = 0x01
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
SIG_PREFIX = "— "


class NoteError(ValueError):
    """A note, key or checkpoint is malformed or its signature does not verify."""


def key_name_of(instance_name: str) -> str:
    """The signed-note key name of an instance: its name without spaces or '+'."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-._/:" else "-" for ch in instance_name)
    return cleaned or "commonpot"


def _check_name(name: str) -> None:
    if not name or any(ch in name for ch in " +\n\t") or not name.isprintable():
        raise NoteError(f"invalid key name {name!r}")


def key_id(name: str, public_key: bytes) -> bytes:
    """First 4 bytes of SHA-256(name || "\\n" || 0x01 || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key, as in a signed-note vkey."""

    name: str
    public_key: bytes

    @cached_property
    def key_id(self) -> bytes:
        """The 4-byte key id."""
        return key_id(self.name, self.public_key)

    def vkey(self) -> str:
        """Encoded verifier key `name+hexid+base64(0x01||pubkey)`."""
        blob = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @cached_property
    def _key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if signature is this key's Ed25519 signature of message."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key."""

    name: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A fresh random key under this name."""
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        """The matching verifier."""
        raw = self.private_key.public_key().public_bytes_raw()
        return Verifier(self.name, raw)

    def skey(self) -> str:
        """Encoded signer key `PRIVATE+KEY+name+hexid+base64(0x01||seed)` (keep it secret)."""
        seed = self.private_key.private_bytes_raw()
        blob = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{blob}"

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature of message."""
        return self.private_key.sign(message)


def _decode_key(name: str, hex_id: str, blob: str) -> bytes:
    _check_name(name)
    try:
        raw = base64.b64decode(blob, validate=True)
        want = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError):
        raise NoteError("key is not valid hex/base64") from None
    if len(raw) != 33 or raw[0] != ALG_ED25519 or len(want) != 4:
        raise NoteError("not an Ed25519 key")
    return raw[1:]


def parse_vkey(text: str) -> Verifier:
    """Parse `name+hexid+base64(0x01||pubkey)`, checking the key id."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("verifier key must be name+id+key")
    verifier = Verifier(parts[0], _decode_key(*parts))
    if verifier.key_id.hex() != parts[1].lower():
        raise NoteError("verifier key id does not match the key")
    return verifier


def parse_skey(text: str) -> Signer:
    """Parse `PRIVATE+KEY+name+hexid+base64(0x01||seed)`."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("signer key must be PRIVATE+KEY+name+id+key")
    seed = _decode_key(*parts[2:])
    signer = Signer(parts[2], Ed25519PrivateKey.from_private_bytes(seed))
    if signer.verifier.key_id.hex() != parts[3].lower():
        raise NoteError("signer key id does not match the key")
    return signer


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if _CONTROL.search(text):
        raise NoteError("note text holds control characters")


def sign_note(text: str, *signers: Signer) -> str:
    """The signed note: text, a blank line, one signature line per signer."""
    _check_text(text)
    lines = []
    for signer in signers:
        sig = signer.verifier.key_id + signer.sign(text.encode())
        lines.append(f"{SIG_PREFIX}{signer.name} {base64.b64encode(sig).decode()}\n")
    return text + "\n" + "".join(lines)


def open_note(note: str, *verifiers: Verifier) -> tuple[str, list[str]]:
    """Verify a signed note; returns (text, names of known keys that signed it)."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    known = {(v.name, v.key_id): v for v in verifiers}
    signed: list[str] = []
    for line in block.splitlines():
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"malformed signature line {line[:30]!r}")
        name, _, blob = line[len(SIG_PREFIX) :].partition(" ")
        try:
            sig = base64.b64decode(blob, validate=True)
        except binascii.Error:
            raise NoteError("signature is not base64") from None
        if len(sig) < 5 or not name:
            raise NoteError("malformed signature line")
        verifier = known.get((name, sig[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), sig[4:]):
            raise NoteError(f"signature by {name} does not verify")
        signed.append(name)
    if not signed:
        raise NoteError("no signature by a known key")
    return text, signed


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint: origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not lines[0]:
            raise NoteError("checkpoint needs origin, size and root lines")
        if not is_digits(lines[1]) or (lines[1] != "0" and lines[1].startswith("0")):
            raise NoteError("checkpoint size is not a decimal number")
        try:
            root = base64.b64decode(lines[2], validate=True)
        except binascii.Error:
            raise NoteError("checkpoint root is not base64") from None
        if len(root) != 32:
            raise NoteError("checkpoint root must be 32 bytes")
        return cls(lines[0], int(lines[1]), root, tuple(lines[3:-1]))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a signed note."""
    return sign_note(checkpoint.text(), signer)


def open_checkpoint(note: str, verifier: Verifier, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note (and its origin, if given) and parse it."""
    text, _ = open_note(note, verifier)
    checkpoint = Checkpoint.parse(text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint
