"""Alpha and beta diversity, Hill numbers and the Jost partition over a samples × species matrix.

Everything is vectorised over samples. Undefined values (an empty sample, chao1 of areas,
pielou with fewer than two species) are NaN in the arrays and ``None`` in the dataclasses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.distance import cdist, pdist, squareform

FloatArray = NDArray[np.float64]
ALPHA_INDICES = (
    "richness",
    "shannon",
    "simpson",
    "hill_0",
    "hill_1",
    "hill_2",
    "hill_inf",
    "pielou_evenness",
    "chao1",
    "total",
)


def as_matrix(counts: ArrayLike) -> FloatArray:
    """Return counts as a 2-D float64 matrix, rejecting negative or non-finite values."""
    matrix = np.asarray(counts, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[np.newaxis, :]
    if matrix.ndim != 2:
        raise ValueError("counts must be a samples × species matrix")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("counts must be finite")
    if np.any(matrix < 0):
        raise ValueError("counts must be non-negative")
    return matrix


@dataclass(frozen=True)
class AlphaArrays:
    """Per-sample alpha indices as arrays; NaN where an index is undefined."""

    richness: NDArray[np.int64]
    shannon: FloatArray
    simpson: FloatArray
    hill_0: FloatArray
    hill_1: FloatArray
    hill_2: FloatArray
    hill_inf: FloatArray
    pielou_evenness: FloatArray
    chao1: FloatArray
    total: FloatArray

    @property
    def dominance(self) -> FloatArray:
        """Simpson's dominance, sum of squared shares (1 − Gini-Simpson)."""
        return 1.0 - self.simpson


def _xlogx(matrix: FloatArray) -> FloatArray:
    out = np.zeros_like(matrix)
    np.log(matrix, out=out, where=matrix > 0)
    out *= matrix
    return out


def alpha_arrays(counts: ArrayLike) -> AlphaArrays:
    """Compute every alpha index for every sample (row) at once."""
    x = as_matrix(counts)
    total = x.sum(axis=1)
    present = x > 0
    richness = present.sum(axis=1).astype(np.int64)
    empty = total <= 0
    safe_total = np.where(empty, 1.0, total)
    # shannon = ln N − (1/N) Σ x ln x avoids building the share matrix twice
    shannon = np.log(safe_total) - _xlogx(x).sum(axis=1) / safe_total
    shannon = np.maximum(shannon, 0.0)
    sum_sq = np.einsum("ij,ij->i", x, x) / (safe_total * safe_total)
    max_x = x.max(axis=1) if x.shape[1] else np.zeros(x.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        hill_2 = 1.0 / sum_sq
        hill_inf = safe_total / np.where(max_x > 0, max_x, 1.0)
        pielou = shannon / np.log(np.maximum(richness, 1))
    simpson = 1.0 - sum_sq
    hill_1 = np.exp(shannon)
    whole = np.all(x == np.floor(x), axis=1)
    f1 = (x == 1).sum(axis=1)
    f2 = (x == 2).sum(axis=1)
    chao1 = richness + f1 * (f1 - 1) / (2.0 * (f2 + 1))
    nan = np.nan
    return AlphaArrays(
        richness=richness,
        shannon=np.where(empty, nan, shannon),
        simpson=np.where(empty, nan, simpson),
        hill_0=np.where(empty, nan, richness.astype(np.float64)),
        hill_1=np.where(empty, nan, hill_1),
        hill_2=np.where(empty, nan, hill_2),
        hill_inf=np.where(empty, nan, hill_inf),
        pielou_evenness=np.where(empty | (richness < 2), nan, pielou),
        chao1=np.where(empty | ~whole, nan, chao1),
        total=total,
    )


@dataclass(frozen=True)
class AlphaIndices:
    """Alpha indices of one sample; ``None`` where undefined."""

    richness: int
    shannon: float | None
    simpson: float | None
    hill_0: float | None
    hill_1: float | None
    hill_2: float | None
    hill_inf: float | None
    pielou_evenness: float | None
    chao1: float | None
    total: float

    def as_dict(self) -> dict[str, float | int | None]:
        """Return the indices in the spec's key order."""
        return {name: getattr(self, name) for name in ALPHA_INDICES}


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def alpha_rows(arrays: AlphaArrays) -> list[AlphaIndices]:
    """Turn alpha arrays into one dataclass per sample."""
    out = []
    for i in range(arrays.richness.shape[0]):
        out.append(
            AlphaIndices(
                richness=int(arrays.richness[i]),
                shannon=_opt(arrays.shannon[i]),
                simpson=_opt(arrays.simpson[i]),
                hill_0=_opt(arrays.hill_0[i]),
                hill_1=_opt(arrays.hill_1[i]),
                hill_2=_opt(arrays.hill_2[i]),
                hill_inf=_opt(arrays.hill_inf[i]),
                pielou_evenness=_opt(arrays.pielou_evenness[i]),
                chao1=_opt(arrays.chao1[i]),
                total=float(arrays.total[i]),
            )
        )
    return out


def alpha_of(values: ArrayLike) -> AlphaIndices:
    """Alpha indices of a single vector of counts or areas."""
    return alpha_rows(alpha_arrays(values))[0]


def hill_number(values: ArrayLike, q: float) -> float | None:
    """Hill number (effective number of species) of order q; None for an empty vector."""
    x = np.asarray(values, dtype=np.float64)
    x = x[x > 0]
    if x.size == 0:
        return None
    p = x / x.sum()
    if q == 1:
        return float(np.exp(-np.sum(p * np.log(p))))
    if math.isinf(q):
        return float(1.0 / p.max())
    return float(np.sum(p**q) ** (1.0 / (1.0 - q)))


def _blocks(n: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def _cityblock_square(x: FloatArray) -> FloatArray:
    """Pairwise L1 distances; large inputs are split in blocks over two threads."""
    n = x.shape[0]
    if n < 600:
        square: FloatArray = squareform(pdist(x, "cityblock"))
        return square
    out = np.empty((n, n))
    blocks = _blocks(n, max(256, n // 6))
    tasks = [(a, b) for a in blocks for b in blocks if a[0] <= b[0]]

    def run(task: tuple[tuple[int, int], tuple[int, int]]) -> None:
        (a0, a1), (b0, b1) = task
        block = cdist(x[a0:a1], x[b0:b1], "cityblock")
        out[a0:a1, b0:b1] = block
        out[b0:b1, a0:a1] = block.T

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, tasks))
    np.fill_diagonal(out, 0.0)
    return out


def braycurtis_matrix(counts: ArrayLike) -> FloatArray:
    """Bray–Curtis dissimilarities; NaN between two different empty samples (0/0)."""
    x = as_matrix(counts)
    totals = x.sum(axis=1)
    # for non-negative data Σ|u−v| / Σ(u+v) is the L1 distance over the summed totals
    denominators = totals[:, None] + totals[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = _cityblock_square(x) / denominators
    np.fill_diagonal(out, 0.0)  # a distance matrix is hollow, as in scikit-bio
    return out


def jaccard_matrix(counts: ArrayLike) -> FloatArray:
    """Jaccard distances on presence/absence; two empty samples are at distance 0."""
    presence = (as_matrix(counts) > 0).astype(np.float64)
    shared = presence @ presence.T
    sizes = presence.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(union > 0, 1.0 - shared / np.where(union > 0, union, 1.0), 0.0)
    np.fill_diagonal(out, 0.0)
    return out


@dataclass(frozen=True)
class Partition:
    """Jost (2007) multiplicative partition of order-1 Hill numbers: gamma = alpha × beta."""

    q: int
    gamma: float | None
    alpha: float | None
    beta: float | None


def partition_q1(counts: ArrayLike) -> Partition:
    """Partition diversity of order 1, samples weighted by their totals (Jost 2007)."""
    x = as_matrix(counts)
    totals = x.sum(axis=1)
    grand = float(totals.sum())
    if grand <= 0:
        return Partition(q=1, gamma=None, alpha=None, beta=None)
    pooled = x.sum(axis=0)
    h_gamma = math.log(grand) - float(_xlogx(pooled).sum()) / grand
    # weighted mean of sample Shannon entropies with weights N_j / N
    safe = np.where(totals > 0, totals, 1.0)
    h_samples = np.log(safe) - _xlogx(x).sum(axis=1) / safe
    h_alpha = float(np.sum(totals * h_samples)) / grand
    gamma = math.exp(h_gamma)
    alpha = math.exp(h_alpha)
    return Partition(q=1, gamma=gamma, alpha=alpha, beta=gamma / alpha)


def _matrix_json(matrix: FloatArray) -> list[list[float | None]]:
    return [[None if math.isnan(v) else float(v) for v in row] for row in matrix.tolist()]


@dataclass(frozen=True)
class DiversityReport:
    """Everything the spec's `ecology diversity` prints, as plain data."""

    samples: list[str]
    species: list[str]
    alpha: list[AlphaIndices]
    braycurtis: FloatArray = field(repr=False)
    jaccard: FloatArray = field(repr=False)
    partition: Partition

    def to_json(self) -> dict[str, Any]:
        """Return the spec's JSON object (NaN becomes null)."""
        return {
            "alpha": {s: a.as_dict() for s, a in zip(self.samples, self.alpha, strict=True)},
            "beta": {
                "braycurtis": {
                    "samples": list(self.samples),
                    "matrix": _matrix_json(self.braycurtis),
                },
                "jaccard": {"samples": list(self.samples), "matrix": _matrix_json(self.jaccard)},
            },
            "partition": {
                "q": self.partition.q,
                "gamma": self.partition.gamma,
                "alpha": self.partition.alpha,
                "beta": self.partition.beta,
            },
        }


def diversity_report(
    samples: Sequence[str], species: Sequence[str], counts: ArrayLike
) -> DiversityReport:
    """Compute alpha, beta and the order-1 partition for a labelled matrix."""
    x = as_matrix(counts)
    if x.shape != (len(samples), len(species)):
        raise ValueError("matrix shape does not match the sample and species labels")
    return DiversityReport(
        samples=list(samples),
        species=list(species),
        alpha=alpha_rows(alpha_arrays(x)),
        braycurtis=braycurtis_matrix(x),
        jaccard=jaccard_matrix(x),
        partition=partition_q1(x),
    )


@dataclass(frozen=True)
class VarietalDiversity:
    """Diversity of varieties within one species (Hill numbers over variety amounts)."""

    species: str
    varieties: int
    hill_1: float | None
    hill_2: float | None
    total: float


def varietal_diversity(records: Iterable[tuple[str, str, float]]) -> dict[str, VarietalDiversity]:
    """Hill numbers of varieties per species from (species, variety, amount) records."""
    amounts: dict[str, dict[str, float]] = {}
    for species, variety, amount in records:
        if amount < 0 or not math.isfinite(amount):
            raise ValueError(f"{species} / {variety}: amount must be a non-negative number")
        by_variety = amounts.setdefault(species, {})
        by_variety[variety] = by_variety.get(variety, 0.0) + float(amount)
    out = {}
    for species, by_variety in sorted(amounts.items()):
        values = np.array(list(by_variety.values()))
        out[species] = VarietalDiversity(
            species=species,
            varieties=int(np.count_nonzero(values)),
            hill_1=hill_number(values, 1),
            hill_2=hill_number(values, 2),
            total=float(values.sum()),
        )
    return out


def roll_up(
    species: Sequence[str], counts: ArrayLike, taxonomy: Mapping[str, str]
) -> tuple[list[str], FloatArray]:
    """Aggregate species columns to a higher rank (genus, family) via a species → group map.

    Species missing from the map keep their own name as their group.
    """
    x = as_matrix(counts)
    groups = [taxonomy.get(name, name) for name in species]
    names = sorted(set(groups))
    index = {name: i for i, name in enumerate(names)}
    columns = np.array([index[g] for g in groups], dtype=np.int64)
    out = np.zeros((x.shape[0], len(names)))
    np.add.at(out.T, columns, x.T)
    return names, out
