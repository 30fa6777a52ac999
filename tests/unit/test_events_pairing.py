"""Elder–youth pairing: optimal against brute force, pins and forbids respected, explained."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.errors import Invalid
from commonpot.events import pairing
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
    reasons = " ".join(pairing.reason_text(r) for r in chosen[(1, 2)].reasons)
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
    assert pairing.reason_text(pinned.pairs[0].reasons[0]) == "pinned by a steward"
    forbidden = pair([rosa], [lina], forbids=[(1, 2)])
    assert forbidden.pairs == ()
    assert forbidden.unpaired_teachers == (1,)


@pytest.mark.parametrize(
    ("pins", "forbids", "message"),
    [
        ([(1, 2)], [(1, 2)], "both pinned and forbidden"),
        ([(1, 2), (1, 3)], [], "more learners than the class size allows"),
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


def brute_force_classes(
    teachers: list[Person],
    learners: list[Person],
    pins: set[tuple[int, int]],
    forbids: set[tuple[int, int]],
    per_teacher: int,
) -> float:
    """The best total over every way of giving each learner one teacher or none, with at
    most `per_teacher` learners per teacher (an oracle independent of the assignment)."""
    by_id = {p.id: p for p in teachers + learners}
    choices = [None, *(t.id for t in teachers)]
    best = -math.inf
    for picked in itertools.product(choices, repeat=len(learners)):
        pairs = {(t, p.id) for t, p in zip(picked, learners, strict=True) if t is not None}
        if pairs & forbids or not pins <= pairs:
            continue
        if any(picked.count(t.id) > per_teacher for t in teachers):
            continue
        best = max(best, sum(score(by_id[t], by_id[p])[0] for t, p in pairs))
    return best


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_teachers=st.integers(0, 3),
    n_learners=st.integers(0, 6),
    per_teacher=st.integers(1, 3),
    n_forbid=st.integers(0, 3),
    n_pin=st.integers(0, 2),
)
def test_class_size_pairing_is_optimal_against_brute_force(
    seed: int, n_teachers: int, n_learners: int, per_teacher: int, n_forbid: int, n_pin: int
) -> None:
    rng = random.Random(seed)
    teachers = [_person(rng, i, old=True) for i in range(1, n_teachers + 1)]
    learners = [_person(rng, 100 + i, old=False) for i in range(1, n_learners + 1)]
    all_pairs = [(t.id, p.id) for t in teachers for p in learners]
    forbids = set(rng.sample(all_pairs, min(n_forbid, len(all_pairs))))
    pins: set[tuple[int, int]] = set()
    allowed = [x for x in all_pairs if x not in forbids]
    rng.shuffle(allowed)
    for t, p in allowed[:n_pin]:  # keep pins within the rules: one teacher per learner
        if all(q != p for _, q in pins) and sum(1 for u, _ in pins if u == t) < per_teacher:
            pins.add((t, p))
    result = pair(teachers, learners, pins=pins, forbids=forbids, per_teacher=per_teacher)
    expected = brute_force_classes(teachers, learners, pins, forbids, per_teacher)
    assert math.isclose(result.total, expected, abs_tol=1e-9)
    chosen = [(p.teacher_id, p.learner_id) for p in result.pairs]
    assert pins <= set(chosen) and not set(chosen) & forbids
    assert len({p for _, p in chosen}) == len(chosen)  # a learner has one teacher
    assert all(sum(1 for u, _ in chosen if u == t.id) <= per_teacher for t in teachers)
    # nobody waits while a seat they may take is free
    for p in result.unpaired_learners:
        for t in teachers:
            taken = sum(1 for u, _ in chosen if u == t.id)
            assert taken == per_teacher or (t.id, p) in forbids


def test_one_elder_takes_a_class_of_three() -> None:
    elder = Person(1, "Abuela Rosa", frozenset({"es"}), 1941, frozenset({"tamales"}))
    youths = [Person(10 + i, f"Y{i}", frozenset({"es"}), 2008) for i in range(4)]
    one_to_one = pair([elder], youths)
    assert len(one_to_one.pairs) == 1 and len(one_to_one.unpaired_learners) == 3
    class_of_three = pair([elder], youths, per_teacher=3)
    assert {p.teacher_id for p in class_of_three.pairs} == {1}
    assert len(class_of_three.pairs) == 3 and len(class_of_three.unpaired_learners) == 1
    with pytest.raises(Invalid, match="1 to 20 learners"):
        pair([elder], youths, per_teacher=0)
