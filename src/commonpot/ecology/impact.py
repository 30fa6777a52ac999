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
from commonpot.errors import Invalid

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
    data: dict[str, Any] = field(default_factory=dict)


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
                {
                    "kind": f.kind,
                    "sample": f.sample,
                    "explanation": f.explanation,
                    "data": f.data,
                }
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
    # the area-weighted effective number (Hill 1) decides: when it rises, the gain is real
    # even if the most common crop's share grows a little (Hill 2 may dip, as when orchard
    # trees spread in one dome while the same trees already grow in another)
    worst = item.get("hill_1")
    if not _fell(worst):
        return None
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
        data={
            "richness_before": richness.before,
            "richness_after": richness.after,
            "index": worst.index,
            "before": worst.before,
            "after": worst.after,
        },
    )


def _hill_1(row: Any) -> float:
    total = float(row.sum())
    if total <= 0:
        return 0.0
    shares = row[row > 0] / total
    return float(np.exp(-(shares * np.log(shares)).sum()))


def _token_flags(
    samples: list[str],
    species: list[str],
    before: Any,
    after: Any,
    *,
    token_share: float,
    token_area: float | None,
) -> list[Flag]:
    """Flag a place whose apparent gain is carried by token plantings.

    A token is a crop absent before and present after on a negligible share of the place
    (below ``token_share`` of its area, or below ``token_area``). Tokens alone are no sign
    of gaming: a genuine gain with a pot of herbs beside it is still a gain. The place is
    flagged when, without its tokens, the gain disappears: the number of crops would not
    have risen, or the area-weighted effective number of crops (Hill 1) would not have.
    """
    flags = []
    totals = after.sum(axis=1)
    for i, sample in enumerate(samples):
        if totals[i] <= 0:
            continue
        new = (before[i] == 0) & (after[i] > 0)
        tiny = after[i] < token_share * totals[i]
        if token_area is not None:
            tiny |= after[i] < token_area
        is_token = new & tiny
        tokens = [species[j] for j in np.flatnonzero(is_token)]
        if not tokens:
            continue
        kept = np.where(is_token, 0.0, after[i])
        rich_before = int((before[i] > 0).sum())
        rich_after = int((after[i] > 0).sum())
        rich_kept = int((kept > 0).sum())
        hill_before, hill_after, hill_kept = _hill_1(before[i]), _hill_1(after[i]), _hill_1(kept)
        count_carried = rich_after > rich_before and rich_kept <= rich_before
        count_masked = rich_after >= rich_before and rich_kept < rich_before
        hill_carried = hill_after > hill_before + 1e-9 and hill_kept <= hill_before + 1e-9
        if not (count_carried or count_masked or hill_carried):
            continue
        share = float(after[i][is_token].sum() / totals[i])
        names = ", ".join(tokens[:5]) + (f" and {len(tokens) - 5} more" if len(tokens) > 5 else "")
        flags.append(
            Flag(
                kind="token_species",
                sample=sample,
                explanation=(
                    f"{sample}: {len(tokens)} newly listed crops ({names}) together take up "
                    f"only {share:.1%} of the space. Without them the place would count "
                    f"{rich_kept} crops instead of {rich_before} before (effective crops "
                    f"{_fmt(hill_kept)} instead of {_fmt(hill_before)}): the gain is carried "
                    "by token plantings that add names to the list but almost nothing to "
                    "the living variety of the place."
                ),
                data={
                    "count": len(tokens),
                    "names": tokens,
                    "share": share,
                    "richness_before": rich_before,
                    "richness_after": rich_after,
                    "richness_without": rich_kept,
                    "hill_1_before": hill_before,
                    "hill_1_after": hill_after,
                    "hill_1_without": hill_kept,
                },
            )
        )
    return flags


def _gamma_flag(partition: list[Change], per_sample: list[SampleImpact]) -> Flag | None:
    """Each shared place looks better while all of them together lose variety.

    ``partition`` covers only the places present in both inventories: a place missing from
    one file is no evidence of gaming (its crops would vanish from the pooled total).
    """
    gamma = next(c for c in partition if c.index == "gamma")
    if not _fell(gamma):
        return None
    deltas = [s.get("hill_1").delta for s in per_sample if s.note is None]
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
        data={"rose": rose, "places": len(known), "before": gamma.before, "after": gamma.after},
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
    ``token_share`` of its sample (or less than ``token_area``, e.g. a minimum plot in m²);
    a place is flagged only when its gain would vanish without its tokens; a share of 0 counts
    no species as a token. A negative share, NaN or a negative area would switch the check
    off without a word, and a share of 1 or more would flag everything: Invalid instead.
    """
    if not (isinstance(token_share, int | float) and 0 <= token_share < 1):  # NaN fails too
        raise Invalid("token_share: must be from 0 up to, not including, 1", field="token_share")
    if token_area is not None and not (math.isfinite(token_area) and token_area >= 0):
        raise Invalid("token_area: must be a number of square metres >= 0", field="token_area")
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
    shared = [
        i for i, name in enumerate(samples) if name in before.samples and name in after.samples
    ]
    gamma_flag = None
    if shared:
        sb, sa = partition_q1(b[shared]), partition_q1(a[shared])
        shared_gamma = [Change("gamma", _part(sb, "gamma"), _part(sa, "gamma"))]
        gamma_flag = _gamma_flag(shared_gamma, per_sample)
    if gamma_flag is not None:
        flags.append(gamma_flag)
    flags.extend(
        _token_flags(samples, species, b, a, token_share=token_share, token_area=token_area)
    )
    return ImpactReport(per_sample, overall, partition, flags)


def _part(partition: Partition, key: str) -> float | None:
    value: float | None = getattr(partition, key)
    return None if value is None or math.isnan(value) else value
