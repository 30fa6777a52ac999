"""Recount sealed ballot boxes from ledger entries alone (pure: used by both verifiers).

`ledger verify` (stored entries) and `ledger verify --remote` (a server's public entries)
pass the entries here; nothing is read from a database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from commonpot.errors import Invalid, Worded
from commonpot.governance.canonical import canonical_json
from commonpot.governance.verification import Report

__all__ = ["MARKER_TEXTS", "audit", "commitment", "relevant"]

# the texts that mark the entries a recount reads (ledger verify's scanner flags them too)
MARKER_TEXTS = ('"proposal.opened"', '"commitment"', '"ballots.revealed"', '"proposal.tallied"')
_MARKERS = re.compile("|".join(re.escape(marker) for marker in MARKER_TEXTS))


def commitment(community: str, proposal: int, ballot: dict[str, Any], salt: str) -> str:
    """Hex SHA-256 over the canonical JSON of community, proposal, ballot and salt."""
    body = {"ballot": ballot, "community": community, "proposal": proposal, "salt": salt}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def relevant(rows: Sequence[tuple[int, str, str | None]]) -> list[tuple[int, str]]:
    """The (seq, data) of the (seq, data, leaf hash) rows `audit` reads: it skips all others."""
    whole = "\n".join([data for _, data, _ in rows])
    if not any(marker in whole for marker in MARKER_TEXTS):
        return []  # nothing sealed: one scan of the whole text instead of one per entry
    return [(seq, data) for seq, data, _ in rows if _MARKERS.search(data)]


def audit(rows: list[tuple[int, str]], report: Report) -> int:
    """Recount every sealed proposal from ledger entries alone; returns how many were recounted.

    For each `ballots.revealed` entry: its ballots, counted with the method, options, seats,
    rules and electorate of the proposal's `proposal.opened` entry, must give the result of
    the `proposal.tallied` entry; a secret ballot publishes one ballot per voter on the roll;
    an open one publishes each voter's ballot and salt, which must hash to the voter's last
    commitment on the roll.
    """
    whole = "\n".join([data for _, data in rows])
    if not any(marker in whole for marker in MARKER_TEXTS):
        return 0  # nothing sealed: one scan of the whole text instead of one per entry
    opened: dict[int, dict[str, Any]] = {}
    roll: dict[int, dict[Any, str]] = {}
    revealed: dict[int, tuple[int, dict[str, Any]]] = {}
    recounted = 0
    for seq, data in rows:
        # only these entries matter, and their type (or commitment) is literally in the text;
        # skipping the rest unparsed keeps a full verification near the cost of hashing
        if _MARKERS.search(data) is None:
            continue
        try:
            entry = json.loads(data)
        except ValueError:
            continue  # check_entries reports it
        if not isinstance(entry, dict):
            continue
        kind, number = entry.get("type"), entry.get("proposal")
        if not isinstance(number, int):
            continue
        if kind == "proposal.opened":
            opened[number], roll[number] = entry, {}
        elif kind in {"vote.cast", "vote.changed"} and "commitment" in entry:
            roll.setdefault(number, {})[entry.get("voter")] = str(entry["commitment"])
        elif kind == "ballots.revealed":
            revealed[number] = (seq, entry)
        elif kind == "proposal.tallied" and number in revealed:
            seq_r, shown = revealed.pop(number)
            problem = _audit_one(opened.get(number), roll.get(number, {}), shown, entry)
            if problem:
                report.bad(
                    seq_r,
                    Worded(
                        "entry %(seq)s: proposal %(number)s: %(problem)s",
                        {"seq": str(seq_r), "number": str(number), "problem": problem},
                    ),
                )
            else:
                recounted += 1
    return recounted


def _audit_one(
    opened: dict[str, Any] | None,
    roll: dict[Any, str],
    shown: dict[str, Any],
    tallied: dict[str, Any],
) -> Worded | None:
    if opened is None:
        return Worded("ballots published for a proposal that never opened", {})
    ballots = shown.get("ballots")
    if not isinstance(ballots, list):
        return Worded("no ballot list", {})
    return _check_roll(opened, roll, shown, ballots) or _recount(opened, ballots, tallied)


def _check_roll(
    opened: dict[str, Any], roll: dict[Any, str], shown: dict[str, Any], ballots: list[Any]
) -> Worded | None:
    slug, number = str(opened.get("community")), int(opened["proposal"])
    if shown.get("secret"):
        if len(ballots) != len(roll):
            return Worded(
                "%(ballots)s ballots published for %(voters)s voters",
                {"ballots": len(ballots), "voters": len(roll)},
            )
        return None
    votes = shown.get("votes") or []
    if {v.get("voter") for v in votes} != set(roll):
        return Worded("the published voters differ from the roll", {})
    for v in votes:
        if commitment(slug, number, v.get("ballot"), str(v.get("salt"))) != roll[v["voter"]]:
            return Worded(
                "voter %(voter)s's ballot does not match their commitment",
                {"voter": str(v.get("voter"))},
            )
    return None


def _recount(opened: dict[str, Any], ballots: list[Any], tallied: dict[str, Any]) -> Worded | None:
    from commonpot.governance import cast_ballots  # loaded only when a box is sealed

    try:
        result = cast_ballots.count(
            str(opened["method"]),
            list(opened["options"]),
            int(opened["seats"]),
            [(b, 1) for b in ballots],
            rules=dict(opened["rules"]),
            eligible=sum(int(w) for w in dict(opened["electorate"]).values()),
            seed=int(str(opened["action_hash"])[:8], 16),
        ).to_json()
    except (Invalid, KeyError, TypeError, ValueError) as exc:
        return Worded("the published ballots cannot be counted (%(error)s)", {"error": str(exc)})
    # the tally adds turnout, eligible and passed (majority results carry the last two too)
    added = {"turnout", "eligible", "passed"}
    declared = {k: v for k, v in dict(tallied.get("result") or {}).items() if k not in added}
    recounted = {k: v for k, v in json.loads(json.dumps(result)).items() if k not in added}
    if recounted != declared:
        return Worded("the published ballots do not recount to the declared result", {})
    return None
