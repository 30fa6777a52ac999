"""Elder–youth pairing: an optimal assignment of learners to teachers, explained per pair.

Each allowed pair scores `base` (pairing someone beats leaving them alone) plus points for a
shared language, for every recipe the learner wants that the teacher can teach, and for the
generation gap bridged. SciPy's `linear_sum_assignment` maximises the total; forbidden pairs
score 0 and are dropped afterwards, which is exact because every allowed pair scores more
than 0. Pinned pairs are fixed before the rest is assigned.

An elder may take more than one learner (`per_teacher`, the class's learners per elder):
each teacher then stands in the assignment as that many identical seats, so the same
exact assignment fills every seat of every teacher as well as it can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from commonpot.errors import Invalid

GAP_CAP_YEARS = 60
MAX_PER_TEACHER = 20


@dataclass(frozen=True)
class Person:
    """Someone to pair: languages (codes), birth year, and recipes (to teach or to learn)."""

    id: int
    name: str
    languages: frozenset[str] = frozenset()
    birth_year: int | None = None
    recipes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Weights:
    """How much each good thing in a pair counts."""

    base: float = 1.0
    language: float = 3.0
    recipe: float = 2.0
    gap: float = 2.0


@dataclass(frozen=True)
class Reason:
    """Why a pair is good (or what it needs), as data: `reason_text` words it.

    `code` is pinned, languages (`items`: shared language codes), no_language, wants
    (`who` wants to learn the recipes in `items`) or gap (`years` apart).
    """

    code: str
    items: tuple[str, ...] = ()
    who: str = ""
    years: int = 0


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def reason_text(
    reason: Reason,
    gettext: Callable[[str], str] = _english,
    ngettext: Callable[[str, str, int], str] = _english_plural,
    language: Callable[[str], str] = str,
) -> str:
    """The reason in words: pass the reader's gettext/ngettext (and language names)."""
    listed = ", ".join(reason.items)
    if reason.code == "pinned":
        return gettext("pinned by a steward")
    if reason.code == "languages":
        names = ", ".join(language(code) for code in reason.items)
        return gettext("both speak %(languages)s") % {"languages": names}
    if reason.code == "no_language":
        return gettext("no shared language: bring an interpreter")
    if reason.code == "wants":
        return gettext("%(name)s wants to learn %(recipes)s") % {
            "name": reason.who,
            "recipes": listed,
        }
    return ngettext("%(num)d year apart", "%(num)d years apart", reason.years) % {
        "num": reason.years
    }


@dataclass(frozen=True)
class Pair:
    """One teacher with one learner, the pair's score and why."""

    teacher_id: int
    learner_id: int
    score: float
    pinned: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Pairing:
    """The chosen pairs and who is left without a partner."""

    pairs: tuple[Pair, ...]
    unpaired_teachers: tuple[int, ...]
    unpaired_learners: tuple[int, ...]

    @property
    def total(self) -> float:
        """The sum of the pairs' scores (what the assignment maximises)."""
        return sum(p.score for p in self.pairs)


def score(
    teacher: Person, learner: Person, weights: Weights = Weights()
) -> tuple[float, tuple[Reason, ...]]:
    """The value of pairing these two, and the reasons (worded by `reason_text`)."""
    value = weights.base
    reasons: list[Reason] = []
    shared = sorted(teacher.languages & learner.languages)
    if shared:
        value += weights.language
        reasons.append(Reason("languages", tuple(shared)))
    else:
        reasons.append(Reason("no_language"))
    wanted = sorted(teacher.recipes & learner.recipes)
    if wanted:
        value += weights.recipe * len(wanted)
        reasons.append(Reason("wants", tuple(wanted), who=learner.name))
    if teacher.birth_year is not None and learner.birth_year is not None:
        gap = abs(learner.birth_year - teacher.birth_year)
        value += weights.gap * min(gap, GAP_CAP_YEARS) / GAP_CAP_YEARS
        reasons.append(Reason("gap", years=gap))
    return value, tuple(reasons)


def _check_rules(
    teachers: Sequence[Person],
    learners: Sequence[Person],
    pins: set[tuple[int, int]],
    forbids: set[tuple[int, int]],
    per_teacher: int = 1,
) -> None:
    if not 1 <= per_teacher <= MAX_PER_TEACHER:
        raise Invalid(
            "Each elder takes 1 to %(num)s learners.",
            field="learners_per_elder",
            num=MAX_PER_TEACHER,
        )
    teacher_ids = {t.id for t in teachers}
    learner_ids = {p.id for p in learners}
    for t, learner in pins | forbids:
        if t not in teacher_ids or learner not in learner_ids:
            raise Invalid("A pin or forbid names someone who is not signed up in that role.")
    if pins & forbids:
        raise Invalid("The same pair is both pinned and forbidden; remove one rule.")
    learners_pinned = [pair[1] for pair in pins]
    if len(learners_pinned) != len(set(learners_pinned)):
        raise Invalid("Each learner can be pinned to one teacher only.")
    for teacher in {pair[0] for pair in pins}:
        if sum(1 for pair in pins if pair[0] == teacher) > per_teacher:
            raise Invalid("An elder is pinned to more learners than the class size allows.")


def pair(
    teachers: Sequence[Person],
    learners: Sequence[Person],
    *,
    pins: Iterable[tuple[int, int]] = (),
    forbids: Iterable[tuple[int, int]] = (),
    weights: Weights = Weights(),
    per_teacher: int = 1,
) -> Pairing:
    """Give each teacher up to `per_teacher` learners, maximising the total score (rules kept)."""
    pin_set, forbid_set = set(pins), set(forbids)
    _check_rules(teachers, learners, pin_set, forbid_set, per_teacher)
    by_id = {p.id: p for p in [*teachers, *learners]}
    chosen: list[Pair] = []
    for t_id, l_id in sorted(pin_set):
        value, reasons = score(by_id[t_id], by_id[l_id], weights)
        chosen.append(Pair(t_id, l_id, value, True, (Reason("pinned"), *reasons)))
    pinned_l = {l_id for _, l_id in pin_set}
    # one seat per learner a teacher can still take
    free_t = [
        t
        for t in teachers
        for _ in range(per_teacher - sum(1 for t_id, _ in pin_set if t_id == t.id))
    ]
    free_l = [p for p in learners if p.id not in pinned_l]
    if free_t and free_l:
        matrix = np.zeros((len(free_t), len(free_l)))
        for i, t in enumerate(free_t):
            for j, learner in enumerate(free_l):
                if (t.id, learner.id) not in forbid_set:
                    matrix[i, j] = score(t, learner, weights)[0]
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            t, learner = free_t[i], free_l[j]
            if (t.id, learner.id) in forbid_set:
                continue
            value, reasons = score(t, learner, weights)
            chosen.append(Pair(t.id, learner.id, value, False, reasons))
    paired_t = {p.teacher_id for p in chosen}
    paired_l = {p.learner_id for p in chosen}
    return Pairing(
        pairs=tuple(sorted(chosen, key=lambda p: (p.teacher_id, p.learner_id))),
        unpaired_teachers=tuple(t.id for t in teachers if t.id not in paired_t),
        unpaired_learners=tuple(p.id for p in learners if p.id not in paired_l),
    )
