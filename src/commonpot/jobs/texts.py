"""A job's title, progress note and error as sentences: stored as data, worded per reader.

A job runs where nobody reads (a worker), so what it says is stored as a message id with
its parts (`words.Said`), JSON in the job's own text columns (`title`, `message`, `error`);
older rows and technical failures hold plain English, read as a message id of their own.
Pages, the live stream, the API and the command line word them for their reader.
"""

from __future__ import annotations

import json
from typing import Any

from commonpot.errors import Worded
from commonpot.words import ENGLISH, Said, Words

Text = str | Said
_STORED = '{"text":'


def said_of(text: Text) -> Said:
    """The sentence a text says (a `Worded` refusal keeps its message id and parts)."""
    if isinstance(text, Said):
        return text
    if isinstance(text, Worded):
        return Said(text.msgid, dict(text.parts))
    return Said(str(text))


def stored(text: Text, limit: int) -> str:
    """The text as its column stores it: the sentence as JSON, or plain text if short of room.

    Plain text without parts is stored as it is (it is its own message id).
    """
    sentence = said_of(text)
    if not sentence.values and sentence.plural is None:
        return sentence.text[:limit]
    encoded = json.dumps(sentence.to_json(), ensure_ascii=False, separators=(",", ":"))
    if len(encoded) <= limit and encoded.startswith(_STORED):
        return encoded
    return sentence.words(ENGLISH)[:limit]


def read(value: str | None) -> Said | None:
    """The sentence a column holds (None for none)."""
    if value is None:
        return None
    if value.startswith(_STORED):
        try:
            return Said.from_json(json.loads(value))
        except (ValueError, TypeError):
            pass
    return Said(value)


def shown(value: str | None, words: Words = ENGLISH) -> str | None:
    """A stored title, note or error in the reader's words (English without a reader)."""
    sentence = read(value)
    return None if sentence is None else sentence.words(words)


def worded_message(message: dict[str, Any], words: Words = ENGLISH) -> dict[str, Any]:
    """A job's live message (`job_message`, or what a worker published) for one reader."""
    out = dict(message)
    for key in ("title", "message", "error"):
        if isinstance(out.get(key), str):
            out[key] = shown(out[key], words)
    return out
