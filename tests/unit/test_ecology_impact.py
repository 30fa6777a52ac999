"""Impact assessment: index changes and the three kinds of gamed-change flags."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonpot.ecology.csvio import CountsTable
from commonpot.ecology.impact import OVERALL, assess_impact


def table(samples: list[str], species: list[str], rows: list[list[float]]) -> CountsTable:
    return CountsTable(samples, species, np.array(rows, dtype=float))


def kinds(report: object) -> set[tuple[str, str]]:
    return {(f.kind, f.sample) for f in report.flags}  # type: ignore[attr-defined]


def test_genuine_improvement_raises_no_flag() -> None:
    before = table(["A", "B"], ["maize", "bean"], [[30, 10], [10, 30]])
    after = table(["A", "B"], ["maize", "bean", "squash"], [[20, 10, 10], [10, 20, 10]])
    report = assess_impact(before, after)
    assert report.flags == []
    assert report.gamed is False
    richness = report.samples[0].get("richness")
    assert (richness.before, richness.after, richness.delta) == (2.0, 3.0, 1.0)
    assert report.samples[0].get("hill_1").delta > 0


def test_richness_up_while_effective_number_falls_is_flagged() -> None:
    before = table(["A"], ["maize", "bean"], [[10, 10]])
    after = table(["A"], ["maize", "bean", "squash"], [[100, 10, 10]])
    report = assess_impact(before, after, token_share=0.0)
    assert ("richness_up_evenness_down", "A") in kinds(report)
    flag = next(f for f in report.flags if f.sample == "A")
    assert "went up from 3" not in flag.explanation
    assert "from 2.00 to 3.00" in flag.explanation
    assert "less diverse" in flag.explanation


def test_gamma_falls_while_each_place_looks_better_is_flagged() -> None:
    # each dome had one unique crop; afterwards all grow the same two crops
    before = table(["A", "B", "C"], ["a", "b", "c"], [[10, 0, 0], [0, 10, 0], [0, 0, 10]])
    after = table(["A", "B", "C"], ["a", "b", "c"], [[5, 5, 0], [5, 5, 0], [5, 5, 0]])
    report = assess_impact(before, after)
    assert ("gamma_down_ratings_up", OVERALL) in kinds(report)
    gamma = next(c for c in report.partition if c.index == "gamma")
    assert gamma.before == pytest.approx(3.0)
    assert gamma.after == pytest.approx(2.0)
    assert "3 of 3 places" in next(f.explanation for f in report.flags if f.sample == OVERALL)


def test_token_species_are_flagged_with_their_names() -> None:
    before = table(["A"], ["maize", "bean"], [[50, 50]])
    after = table(["A"], ["maize", "bean", "okra", "kale"], [[50, 50, 0.2, 0.1]])
    report = assess_impact(before, after)
    token = next(f for f in report.flags if f.kind == "token_species")
    assert "okra" in token.explanation and "kale" in token.explanation
    assert "2 newly listed crops" in token.explanation


def test_token_area_threshold_in_square_metres() -> None:
    before = table(["A"], ["maize"], [[10]])
    after = table(["A"], ["maize", "okra"], [[10, 0.5]])
    assert not any(f.kind == "token_species" for f in assess_impact(before, after).flags)
    report = assess_impact(before, after, token_area=1.0)
    assert any(f.kind == "token_species" for f in report.flags)


def test_samples_missing_on_one_side_are_noted_and_counted_empty() -> None:
    before = table(["A", "B"], ["x"], [[1], [2]])
    after = table(["A", "C"], ["x"], [[1], [3]])
    report = assess_impact(before, after)
    notes = {s.sample: s.note for s in report.samples}
    assert notes["B"] is not None and "after" in notes["B"]
    assert notes["C"] is not None and "before" in notes["C"]
    assert report.samples[1].get("total").after == 0.0
    assert report.samples[1].get("shannon").delta is None


def test_json_shape() -> None:
    before = table(["A"], ["x", "y"], [[1, 1]])
    data = assess_impact(before, before).to_json()
    assert set(data) == {"samples", "overall", "partition", "gamed", "flags"}
    assert data["samples"]["A"]["hill_1"] == {"before": 2.0, "after": 2.0, "change": 0.0}
    assert math.isclose(data["partition"]["gamma"]["before"], 2.0)
    assert data["gamed"] is False


# --- the "looks gamed" rule: genuine area-weighted gains pass, token-carried gains do not ---

SOUTH_BEFORE = {
    "Capsicum annuum": 520,
    "Solanum lycopersicum": 140,
    "Amaranthus cruentus": 60,
    "Ocimum basilicum": 20,
}
NORTH = {"Malus domestica": 420, "Zea mays": 350, "Phaseolus vulgaris": 180}


def _from(places: dict[str, dict[str, float]]) -> CountsTable:
    species = sorted({c for crops in places.values() for c in crops})
    rows = [[crops.get(c, 0.0) for c in species] for crops in places.values()]
    return table(list(places), species, rows)


def _hill_1(areas: list[float]) -> float:
    # independent oracle: exp of Shannon entropy of area shares, by hand
    total = sum(areas)
    return math.exp(-sum(a / total * math.log(a / total) for a in areas if a > 0))


def test_real_orchard_gain_in_south_dome_is_not_flagged() -> None:
    # orchard trees on 180 m², a quinoa bed, and a 3 m² pot of onions beside them
    south_after = {
        "Capsicum annuum": 280,
        "Solanum lycopersicum": 140,
        "Amaranthus cruentus": 60,
        "Ocimum basilicum": 20,
        "Malus domestica": 180,
        "Chenopodium quinoa": 60,
        "Allium cepa": 3,
    }
    before = _from({"North Dome": NORTH, "South Dome": SOUTH_BEFORE})
    after = _from({"North Dome": NORTH, "South Dome": south_after})
    report = assess_impact(before, after)
    south = next(s for s in report.samples if s.sample == "South Dome").get("hill_1")
    assert south.before == pytest.approx(_hill_1([520, 140, 60, 20]))
    assert south.before == pytest.approx(2.37, abs=0.01)
    assert south.after == pytest.approx(_hill_1(list(south_after.values())))
    assert south.after > 4.5
    assert report.flags == []


def test_after_file_with_only_the_changed_place_is_not_flagged() -> None:
    # the upload covers South Dome only: North Dome is missing, not gamed
    south_after = {**SOUTH_BEFORE, "Capsicum annuum": 260, "Malus domestica": 260}
    before = _from({"North Dome": NORTH, "South Dome": SOUTH_BEFORE})
    after = _from({"South Dome": south_after})
    report = assess_impact(before, after)
    assert not any(f.kind == "gamma_down_ratings_up" for f in report.flags)
    assert report.flags == []


def test_gain_carried_only_by_token_plantings_is_flagged_and_explained() -> None:
    south_after = {**SOUTH_BEFORE, "Allium cepa": 2, "Daucus carota": 1, "Okra": 1.5}
    before = _from({"South Dome": SOUTH_BEFORE})
    after = _from({"South Dome": south_after})
    report = assess_impact(before, after)
    flag = next(f for f in report.flags if f.kind == "token_species")
    assert flag.sample == "South Dome"
    assert flag.data["richness_before"] == 4 and flag.data["richness_after"] == 7
    assert flag.data["richness_without"] == 4
    assert flag.data["share"] == pytest.approx(4.5 / 744.5)
    assert "instead of 4 before" in flag.explanation
    assert "token plantings" in flag.explanation


def test_tokens_masking_a_loss_are_flagged() -> None:
    # the corporate offer: maize everywhere, a pot of each herb keeps the count of crops up
    before = _from({"South Dome": SOUTH_BEFORE})
    after = _from(
        {"South Dome": {"Zea mays": 1300, "Capsicum annuum": 30, "Okra": 0.2, "Allium cepa": 0.2}}
    )
    report = assess_impact(before, after)
    flag = next(f for f in report.flags if f.kind == "token_species")
    assert flag.data["richness_without"] == 2 < flag.data["richness_before"]


def test_many_tokens_carrying_the_effective_number_are_flagged() -> None:
    # ten new crops at 0.9 % each lift Hill 1 while the real beds lose evenness
    before = _from({"A": {"maize": 50, "bean": 50}})
    crops = {"maize": 90.0, "bean": 10.0} | {f"herb {k}": 0.92 for k in range(10)}
    report = assess_impact(before, _from({"A": crops}))
    flag = next(f for f in report.flags if f.kind == "token_species")
    assert flag.data["hill_1_without"] < flag.data["hill_1_before"]


def test_pooled_hill_2_dip_under_a_real_hill_1_gain_is_not_flagged() -> None:
    # apple already grows in North; South plants apple too: pooled Hill 1 rises (Hill 2 may dip)
    before = _from({"North Dome": NORTH, "South Dome": SOUTH_BEFORE})
    south_after = {
        **SOUTH_BEFORE,
        "Capsicum annuum": 240,
        "Malus domestica": 280,
        "Chenopodium quinoa": 80,
    }
    after = _from({"North Dome": NORTH, "South Dome": south_after})
    report = assess_impact(before, after)
    overall = report.overall
    assert overall.get("richness").delta > 0
    assert overall.get("hill_1").delta > 0
    assert report.flags == []
