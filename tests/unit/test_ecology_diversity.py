"""Diversity engine: agreement with scikit-bio, hand-worked values and properties."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from commonpot.ecology.diversity import (
    alpha_arrays,
    alpha_of,
    braycurtis_matrix,
    diversity_report,
    hill_number,
    jaccard_matrix,
    partition_q1,
    roll_up,
    varietal_diversity,
)

TOL = 1e-9


def _skbio_alpha(metric: str, row: np.ndarray) -> float:
    from skbio.diversity import alpha

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-bio warns about non-integer counts
        return float(getattr(alpha, metric)(row))


def _skbio_beta(metric: str, matrix: np.ndarray) -> np.ndarray:
    from skbio.diversity import beta_diversity

    ids = [f"s{i}" for i in range(matrix.shape[0])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(beta_diversity(metric, matrix, ids=ids, validate=False).data)


def _random_matrices() -> list[np.ndarray]:
    rng = np.random.default_rng(20240601)
    out = []
    for _ in range(60):
        n, m = int(rng.integers(1, 9)), int(rng.integers(1, 12))
        kind = rng.integers(0, 3)
        if kind == 0:
            x = rng.poisson(rng.uniform(0.2, 4), (n, m)).astype(float)
        elif kind == 1:
            x = np.round(rng.lognormal(1, 1.5, (n, m)) * (rng.random((n, m)) < 0.6), 3)
        else:
            x = rng.integers(0, 3, (n, m)).astype(float)
        if rng.random() < 0.3:
            x[rng.integers(0, n)] = 0.0  # an all-zero sample
        out.append(x)
    out.append(np.array([[5.0]]))  # a single species
    out.append(np.array([[0.0, 0.0], [1.0, 0.0]]))
    return out


MATRICES = _random_matrices()


@pytest.mark.parametrize("matrix", MATRICES)
def test_alpha_matches_scikit_bio(matrix: np.ndarray) -> None:
    got = alpha_arrays(matrix)
    for i, row in enumerate(matrix):
        if row.sum() == 0:
            assert got.richness[i] == 0
            assert math.isnan(got.shannon[i])
            assert math.isnan(got.chao1[i])
            continue
        assert got.richness[i] == np.count_nonzero(row)
        assert got.shannon[i] == pytest.approx(_skbio_alpha("shannon", row), abs=TOL)
        assert got.simpson[i] == pytest.approx(_skbio_alpha("simpson", row), abs=TOL)
        assert got.dominance[i] == pytest.approx(_skbio_alpha("dominance", row), abs=TOL)
        if got.richness[i] >= 2:
            assert got.pielou_evenness[i] == pytest.approx(_skbio_alpha("pielou_e", row), abs=TOL)
        else:
            assert math.isnan(got.pielou_evenness[i])
        if np.all(row == np.floor(row)):
            expected = _skbio_alpha("chao1", row.astype(int))
            assert got.chao1[i] == pytest.approx(expected, abs=TOL)
        else:
            assert math.isnan(got.chao1[i])


@pytest.mark.parametrize("matrix", [m for m in MATRICES if m.shape[0] > 1])
def test_beta_matches_scikit_bio(matrix: np.ndarray) -> None:
    expected_bc = _skbio_beta("braycurtis", matrix)
    got_bc = braycurtis_matrix(matrix)
    np.testing.assert_allclose(got_bc, expected_bc, atol=TOL, equal_nan=True)
    np.testing.assert_allclose(jaccard_matrix(matrix), _skbio_beta("jaccard", matrix), atol=TOL)


def test_large_braycurtis_uses_blocks_and_still_matches_scipy() -> None:
    from scipy.spatial.distance import pdist, squareform

    rng = np.random.default_rng(7)
    x = rng.poisson(0.7, (700, 40)).astype(float)
    x[3] = 0.0
    expected = squareform(pdist(x[np.arange(700) != 3], "braycurtis"))
    got = braycurtis_matrix(x)
    keep = np.arange(700) != 3
    np.testing.assert_allclose(got[np.ix_(keep, keep)], expected, atol=TOL)
    assert np.all(got[3, keep] == 1.0)


def test_hand_worked_sample() -> None:
    # shares 1/2, 1/4, 1/4
    a = alpha_of([2, 1, 1, 0])
    h = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert a.richness == 3
    assert a.shannon == pytest.approx(h, abs=TOL)
    assert a.simpson == pytest.approx(1 - (0.25 + 0.0625 * 2), abs=TOL)
    assert a.hill_1 == pytest.approx(math.exp(h), abs=TOL)
    assert a.hill_2 == pytest.approx(1 / 0.375, abs=TOL)
    assert a.hill_inf == pytest.approx(2.0, abs=TOL)
    assert a.pielou_evenness == pytest.approx(h / math.log(3), abs=TOL)
    # F1 = 2 singletons, F2 = 1 doubleton: 3 + 2·1 / (2·2) = 3.5
    assert a.chao1 == pytest.approx(3.5, abs=TOL)
    assert a.total == 4.0


def test_empty_sample_has_nulls_and_json_has_spec_keys() -> None:
    report = diversity_report(["a", "b"], ["x", "y"], [[0, 0], [3, 1]])
    data = report.to_json()
    assert data["alpha"]["a"] == {
        "richness": 0,
        "shannon": None,
        "simpson": None,
        "hill_0": None,
        "hill_1": None,
        "hill_2": None,
        "hill_inf": None,
        "pielou_evenness": None,
        "chao1": None,
        "total": 0.0,
    }
    assert data["beta"]["braycurtis"]["matrix"] == [[0.0, 1.0], [1.0, 0.0]]
    assert data["beta"]["jaccard"]["samples"] == ["a", "b"]
    assert data["partition"]["q"] == 1
    assert data["alpha"]["b"]["chao1"] == pytest.approx(2.0)


def test_partition_of_identical_samples_has_beta_one() -> None:
    part = partition_q1([[1, 2, 3], [2, 4, 6]])
    assert part.beta == pytest.approx(1.0, abs=TOL)
    assert part.gamma == pytest.approx(hill_number([1, 2, 3], 1), abs=TOL)


def test_partition_of_disjoint_equal_samples_has_beta_two() -> None:
    part = partition_q1([[5, 5, 0, 0], [0, 0, 5, 5]])
    assert part.alpha == pytest.approx(2.0, abs=TOL)
    assert part.gamma == pytest.approx(4.0, abs=TOL)
    assert part.beta == pytest.approx(2.0, abs=TOL)


def test_partition_of_nothing_is_null() -> None:
    assert partition_q1([[0, 0]]).gamma is None


def test_negative_counts_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        alpha_arrays([[1, -1]])


nonneg = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 8)),
    elements=st.one_of(st.just(0.0), st.floats(0.001, 1e4, allow_nan=False)),
)


@settings(max_examples=150, deadline=None)
@given(nonneg)
def test_hill_numbers_are_ordered_and_bounded(matrix: np.ndarray) -> None:
    a = alpha_arrays(matrix)
    ok = a.richness > 0
    assert np.all(a.hill_0[ok] + 1e-9 >= a.hill_1[ok])
    assert np.all(a.hill_1[ok] + 1e-9 >= a.hill_2[ok])
    assert np.all(a.hill_2[ok] + 1e-9 >= a.hill_inf[ok])
    assert np.all(a.hill_inf[ok] >= 1 - 1e-9)
    assert np.all((a.simpson[ok] >= -1e-12) & (a.simpson[ok] < 1))


@settings(max_examples=150, deadline=None)
@given(nonneg)
def test_partition_gamma_is_alpha_times_beta_and_beta_bounded(matrix: np.ndarray) -> None:
    part = partition_q1(matrix)
    if matrix.sum() == 0:
        assert part.gamma is None
        return
    assert part.gamma is not None and part.alpha is not None and part.beta is not None
    assert part.gamma == pytest.approx(part.alpha * part.beta, rel=1e-9)
    n_nonempty = int(np.count_nonzero(matrix.sum(axis=1)))
    assert 1 - 1e-9 <= part.beta <= n_nonempty + 1e-9


@settings(max_examples=100, deadline=None)
@given(nonneg, st.floats(0.1, 1000))
def test_indices_ignore_scale_except_total(matrix: np.ndarray, factor: float) -> None:
    a, b = alpha_arrays(matrix), alpha_arrays(matrix * factor)
    np.testing.assert_allclose(a.shannon, b.shannon, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(a.hill_2, b.hill_2, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(
        braycurtis_matrix(matrix), braycurtis_matrix(matrix * factor), atol=1e-9, equal_nan=True
    )


def test_hill_number_orders() -> None:
    assert hill_number([1, 1, 1, 1], 0) == pytest.approx(4.0)
    assert hill_number([1, 1, 1, 1], 2) == pytest.approx(4.0)
    assert hill_number([3, 1], math.inf) == pytest.approx(4 / 3)
    assert hill_number([0, 0], 1) is None


def test_varietal_diversity_per_species() -> None:
    out = varietal_diversity(
        [
            ("Zea mays", "Hopi Blue", 10.0),
            ("Zea mays", "Bloody Butcher", 10.0),
            ("Zea mays", "Hopi Blue", 0.0),
            ("Phaseolus", "Cherokee Trail", 3.0),
        ]
    )
    assert out["Zea mays"].varieties == 2
    assert out["Zea mays"].hill_1 == pytest.approx(2.0)
    assert out["Zea mays"].total == 20.0
    assert out["Phaseolus"].hill_2 == pytest.approx(1.0)


def test_roll_up_to_genus() -> None:
    names, matrix = roll_up(
        ["Cucurbita pepo", "Cucurbita maxima", "Zea mays"],
        [[1, 2, 3], [0, 4, 0]],
        {"Cucurbita pepo": "Cucurbita", "Cucurbita maxima": "Cucurbita", "Zea mays": "Zea"},
    )
    assert names == ["Cucurbita", "Zea"]
    np.testing.assert_array_equal(matrix, [[3, 3], [4, 0]])
