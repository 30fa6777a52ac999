"""What a result page shows, per counting method (pure: no database, no web framework).

Each method gets its own view: approval shows approvals per option, plurality votes,
Borda points, Schulze head-to-head wins, quadratic votes bought with credits, majority
yes/no/abstain against the threshold, and only IRV/STV show rounds. With nobody having
voted there is no winner to show at all (the lot would otherwise pick one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

ROUNDS = frozenset({"irv", "stv"})
# the heading of the number column, per method (translated by the template)
MEASURE = {
    "approval": "Approvals",
    "plurality": "First choices",
    "borda": "Points (head-to-head wins)",
    "schulze": "Options beaten",
    "quadratic": "Votes (square roots of credits)",
}


@dataclass(frozen=True)
class Row:
    """One option's figure in a single-count view; `share` is 0..100 of the largest figure."""

    option: str
    value: str
    share: int
    winner: bool


@dataclass(frozen=True)
class ResultView:
    """The result as a page shows it: `kind` is empty, majority, tally or rounds."""

    kind: str
    method: str
    winners: list[str] = field(default_factory=list)
    measure: str = ""
    rows: list[Row] = field(default_factory=list)
    yes_share: str = ""
    threshold: str = ""


def number(value: Any) -> Fraction:
    """A count as stored in a result: int, "p/q", or a quadratic radical text (first term)."""
    if isinstance(value, int | float):
        return Fraction(value)
    text = str(value).strip()
    try:
        return Fraction(text)
    except ValueError:
        pass
    total = Fraction(0)  # radical texts like "3+2*sqrt(2)": an estimate, for the bar only
    for term in text.replace("-", "+-").split("+"):
        coef, _, root = term.strip().partition("sqrt(")
        coef = coef.rstrip("*").strip()
        try:
            c = Fraction(coef) if coef not in {"", "-"} else Fraction(-1 if coef else 1)
            total += c * Fraction(float(root.rstrip(")")) ** 0.5) if root else c
        except (ValueError, ZeroDivisionError):
            continue
    return total


def shown(value: Any) -> str:
    """A count for reading: whole numbers as they are, fractions to two decimals."""
    if isinstance(value, str) and "sqrt" in value:
        return f"≈ {float(number(value)):.2f}"
    amount = number(value)
    if amount.denominator == 1:
        return str(amount.numerator)
    return f"{float(amount):.2f}"


def percent(text: str) -> str:
    """A "p/q" share as a whole percentage."""
    return f"{round(float(Fraction(text)) * 100)} %"


def build(method: str, options: list[str], result: dict[str, Any]) -> ResultView:
    """The view of a stored or live result for a proposal counted by `method`."""
    if result.get("no_votes") or int(result.get("turnout", 0) or 0) == 0:
        return ResultView("empty", method)
    winners = list(result.get("winners", []))
    rounds = result.get("rounds") or [{"counts": {}}]
    if method == "majority":
        counts = rounds[0]["counts"]
        top = max((number(counts.get(k, 0)) for k in ("yes", "no", "abstain")), default=Fraction(0))
        rows = [
            Row(k, shown(counts.get(k, 0)), _share(number(counts.get(k, 0)), top), False)
            for k in ("yes", "no", "abstain")
        ]
        return ResultView(
            "majority",
            method,
            winners,
            rows=rows,
            yes_share=percent(str(result.get("yes_share", "0/1"))),
            threshold=percent(str(result.get("threshold", "1/2"))),
        )
    if method in ROUNDS:
        return ResultView("rounds", method, winners)
    counts = rounds[0]["counts"]
    ordered = list(counts) + [o for o in options if o not in counts]
    top = max((number(counts.get(o, 0)) for o in ordered), default=Fraction(0))
    rows = [
        Row(o, shown(counts.get(o, 0)), _share(number(counts.get(o, 0)), top), o in winners)
        for o in ordered
    ]
    return ResultView("tally", method, winners, MEASURE.get(method, "Score"), rows)


def _share(value: Fraction, top: Fraction) -> int:
    return 0 if top <= 0 else round(float(value / top) * 100)
