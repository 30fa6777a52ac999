"""Before/after impact assessment of two inventories, with flags for gamed diversity claims."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from commonpot.ecology.csvio import CountsTable
from commonpot.ecology.diversity import (
    ALPHA_INDICES,
    AlphaIndices,
    Partition,
    alpha_arrays,
    alpha_rows,
    partition_q1,
)

OVERALL = "(all samples pooled)"


@dataclass(frozen=True)
class Change:
    """One index before and after, and the difference (None when either side is undefined)."""

    index: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        """After minus before."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class Flag:
    """A sign that a claimed improvement may be gamed, explained in plain words."""

    kind: str
    sample: str
    explanation: str


@dataclass(frozen=True)
class SampleImpact:
    """Changes in every alpha index for one sample (or for all samples pooled)."""

    sample: str
    changes: list[Change]
    note: str | None = None

    def get(self, index: str) -> Change:
        """The change of one named index."""
        return next(c for c in self.changes if c.index == index)


@dataclass(frozen=True)
class ImpactReport:
    """Per-sample and overall changes, the order-1 partition before and after, and flags."""

    samples: list[SampleImpact]
    overall: SampleImpact
    partition: list[Change]
    flags: list[Flag] = field(default_factory=list)

    @property
    def gamed(self) -> bool:
        """True when at least one flag was raised."""
        return bool(self.flags)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready structure."""

        def block(item: SampleImpact) -> dict[str, Any]:
            out: dict[str, Any] = {
                c.index: {"before": c.before, "after": c.after, "change": c.delta}
                for c in item.changes
            }
            if item.note:
                out["note"] = item.note
            return out

        return {
            "samples": {s.sample: block(s) for s in self.samples},
            "overall": block(self.overall),
            "partition": {
                c.index: {"before": c.before, "after": c.after, "change": c.delta}
                for c in self.partition
            },
            "gamed": self.gamed,
            "flags": [
                {"kind": f.kind, "sample": f.sample, "explanation": f.explanation}
                for f in self.flags
            ],
        }


def _align(before: CountsTable, after: CountsTable) -> tuple[list[str], list[str], Any, Any]:
    samples = list(before.samples) + [s for s in after.samples if s not in before.samples]
    species = list(before.species) + [s for s in after.species if s not in before.species]
    s_index = {s: i for i, s in enumerate(samples)}
    c_index = {c: j for j, c in enumerate(species)}

    def place(table: CountsTable) -> Any:
        out = np.zeros((len(samples), len(species)))
        rows = [s_index[s] for s in table.samples]
        cols = [c_index[c] for c in table.species]
        out[np.ix_(rows, cols)] = table.counts
        return out

    return samples, species, place(before), place(after)


def _changes(before: AlphaIndices, after: AlphaIndices) -> list[Change]:
    return [
        Change(name, _num(getattr(before, name)), _num(getattr(after, name)))
        for name in ALPHA_INDICES
    ]


def _num(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _fell(change: Change, tolerance: float = 1e-9) -> bool:
    return change.delta is not None and change.delta < -tolerance


def _fmt(value: float | None) -> str:
    return "nothing" if value is None else f"{value:.2f}"


def _richness_flag(item: SampleImpact) -> Flag | None:
    richness = item.get("richness")
    if richness.delta is None or richness.delta <= 0:
        return None
    fallen = [c for c in (item.get("hill_1"), item.get("hill_2")) if _fell(c)]
    if not fallen:
        return None
    worst = fallen[0]
    return Flag(
        kind="richness_up_evenness_down",
        sample=item.sample,
        explanation=(
            f"{item.sample}: the number of species went up from {_fmt(richness.before)} to "
            f"{_fmt(richness.after)}, but the effective number of species "
            f"({worst.index.replace('_', ' ')}) fell from {_fmt(worst.before)} to "
            f"{_fmt(worst.after)}. Counting more names while one crop takes over more "
            "of the space makes the place less diverse, not more."
        ),
    )


def _token_flags(
    samples: list[str],
    species: list[str],
    before: Any,
    after: Any,
    *,
    token_share: float,
    token_area: float | None,
) -> list[Flag]:
    flags = []
    totals = after.sum(axis=1)
    for i, sample in enumerate(samples):
        if totals[i] <= 0:
            continue
        new = (before[i] == 0) & (after[i] > 0)
        tiny = after[i] < token_share * totals[i]
        if token_area is not None:
            tiny |= after[i] < token_area
        tokens = [species[j] for j in np.flatnonzero(new & tiny)]
        if not tokens:
            continue
        share = float(after[i][new & tiny].sum() / totals[i])
        names = ", ".join(tokens[:5]) + (f" and {len(tokens) - 5} more" if len(tokens) > 5 else "")
        flags.append(
            Flag(
                kind="token_species",
                sample=sample,
                explanation=(
                    f"{sample}: {len(tokens)} newly listed species ({names}) together take up "
                    f"only {share:.1%} of the space. Planting a token patch of a species adds a "
                    "name to the list but does almost nothing for the living variety of "
                    "the place."
                ),
            )
        )
    return flags


def _gamma_flag(partition: list[Change], per_sample: list[SampleImpact]) -> Flag | None:
    gamma = next(c for c in partition if c.index == "gamma")
    if not _fell(gamma):
        return None
    deltas = [s.get("hill_1").delta for s in per_sample]
    known = [d for d in deltas if d is not None]
    if not known or float(np.mean(known)) <= 1e-9:
        return None
    rose = sum(1 for d in known if d > 1e-9)
    return Flag(
        kind="gamma_down_ratings_up",
        sample=OVERALL,
        explanation=(
            f"{rose} of {len(known)} places look more diverse on their own, yet all places "
            f"together went from {_fmt(gamma.before)} to {_fmt(gamma.after)} effective "
            "species. Everyone planting the same crops makes each place look better while "
            "the whole area loses variety."
        ),
    )


def assess_impact(
    before: CountsTable,
    after: CountsTable,
    *,
    token_share: float = 0.01,
    token_area: float | None = None,
) -> ImpactReport:
    """Compare two inventories of the same places and flag gamed improvements.

    A species absent before and present after is a token when it covers less than
    ``token_share`` of its sample (or less than ``token_area``, e.g. a minimum plot in m²).
    """
    samples, species, b, a = _align(before, after)
    b_rows = alpha_rows(alpha_arrays(b))
    a_rows = alpha_rows(alpha_arrays(a))
    only_before = set(before.samples) - set(after.samples)
    only_after = set(after.samples) - set(before.samples)
    per_sample = []
    for i, name in enumerate(samples):
        note = None
        if name in only_before:
            note = "missing from the after inventory; counted as empty"
        elif name in only_after:
            note = "missing from the before inventory; counted as empty"
        per_sample.append(SampleImpact(name, _changes(b_rows[i], a_rows[i]), note))
    pooled_b = alpha_rows(alpha_arrays(b.sum(axis=0)))[0]
    pooled_a = alpha_rows(alpha_arrays(a.sum(axis=0)))[0]
    overall = SampleImpact(OVERALL, _changes(pooled_b, pooled_a))
    pb, pa = partition_q1(b), partition_q1(a)
    partition = [Change(k, _part(pb, k), _part(pa, k)) for k in ("gamma", "alpha", "beta")]
    flags = [f for f in (_richness_flag(s) for s in [*per_sample, overall]) if f is not None]
    gamma_flag = _gamma_flag(partition, per_sample)
    if gamma_flag is not None:
        flags.append(gamma_flag)
    flags.extend(
        _token_flags(samples, species, b, a, token_share=token_share, token_area=token_area)
    )
    return ImpactReport(per_sample, overall, partition, flags)


def _part(partition: Partition, key: str) -> float | None:
    value: float | None = getattr(partition, key)
    return None if value is None or math.isnan(value) else value
