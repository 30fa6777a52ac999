"""A community's constitution: the least quorum, threshold, voting time and timelock per action.

A proposal's author chooses its rules, but never below the floor the constitution sets
for the proposal's kind of action (`FloorError` names the rule that falls short). The
floor in force when voting opens is frozen into the proposal and checked again before
its action runs. The constitution changes only through an executed `amend_constitution`
proposal, which itself must meet the stricter amendment floor; no amendment may lower any
floor below `HARD_FLOOR` (or the amendment floor below `AMENDMENT_HARD_FLOOR`).

The first half of this module is pure (plain dicts and fractions); the second reads and
writes the `gov_constitutions` table and the ledger.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from commonpot.actions import ENGLISH, Words
from commonpot.communities import Community
from commonpot.errors import Invalid, Worded
from commonpot.governance import ledger
from commonpot.governance.models import Constitution

Floor = dict[str, Any]
HOUR = 3600
DAY = 24 * HOUR
AMEND = "amend_constitution"
FALLBACK = "*"
FIELDS = ("quorum", "threshold", "inclusive", "voting_seconds", "timelock_seconds")

# What a real community would accept: a decision in words needs a tenth of the members
# and a day; anything that acts (membership, roles, resources, settings, allocation runs,
# crop plans, grants) a fifth of the members, more than half of the votes, three days of
# voting and a day's wait; the constitution itself two thirds, 30 %, a week and two days.
DEFAULT_FLOORS: dict[str, Floor] = {
    FALLBACK: {
        "quorum": "1/5",
        "threshold": "1/2",
        "inclusive": False,
        "voting_seconds": 3 * DAY,
        "timelock_seconds": DAY,
    },
    "text": {
        "quorum": "1/10",
        "threshold": "1/2",
        "inclusive": False,
        "voting_seconds": DAY,
        "timelock_seconds": 0,
    },
    AMEND: {
        "quorum": "3/10",
        "threshold": "2/3",
        "inclusive": True,
        "voting_seconds": 7 * DAY,
        "timelock_seconds": 2 * DAY,
    },
}
HARD_FLOOR: Floor = {
    "quorum": "1/10",
    "threshold": "1/2",
    "inclusive": False,
    "voting_seconds": DAY,
    "timelock_seconds": 0,
}
AMENDMENT_HARD_FLOOR: Floor = {
    "quorum": "1/5",
    "threshold": "3/5",
    "inclusive": True,
    "voting_seconds": 3 * DAY,
    "timelock_seconds": DAY,
}
# Field names as the API's proposal body spells them (the web form maps them to its own).
RULE_FIELD = {
    "quorum": "rules.quorum",
    "threshold": "rules.threshold",
    "voting_seconds": "rules.voting_seconds",
    "timelock_seconds": "rules.timelock_seconds",
}


class FloorError(Invalid):
    """A rule falls below the constitution's floor (field names the rule)."""


def _share(value: Any, where: str) -> Fraction:
    try:
        share = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise Invalid("A share such as 1/2 or 0.6.", field=where) from None
    top_ok = share <= 1 if where.endswith("quorum") else share < 1
    if share < 0 or not top_ok:
        raise Invalid("A share between 0 and 1.", field=where)
    return share


def _strictness(threshold: Any, inclusive: Any) -> tuple[Fraction, int]:
    """Order thresholds: higher is stricter; at equal shares 'more than' beats 'at least'."""
    return Fraction(str(threshold)), 0 if inclusive else 1


def _hours(seconds: int) -> str:
    return f"{seconds / HOUR:g} h"


def percent(share: Any) -> str:
    """A share as a percentage, e.g. 20 %."""
    return f"{float(Fraction(str(share))) * 100:g} %"


def shortfall(rules: dict[str, Any], floor: Floor, method: str) -> tuple[str, str] | None:
    """The first rule below the floor as (rule name, message), or None when all are met.

    The pass threshold only decides yes/no proposals; choices between options are decided
    by quorum and a winner, so their threshold is not compared.
    """
    if Fraction(str(rules["quorum"])) < Fraction(str(floor["quorum"])):
        quorum = str(floor["quorum"])
        return "quorum", Worded(
            "The quorum must be at least %(share)s of the members.", {"share": quorum}
        )
    if method == "majority" and _strictness(rules["threshold"], rules["inclusive"]) < _strictness(
        floor["threshold"], floor["inclusive"]
    ):
        share = {"share": str(floor["threshold"])}
        if floor["inclusive"]:
            return "threshold", Worded(
                "A pass needs at least %(share)s of the yes and no votes.", share
            )
        return "threshold", Worded(
            "A pass needs more than %(share)s of the yes and no votes.", share
        )
    if int(rules["voting_seconds"]) < int(floor["voting_seconds"]):
        hours = {"hours": int(floor["voting_seconds"]) / HOUR}
        return "voting_seconds", Worded("Voting lasts at least %(hours)s h.", hours)
    if int(rules["timelock_seconds"]) < int(floor["timelock_seconds"]):
        hours = {"hours": int(floor["timelock_seconds"]) / HOUR}
        return "timelock_seconds", Worded("The wait before acting is at least %(hours)s h.", hours)
    return None


def check(rules: dict[str, Any], floor: Floor, method: str) -> None:
    """Raise FloorError naming the rule field (`rules.quorum`...) when a rule is too low."""
    short = shortfall(rules, floor, method)
    if short is not None:
        raise FloorError(short[1], field=RULE_FIELD[short[0]])


def floor_for(floors: dict[str, Floor], kind: str) -> Floor:
    """The floor for a kind of action (its own entry, else the fallback for actions)."""
    return dict(floors.get(kind) or floors[FALLBACK])


def lift(rules: dict[str, Any], floor: Floor, given: dict[str, Any]) -> dict[str, Any]:
    """Raise the rules the author did not set to the floor (set ones are left to `check`)."""
    out = dict(rules)
    for key in ("quorum", "voting_seconds", "timelock_seconds"):
        if key not in given and Fraction(str(out[key])) < Fraction(str(floor[key])):
            out[key] = floor[key]
    lower = _strictness(out["threshold"], out["inclusive"]) < _strictness(
        floor["threshold"], floor["inclusive"]
    )
    if lower and "threshold" not in given and "inclusive" not in given:
        out["threshold"], out["inclusive"] = floor["threshold"], floor["inclusive"]
    return out


def normal_floor(raw: Any, where: str) -> Floor:
    """Check one floor's shape and return its normal form."""
    if not isinstance(raw, dict) or set(raw) - set(FIELDS):
        raise Invalid("A floor has only: %(fields)s.", field=where, fields=", ".join(FIELDS))
    missing = [f for f in FIELDS if f not in raw]
    if missing:
        raise Invalid("A floor needs %(fields)s.", field=where, fields=", ".join(missing))
    out: Floor = {
        "quorum": str(_share(raw["quorum"], f"{where}.quorum")),
        "threshold": str(_share(raw["threshold"], f"{where}.threshold")),
        "inclusive": bool(raw["inclusive"]),
    }
    for key in ("voting_seconds", "timelock_seconds"):
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 90 * DAY:
            raise Invalid("Whole seconds, at most 90 days.", field=f"{where}.{key}")
        out[key] = value
    return out


def _short(floor: Floor, minimum: Floor, where: str) -> tuple[str, str] | None:
    """(field, message) of the first rule of `floor` below `minimum`, or None."""
    short = shortfall(floor, minimum, "majority")
    return None if short is None else (f"{where}.{short[0]}", short[1])


def amended(current: dict[str, Floor], changes: Any) -> dict[str, Floor]:
    """The constitution after an amendment ({kind: floor}, null removes a kind's own floor).

    Every floor stays at or above the hard floor; the amendment floor stays at or above its
    own hard floor and at least as strict as the floor for actions.
    """
    if not isinstance(changes, dict) or not changes:
        raise Invalid("List the floors to change: {kind: floor}.", field="action.params.floors")
    from commonpot import actions

    known = set(actions.load_all()) | {FALLBACK}
    floors = {k: dict(v) for k, v in current.items()}
    for kind, raw in changes.items():
        where = f"action.params.floors.{kind}"
        if kind not in known:
            raise Invalid("No such kind of action: %(kind)s.", field=where, kind=str(kind))
        if raw is None:
            if kind in (FALLBACK, AMEND):
                raise Invalid("This floor cannot be removed, only changed.", field=where)
            floors.pop(kind, None)
            continue
        floors[kind] = normal_floor(raw, where)
    for kind, floor in floors.items():
        if short := _short(floor, HARD_FLOOR, f"action.params.floors.{kind}"):
            raise Invalid("Below the hard floor: %(problem)s", field=short[0], problem=short[1])
    where = f"action.params.floors.{AMEND}"
    if short := _short(floors[AMEND], AMENDMENT_HARD_FLOOR, where):
        raise Invalid("Amendments need more: %(problem)s", field=short[0], problem=short[1])
    if short := _short(floors[AMEND], floors[FALLBACK], where):
        raise Invalid(
            "Amendments need at least what actions do: %(problem)s",
            field=short[0],
            problem=short[1],
        )
    return dict(sorted(floors.items()))


def describe(floor: Floor, words: Words = ENGLISH) -> str:
    """A floor in words, with the reader's `words` (English by default)."""
    hours = float(floor["voting_seconds"]) / HOUR
    wait = float(floor["timelock_seconds"]) / HOUR
    text = (
        words.gettext(
            "quorum ≥ %(quorum)s %%, yes ≥ %(threshold)s %%, voting ≥ %(voting)s h, "
            "wait ≥ %(wait)s h"
        )
        if floor["inclusive"]
        else words.gettext(
            "quorum ≥ %(quorum)s %%, yes > %(threshold)s %%, voting ≥ %(voting)s h, "
            "wait ≥ %(wait)s h"
        )
    )
    return text % {
        "quorum": words.number(float(Fraction(str(floor["quorum"]))) * 100, 2),
        "threshold": words.number(float(Fraction(str(floor["threshold"]))) * 100, 2),
        "voting": words.number(hours, 2),
        "wait": words.number(wait, 2),
    }


# --- stored ------------------------------------------------------------------------------


def current(session: Session, community: Community) -> Constitution | None:
    """The constitution in force (None until the first proposal opens: the defaults apply)."""
    return session.scalar(_CURRENT, {"community_id": community.id})


# asked by every governance page: built once per process
_CURRENT = (
    select(Constitution)
    .where(Constitution.community_id == bindparam("community_id"))
    .order_by(Constitution.version.desc())
    .limit(1)
)


def floors(session: Session, community: Community) -> tuple[int, dict[str, Floor]]:
    """(version, floors) in force; version 0 means the defaults, not yet written down."""
    found = current(session, community)
    if found is None:
        return 0, {k: dict(v) for k, v in DEFAULT_FLOORS.items()}
    return found.version, {k: dict(v) for k, v in found.floors.items()}


def adopt(session: Session, community: Community) -> Constitution:
    """The constitution in force, writing the defaults down (and to the ledger) the first time."""
    found = current(session, community)
    if found is not None:
        return found
    found = Constitution(
        community_id=community.id, version=1, floors=dict(DEFAULT_FLOORS), proposal=None
    )
    session.add(found)
    session.flush()
    ledger.append(
        session, community, "constitution.adopted", {"version": 1, "floors": found.floors}
    )
    return found


def amend(
    session: Session, community: Community, changes: Any, proposal: int | None
) -> Constitution:
    """Write an amended constitution (only an executed proposal calls this)."""
    now = adopt(session, community)
    new = Constitution(
        community_id=community.id,
        version=now.version + 1,
        floors=amended(now.floors, changes),
        proposal=proposal,
    )
    session.add(new)
    session.flush()
    ledger.append(
        session,
        community,
        "constitution.amended",
        {"version": new.version, "floors": new.floors, "proposal": proposal},
    )
    return new
