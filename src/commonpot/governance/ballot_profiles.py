"""Ballot profiles and their parsers (PrefLib orders and CSV rows), aggregated by weight.

A profile holds each distinct ballot once with the number of voters who cast it, so that
counting work grows with the number of *different* ballots, not the number of voters.
Candidates are referred to by index into ``candidates``; a ranking is a tuple of groups
(tuples of indices, sorted), a group of two or more being a tie (``{c,d}`` or ``C=D``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING

from commonpot.errors import Invalid
from commonpot.parsing import csv_rows, is_digits, parse_int

if TYPE_CHECKING:  # numpy loads only when a count needs the flat arrays
    import numpy as np
    import numpy.typing as npt

Ranking = tuple[tuple[int, ...], ...]
Approval = tuple[int, ...]
Spending = tuple[tuple[int, int], ...]

PREFLIB_KINDS = ("soc", "soi", "toc", "toi")
_ALT_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+([0-9]+)\s*:\s*(.*?)\s*$")
_META = re.compile(r"^#\s*([A-Z][A-Z ]*?)\s*:\s*(.*?)\s*$")
_ORDER = re.compile(r"^\s*([0-9]+)\s*:\s*(.*?)\s*$")
_MAJORITY_WORDS = {"yes": "yes", "no": "no", "abstain": "abstain", "y": "yes", "n": "no"}


@dataclass(frozen=True)
class RankedProfile:
    """Ranked ballots (possibly truncated, possibly with tied groups), aggregated by weight."""

    candidates: tuple[str, ...]
    ballots: dict[Ranking, int] = field(default_factory=dict)

    @property
    def voters(self) -> int:
        """Number of ballots cast."""
        return sum(self.ballots.values())

    @cached_property
    def flat(self) -> FlatRankings:
        """The ballots as flat arrays, computed once per profile."""
        return flatten(self)


@dataclass(frozen=True)
class ApprovalProfile:
    """Approval ballots: each one a set of approved candidates, aggregated by weight."""

    candidates: tuple[str, ...]
    ballots: dict[Approval, int] = field(default_factory=dict)

    @property
    def voters(self) -> int:
        """Number of ballots cast."""
        return sum(self.ballots.values())


@dataclass(frozen=True)
class QuadraticProfile:
    """Quadratic ballots: credits spent per candidate, aggregated by weight."""

    candidates: tuple[str, ...]
    ballots: dict[Spending, int] = field(default_factory=dict)

    @property
    def voters(self) -> int:
        """Number of ballots cast."""
        return sum(self.ballots.values())


@dataclass(frozen=True)
class MajorityProfile:
    """Yes / no / abstain ballots."""

    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def voters(self) -> int:
        """Number of ballots cast, abstentions included."""
        return self.yes + self.no + self.abstain


def ranked_from_names(ballots: Iterable[tuple[Iterable[Iterable[str]], int]]) -> RankedProfile:
    """Build a ranked profile from (groups of names, weight) pairs; names in order of appearance."""
    index: dict[str, int] = {}
    counts: Counter[Ranking] = Counter()
    for groups, weight in ballots:
        ranking = tuple(
            tuple(sorted(index.setdefault(name, len(index)) for name in group)) for group in groups
        )
        counts[ranking] += weight
    return RankedProfile(tuple(index), dict(counts))


def approval_from_ranked(profile: RankedProfile) -> ApprovalProfile:
    """Read ranked ballots as approval ballots: every ranked candidate is approved."""
    counts: Counter[Approval] = Counter()
    for ranking, weight in profile.ballots.items():
        counts[tuple(sorted(c for group in ranking for c in group))] += weight
    return ApprovalProfile(profile.candidates, dict(counts))


def parse_preflib(text: str, kind: str | None = None) -> RankedProfile:
    """Parse a PrefLib .soc/.soi/.toc/.toi file; kind comes from `# DATA TYPE` if not given."""
    names: dict[int, str] = {}
    meta: dict[str, str] = {}
    counts: Counter[Ranking] = Counter()
    order_lines: list[tuple[int, str, str]] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            alt = _ALT_NAME.match(line)
            if alt:
                names[parse_int(alt.group(1), field=f"ballots: line {number}")] = alt.group(2)
            elif m := _META.match(line):
                meta[m.group(1)] = m.group(2)
            continue
        m = _ORDER.match(line)
        if not m:
            raise Invalid(
                "line %(line)s: expected 'count: order', got %(text)s",
                field="ballots",
                line=str(number),
                text=repr(line[:40]),
            )
        order_lines.append((number, m.group(1), m.group(2)))
    if not names:
        raise Invalid("no '# ALTERNATIVE NAME i: name' header lines", field="ballots")
    kind = (kind or meta.get("DATA TYPE", "toi")).lower()
    if kind not in PREFLIB_KINDS:
        raise Invalid("unknown PrefLib data type %(kind)s", field="ballots", kind=repr(kind[:40]))
    alternatives = sorted(names)
    position = {alt: i for i, alt in enumerate(alternatives)}
    for number, count_text, order_text in order_lines:
        count = parse_int(count_text, field=f"ballots: line {number}: count")
        if count <= 0:
            raise Invalid(
                "line %(line)s: ballot count must be positive", field="ballots", line=str(number)
            )
        ranking = _parse_order(order_text, number, position)
        ranked = sum(len(group) for group in ranking)
        if kind.startswith("so") and any(len(group) > 1 for group in ranking):
            raise Invalid(
                "line %(line)s: tie in a strict-order (%(kind)s) file",
                field="ballots",
                line=str(number),
                kind=kind,
            )
        if kind.endswith("c") and ranked != len(alternatives):
            raise Invalid(
                "line %(line)s: incomplete order in a %(kind)s file",
                field="ballots",
                line=str(number),
                kind=kind,
            )
        counts[ranking] += count
    profile = RankedProfile(tuple(names[a] for a in alternatives), dict(counts))
    _check_declared(meta, profile)
    return profile


def _check_declared(meta: dict[str, str], profile: RankedProfile) -> None:
    for key, actual in (
        ("NUMBER VOTERS", profile.voters),
        ("NUMBER ALTERNATIVES", len(profile.candidates)),
    ):
        declared = meta.get(key, "")
        if not (
            declared.isascii()
            and declared.isdigit()
            and (not is_digits(declared) or int(declared) != actual)
        ):
            continue
        if key == "NUMBER VOTERS":
            raise Invalid(
                "header says %(declared)s voters but the orders hold %(actual)s",
                field="ballots",
                declared=declared[:20],
                actual=actual,
            )
        raise Invalid(
            "header says %(declared)s alternatives but names %(actual)s",
            field="ballots",
            declared=declared[:20],
            actual=actual,
        )


def _parse_order(text: str, number: int, position: dict[int, int]) -> Ranking:
    groups: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for raw_token in re.findall(r"\{[^{}]*\}|[^,{}]+|[{}]", text):
        token = raw_token.strip()
        if token in {"{", "}"}:
            raise Invalid("line %(line)s: unbalanced braces", field="ballots", line=str(number))
        if not token:
            continue
        inner = token[1:-1] if token.startswith("{") else token
        items = [item.strip() for item in inner.split(",")] if inner.strip() else []
        if not items:
            raise Invalid("line %(line)s: empty tie group '{}'", field="ballots", line=str(number))
        group: list[int] = []
        for item in items:
            if not is_digits(item) or int(item) not in position:
                raise Invalid(
                    "line %(line)s: unknown alternative %(item)s",
                    field="ballots",
                    line=str(number),
                    item=repr(item[:40]),
                )
            index = position[int(item)]
            if index in seen:
                raise Invalid(
                    "line %(line)s: alternative %(item)s ranked twice",
                    field="ballots",
                    line=str(number),
                    item=item,
                )
            seen.add(index)
            group.append(index)
        groups.append(tuple(sorted(group)))
    if re.search(r",\s*,|^\s*,|,\s*$", re.sub(r"\{[^{}]*\}", "x", text)):
        raise Invalid("line %(line)s: empty position in order", field="ballots", line=str(number))
    return tuple(groups)


def _rows(text: str) -> Iterable[tuple[int, str]]:
    """Yield (line number, ballot text) for each non-empty, non-comment CSV row."""
    for number, row in csv_rows(text, field="ballots"):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells or cells[0].startswith("#"):
            continue
        if len(cells) > 1:
            raise Invalid(
                "line %(line)s: one ballot per row expected, found %(columns)s columns "
                "(quote names that contain commas)",
                field="ballots",
                line=str(number),
                columns=len(cells),
            )
        yield number, cells[0]


def _name(raw: str, number: int) -> str:
    name = raw.strip()
    if not name:
        raise Invalid("line %(line)s: empty candidate name", field="ballots", line=str(number))
    return name


def parse_ranked_csv(text: str) -> RankedProfile:
    """Parse CSV rows of ranked ballots `A>B>C`, ties as `A>B=C`."""
    index: dict[str, int] = {}
    counts: Counter[Ranking] = Counter()
    for number, cell in _rows(text):
        seen: set[int] = set()
        groups: list[tuple[int, ...]] = []
        for group_text in cell.split(">"):
            group: list[int] = []
            for raw in group_text.split("="):
                i = index.setdefault(_name(raw, number), len(index))
                if i in seen:
                    raise Invalid(
                        "line %(line)s: %(name)s ranked twice",
                        field="ballots",
                        line=str(number),
                        name=repr(raw.strip()[:40]),
                    )
                seen.add(i)
                group.append(i)
            groups.append(tuple(sorted(group)))
        counts[tuple(groups)] += 1
    return RankedProfile(tuple(index), dict(counts))


def parse_approval_csv(text: str) -> ApprovalProfile:
    """Parse CSV rows of approval ballots `A;B`."""
    index: dict[str, int] = {}
    counts: Counter[Approval] = Counter()
    for number, cell in _rows(text):
        chosen: set[int] = set()
        for raw in cell.split(";"):
            name = _name(raw, number)
            if any(ch in name for ch in "=>"):
                raise Invalid(
                    "line %(line)s: approval ballots list names as A;B",
                    field="ballots",
                    line=str(number),
                )
            i = index.setdefault(name, len(index))
            if i in chosen:
                raise Invalid(
                    "line %(line)s: %(name)s approved twice",
                    field="ballots",
                    line=str(number),
                    name=repr(name[:40]),
                )
            chosen.add(i)
        counts[tuple(sorted(chosen))] += 1
    return ApprovalProfile(tuple(index), dict(counts))


def parse_quadratic_csv(text: str, budget: int | None = None) -> QuadraticProfile:
    """Parse CSV rows of quadratic ballots `A=9;B=4` (credits spent per option)."""
    index: dict[str, int] = {}
    counts: Counter[Spending] = Counter()
    for number, cell in _rows(text):
        spent: dict[int, int] = {}
        for part in cell.split(";"):
            name, sep, credits = part.partition("=")
            if not sep or not is_digits(credits.strip()):
                raise Invalid(
                    "line %(line)s: expected option=credits, got %(text)s",
                    field="ballots",
                    line=str(number),
                    text=repr(part.strip()[:40]),
                )
            i = index.setdefault(_name(name, number), len(index))
            if i in spent:
                raise Invalid(
                    "line %(line)s: %(name)s listed twice",
                    field="ballots",
                    line=str(number),
                    name=repr(name.strip()[:40]),
                )
            spent[i] = int(credits)
        if budget is not None and sum(spent.values()) > budget:
            raise Invalid(
                "line %(line)s: spends %(spent)s credits, budget is %(budget)s",
                field="ballots",
                line=str(number),
                spent=sum(spent.values()),
                budget=budget,
            )
        counts[tuple(sorted(spent.items()))] += 1
    return QuadraticProfile(tuple(index), dict(counts))


def parse_majority_csv(text: str) -> MajorityProfile:
    """Parse CSV rows holding `yes`, `no` or `abstain`."""
    tally: Counter[str] = Counter()
    for number, cell in _rows(text):
        word = _MAJORITY_WORDS.get(cell.lower())
        if word is None:
            raise Invalid(
                "line %(line)s: expected yes, no or abstain, got %(text)s",
                field="ballots",
                line=str(number),
                text=repr(cell[:40]),
            )
        tally[word] += 1
    return MajorityProfile(tally["yes"], tally["no"], tally["abstain"])


@dataclass(frozen=True)
class FlatRankings:
    """A ranked profile as flat arrays: one entry per (distinct ballot, group, candidate)."""

    row: npt.NDArray[np.int64]
    position: npt.NDArray[np.int64]
    candidate: npt.NDArray[np.int64]
    weights: npt.NDArray[np.int64]
    width: int


def flatten(profile: RankedProfile) -> FlatRankings:
    """Flatten the distinct ballots with C-speed iteration (no per-item Python loop)."""
    import numpy as np

    rankings = list(profile.ballots)
    n = len(rankings)
    row_len = np.fromiter(map(len, rankings), dtype=np.int64, count=n)
    groups = list(chain.from_iterable(rankings))
    group_len = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    candidate = np.fromiter(chain.from_iterable(groups), dtype=np.int64)
    group_row = np.repeat(np.arange(n, dtype=np.int64), row_len)
    starts = np.cumsum(row_len) - row_len
    group_pos = np.arange(len(groups), dtype=np.int64) - np.repeat(starts, row_len)
    weights = np.fromiter(profile.ballots.values(), dtype=np.int64, count=n)
    return FlatRankings(
        row=np.repeat(group_row, group_len),
        position=np.repeat(group_pos, group_len),
        candidate=candidate,
        weights=weights,
        width=int(row_len.max(initial=0)),
    )
