"""C2SP signed notes and checkpoints: the Go sumdb/note vector, round trips, tampering."""

from __future__ import annotations

import base64

import pytest

from commonpot.governance.canonical import canonical_json, canonical_text, is_canonical
from commonpot.governance.notes import (
    Checkpoint,
    NoteError,
    Signer,
    key_id,
    open_checkpoint,
    open_note,
    parse_skey,
    parse_vkey,
    sign_checkpoint,
    sign_note,
)

# golang.org/x/mod/sumdb/note documentation example (Ed25519 signatures are deterministic)
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_reference_note_is_reproduced_byte_for_byte() -> None:
    signer = parse_skey(GO_SKEY)
    assert signer.verifier.vkey() == GO_VKEY
    assert sign_note(GO_TEXT, signer) == GO_NOTE
    assert open_note(GO_NOTE, parse_vkey(GO_VKEY)) == (GO_TEXT, ["PeterNeumann"])


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    verifier = parse_vkey(GO_VKEY)
    assert key_id(verifier.name, verifier.public_key).hex() == "c74f20a3"
    # a vkey whose base64 holds '+' (transparency-dev formats test key)
    assert parse_vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").name == "TEST"


def test_tampered_text_or_signature_fails() -> None:
    verifier = parse_vkey(GO_VKEY)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), verifier)
    other = Signer.generate("PeterNeumann")
    with pytest.raises(NoteError, match="no signature by a known key"):
        open_note(GO_NOTE, other.verifier)
    with pytest.raises(NoteError):
        open_note(GO_TEXT, verifier)


@pytest.mark.parametrize(
    "bad",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpcPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_vkey(bad)


def test_checkpoint_round_trip_and_origin_check() -> None:
    signer = Signer.generate("commonpot.example/ledger/green-valley")
    root = bytes(range(32))
    checkpoint = Checkpoint("commonpot.example/ledger/green-valley", 42, root)
    assert checkpoint.text() == (
        f"commonpot.example/ledger/green-valley\n42\n{base64.b64encode(root).decode()}\n"
    )
    note = sign_checkpoint(checkpoint, signer)
    assert open_checkpoint(note, signer.verifier, checkpoint.origin) == checkpoint
    assert parse_skey(signer.skey()).verifier == signer.verifier
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, signer.verifier, "elsewhere")
    with pytest.raises(NoteError):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), signer.verifier)


@pytest.mark.parametrize(
    "body",
    ["origin\n01\nAAAA\n", "origin\n1\nnot base64!\n", "origin\n1\n", "\n1\n" + "A" * 44 + "\n"],
)
def test_malformed_checkpoints(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_canonical_json_rfc8785() -> None:
    value = {"b": 1, "a": "é", "c": [1.0, 2.5, True, None], "€": {"z": 0, "y": 1e21}}
    assert canonical_json(value) == (
        '{"a":"é","b":1,"c":[1,2.5,true,null],"€":{"y":1e+21,"z":0}}'.encode()
    )
    assert is_canonical(canonical_text(value))
    assert not is_canonical('{"b":1, "a":2}')
