"""Elder–youth pairing: optimal against brute force, pins and forbids respected, explained."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.errors import Invalid
from commonpot.events.pairing import Person, pair, score

LANGS = ["en", "es", "ja", "ig"]
DISHES = ["tamales", "jollof", "miso", "bread", "dal"]


def _person(rng: random.Random, pid: int, old: bool) -> Person:
    return Person(
        id=pid,
        name=f"P{pid}",
        languages=frozenset(rng.sample(LANGS, rng.randint(1, 2))),
        birth_year=rng.randint(1935, 1965) if old else rng.randint(1995, 2012),
        recipes=frozenset(rng.sample(DISHES, rng.randint(0, 3))),
    )


def brute_force(
    teachers: list[Person],
    learners: list[Person],
    pins: set[tuple[int, int]],
    forbids: set[tuple[int, int]],
) -> float:
    """The best total over every one-to-one partial matching that keeps the rules."""
    by_id = {p.id: p for p in teachers + learners}
    best = -math.inf
    t_ids = [t.id for t in teachers]
    for k in range(min(len(teachers), len(learners)) + 1):
        for chosen_t in itertools.combinations(t_ids, k):
            for chosen_l in itertools.permutations([p.id for p in learners], k):
                pairs = set(zip(chosen_t, chosen_l, strict=True))
                if pairs & forbids or not pins <= pairs:
                    continue
                total = sum(score(by_id[t], by_id[p])[0] for t, p in pairs)
                best = max(best, total)
    return best


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_teachers=st.integers(0, 4),
    n_learners=st.integers(0, 4),
    n_forbid=st.integers(0, 3),
    n_pin=st.integers(0, 1),
)
def test_pairing_is_optimal_against_brute_force(
    seed: int, n_teachers: int, n_learners: int, n_forbid: int, n_pin: int
) -> None:
    rng = random.Random(seed)
    teachers = [_person(rng, i, old=True) for i in range(1, n_teachers + 1)]
    learners = [_person(rng, 100 + i, old=False) for i in range(1, n_learners + 1)]
    all_pairs = [(t.id, p.id) for t in teachers for p in learners]
    forbids = set(rng.sample(all_pairs, min(n_forbid, len(all_pairs))))
    allowed = [p for p in all_pairs if p not in forbids]
    pins = set(rng.sample(allowed, min(n_pin, len(allowed))))
    result = pair(teachers, learners, pins=pins, forbids=forbids)
    assert math.isclose(result.total, brute_force(teachers, learners, pins, forbids), abs_tol=1e-9)
    chosen = {(p.teacher_id, p.learner_id) for p in result.pairs}
    assert pins <= chosen
    assert not chosen & forbids
    assert len({t for t, _ in chosen}) == len(chosen) == len({p for _, p in chosen})


def test_pair_explains_shared_language_recipes_and_gap() -> None:
    rosa = Person(1, "Rosa", frozenset({"es", "en"}), 1941, frozenset({"tamales", "mole"}))
    lina = Person(2, "Lina", frozenset({"en", "es"}), 2004, frozenset({"tamales"}))
    kenji = Person(3, "Kenji", frozenset({"ja", "en"}), 1952, frozenset({"miso"}))
    sam = Person(4, "Sam", frozenset({"en"}), 2009, frozenset({"miso"}))
    result = pair([rosa, kenji], [sam, lina])
    chosen = {(p.teacher_id, p.learner_id): p for p in result.pairs}
    assert set(chosen) == {(1, 2), (3, 4)}
    reasons = " ".join(chosen[(1, 2)].reasons)
    assert "both speak en, es" in reasons
    assert "Lina wants to learn tamales" in reasons
    assert "63 years apart" in reasons


def test_pin_overrides_the_better_pairing_and_forbid_leaves_unpaired() -> None:
    rosa = Person(1, "Rosa", frozenset({"es"}), 1941, frozenset({"tamales"}))
    lina = Person(2, "Lina", frozenset({"es"}), 2004, frozenset({"tamales"}))
    sam = Person(3, "Sam", frozenset({"en"}), 2009)
    pinned = pair([rosa], [lina, sam], pins=[(1, 3)])
    assert [(p.teacher_id, p.learner_id, p.pinned) for p in pinned.pairs] == [(1, 3, True)]
    assert pinned.unpaired_learners == (2,)
    assert pinned.pairs[0].reasons[0] == "pinned by a steward"
    forbidden = pair([rosa], [lina], forbids=[(1, 2)])
    assert forbidden.pairs == ()
    assert forbidden.unpaired_teachers == (1,)


@pytest.mark.parametrize(
    ("pins", "forbids", "message"),
    [
        ([(1, 2)], [(1, 2)], "both pinned and forbidden"),
        ([(1, 2), (1, 3)], [], "one partner only"),
        ([(9, 2)], [], "not signed up"),
    ],
)
def test_contradictory_rules_are_refused(
    pins: list[tuple[int, int]], forbids: list[tuple[int, int]], message: str
) -> None:
    teachers = [Person(1, "A")]
    learners = [Person(2, "B"), Person(3, "C")]
    with pytest.raises(Invalid, match=message):
        pair(teachers, learners, pins=pins, forbids=forbids)
