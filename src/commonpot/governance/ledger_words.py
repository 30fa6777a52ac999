"""Ledger entries in words: who did what, when (pure: reads the entry's JSON only).

Each sentence is a gettext message id with named parts; the page translates it and fills
the parts in. People are named by `names` (user id → name) when the reader may see names,
else as "member #id". Kinds not listed here are still shown, by their type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

SENTENCES = {
    "proposal.opened": 'Voting opened on proposal #%(proposal)s "%(title)s".',
    "vote.cast": "%(voter)s voted on proposal #%(proposal)s.",
    "vote.changed": "%(voter)s changed their vote on proposal #%(proposal)s.",
    "proposal.extended": "Voting on proposal #%(proposal)s was extended.",
    "proposal.canceled": "Proposal #%(proposal)s was withdrawn.",
    "proposal.expired": "Proposal #%(proposal)s expired before it was carried out.",
    "proposal.tallied": "The votes on proposal #%(proposal)s were counted.",
    "proposal.queued": "Proposal #%(proposal)s passed; it can be carried out after a wait.",
    "proposal.executed": "Proposal #%(proposal)s was carried out.",
    "proposal.execution_failed": "Carrying out proposal #%(proposal)s failed.",
    "ballots.revealed": "The ballots of proposal #%(proposal)s were published.",
    "delegation.set": "%(delegator)s let %(delegate)s vote for them.",
    "delegation.revoked": "%(delegator)s took back their delegated vote.",
    "grant.requested": 'Grant #%(grant)s "%(title)s" was requested.',
    "grant.staked": "%(member)s backed grant #%(grant)s.",
    "grant.funded": "Grant #%(grant)s was funded.",
    "grant.funding_failed": "Funding grant #%(grant)s failed.",
    "constitution.adopted": "The constitution was adopted.",
    "constitution.amended": "The constitution was amended (version %(version)s).",
    "membership.joined": "%(member)s joined the community.",
    "membership.left": "%(member)s left the community.",
    "membership.role_changed": "%(member)s now has the role %(role)s.",
    "network.run_committed": "Allocation run #%(run)s was committed: its handovers went out.",
    "network.handover_completed": (
        "%(quantity)s %(unit)s of %(category)s were handed over (allocation run #%(run)s)."
    ),
}
OTHER = "Recorded: %(type)s."
PEOPLE = frozenset({"voter", "delegator", "delegate", "member"})


@dataclass(frozen=True)
class Said:
    """One entry in words: the message id, its parts, when, and the JSON behind it."""

    seq: int
    text: str
    parts: dict[str, str]
    at: datetime | None
    data: str
    pretty: str


def _same(message: str) -> str:
    return message


def person(value: Any, names: dict[int, str], gettext: Callable[[str], str] = _same) -> str:
    """A person by name when known, else "member #id" (or "someone"), in the reader's words."""
    if isinstance(value, int) and value in names:
        return names[value]
    if value is None:
        return gettext("someone")
    return gettext("member #%(id)s") % {"id": value}


@lru_cache(maxsize=4096)
def people_in(data: str) -> frozenset[int]:
    """The user ids an entry names (to look their names up); each stored entry is read once
    per process (entries never change)."""
    entry = json.loads(data)
    return frozenset(v for k, v in entry.items() if k in PEOPLE and isinstance(v, int))


def describe(
    seq: int, data: str, names: dict[int, str], gettext: Callable[[str], str] = _same
) -> Said:
    """The entry as a sentence with its parts (people and roles in the reader's `gettext`)."""
    entry: dict[str, Any] = json.loads(data)
    kind = str(entry.get("type", ""))
    text = SENTENCES.get(kind, OTHER)
    parts: dict[str, str] = {"type": kind}
    for key, value in entry.items():
        if key in PEOPLE:
            parts[key] = person(value, names, gettext)
        elif isinstance(value, str | int) and not isinstance(value, bool):
            parts[key] = str(value)
        elif isinstance(value, float):
            parts[key] = f"{value:g}"
    for needed in ("proposal", "title", "grant", "version", "role", "run", "quantity", "category"):
        parts.setdefault(needed, "?")
    if kind == "membership.role_changed" and parts["role"] != "?":
        parts["role"] = gettext(parts["role"])
    # a unit is a stored word ("bunches"): the reader's word for it
    unit = parts.get("unit", "")
    parts["unit"] = gettext(unit) if unit else ""
    for who in PEOPLE:
        parts.setdefault(who, gettext("someone"))
    at = None
    if isinstance(entry.get("at"), str):
        try:
            at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        except ValueError:
            at = None
    return Said(seq, text, parts, at, data, _pretty_entry(data))


@lru_cache(maxsize=4096)
def _pretty_entry(data: str) -> str:
    """`pretty_json` of a stored entry. Entries never change (the ledger only grows, and
    each is hashed into the next), and the pages show the same newest ones again and again:
    each is written once per process, at most 4,096 kept."""
    return pretty_json(json.loads(data))


def pretty_json(entry: dict[str, Any]) -> str:
    """`json.dumps(entry, indent=2, ensure_ascii=False, sort_keys=True)`, the same text.

    With `indent`, `json` writes every value with its pure-Python encoder (a ledger page of
    fifty entries spent a quarter of its time there); here only the layout is Python's and
    each string, number and constant is written by the C encoder. A key that is not a
    string (never, for an entry read from JSON) goes to `json.dumps` itself."""
    try:
        return _pretty(entry, "\n")
    except _NotPlain:
        return json.dumps(entry, indent=2, ensure_ascii=False, sort_keys=True)


class _NotPlain(Exception):
    """A value `_pretty` leaves to `json.dumps` (a key that is not a string)."""


def _pretty(value: Any, newline: str) -> str:
    """`value` as `json.dumps` with indent 2 writes it, at the depth `newline` indents."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(type(key) is str for key in value):
            raise _NotPlain
        inner = newline + "  "
        items = [f"{_FLAT.encode(k)}: {_pretty(value[k], inner)}" for k in sorted(value)]
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(_pretty(v, inner) for v in value) + newline + "]"
    return _FLAT.encode(value)


_FLAT = json.JSONEncoder(ensure_ascii=False)
