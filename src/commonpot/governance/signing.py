"""Members' own Ed25519 signatures on votes: the signed message and its check."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from commonpot.governance.canonical import canonical_json


def vote_message(community: str, proposal: int, action_hash: str, ballot: dict[str, Any]) -> bytes:
    """The bytes a voter signs: canonical JSON of community, proposal, action hash, ballot."""
    return canonical_json(
        {
            "action_hash": action_hash,
            "ballot": ballot,
            "community": community,
            "proposal": proposal,
        }
    )


def commit_message(community: str, proposal: int, action_hash: str, commitment: str) -> bytes:
    """The bytes a voter signs for a sealed ballot: the commitment, never the ballot itself.

    A signature over the bare ballot could be tested against each possible choice by anyone
    holding the voter's public key, so in sealed modes (secret ballot, or results hidden
    while voting) the signature covers the salted commitment instead.
    """
    return canonical_json(
        {
            "action_hash": action_hash,
            "commitment": commitment,
            "community": community,
            "proposal": proposal,
        }
    )


def verify_vote(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """True if the base64 signature is the key's Ed25519 signature of message."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def sign_vote(private_key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 Ed25519 signature (what the CLI or an API client sends)."""
    return base64.b64encode(private_key.sign(message)).decode()


def check_vote_entry(entry: dict[str, Any]) -> bool:
    """Re-verify the voter's signature kept in a vote ledger entry."""
    key, sig = entry.get("public_key"), entry.get("signature")
    if not isinstance(key, str) or not isinstance(sig, str):
        return False
    if "commitment" in entry and "ballot" not in entry:
        return verify_vote(
            key,
            sig,
            commit_message(
                str(entry.get("community")),
                int(entry.get("proposal", -1)),
                str(entry.get("action_hash")),
                str(entry.get("commitment")),
            ),
        )
    message = vote_message(
        str(entry.get("community")),
        int(entry.get("proposal", -1)),
        str(entry.get("action_hash")),
        entry.get("signed_ballot") or entry.get("ballot") or {},
    )
    return verify_vote(key, sig, message)
