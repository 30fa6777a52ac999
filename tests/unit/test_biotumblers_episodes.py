"""The episode tracker (ingest's view of the alert rules) against the spec's engine."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.biotumblers import assessment, episodes
from commonpot.biotumblers.episodes import Episode
from commonpot.biotumblers.readings import Reading
from tests.factories.biotumblers import T0, reading

GAP = timedelta(minutes=30)


def run(chunks: list[list[Reading]], gap: timedelta = GAP) -> list[Episode]:
    """Feed readings chunk by chunk as ingest does; every episode, open or closed."""
    live: dict[tuple[str, str], Episode] = {}
    done: dict[tuple[str, str, object], Episode] = {}
    last = None
    for chunk in chunks:
        for e in episodes.track(live, chunk, last_before=last, max_gap=gap):
            done[(e.kind, e.level, e.start)] = e
            if e.end is None:
                live[e.key] = e
            else:
                live.pop(e.key, None)
        if chunk:
            last = max([r.t for r in chunk] + ([last] if last else []))
    return sorted(done.values(), key=lambda e: (e.start, e.kind, e.level))


def test_an_episode_opens_once_grows_its_peak_and_closes_on_the_first_reading_that_clears() -> None:
    first = episodes.track({}, [reading(0, 60), reading(10, 66)], last_before=None)
    assert [(e.kind, e.level, e.start, e.end, e.peak, e.opened) for e in first] == [
        ("overheat", "warn", T0 + timedelta(minutes=10), None, 66.0, True)
    ]
    live = {e.key: e for e in first}
    worse = episodes.track(live, [reading(20, 68)], last_before=T0 + timedelta(minutes=10))
    assert [(e.peak, e.opened, e.end) for e in worse] == [(68.0, False, None)]
    live = {e.key: e for e in worse}
    same = episodes.track(live, [reading(30, 67)], last_before=T0 + timedelta(minutes=20))
    assert same == []  # still open, not worse: nothing to store or tell
    closed = episodes.track(live, [reading(40, 65.0)], last_before=T0 + timedelta(minutes=30))
    assert [(e.end, e.peak) for e in closed] == [(T0 + timedelta(minutes=40), 68.0)]


def test_a_reading_of_another_kind_neither_opens_nor_closes_a_rule() -> None:
    dry = episodes.track({}, [reading(0, 50, moisture=35.0)], last_before=None)
    assert [(e.kind, e.peak) for e in dry] == [("moisture_low", 35.0)]
    live = {e.key: e for e in dry}
    # temperature only: moisture unknown, the dry episode holds
    assert episodes.track(live, [reading(10, 50)], last_before=T0) == []
    drier = episodes.track(live, [reading(20, 50, moisture=30.0)], last_before=T0)
    assert [(e.kind, e.peak, e.end) for e in drier] == [("moisture_low", 30.0, None)]


def test_silence_is_a_gap_longer_than_max_gap_and_a_reading_ends_an_open_one() -> None:
    exactly = episodes.track({}, [reading(30, 50)], last_before=T0)
    assert exactly == []
    longer = episodes.track(
        {}, [Reading(T0 + GAP + timedelta(seconds=1), {"core": 50.0})], last_before=T0
    )
    assert [(e.kind, e.start, e.end, e.peak) for e in longer] == [
        ("silent", T0, T0 + GAP + timedelta(seconds=1), 30.0)
    ]
    opened = {episodes.SILENT: Episode("silent", "warn", T0, None, 45.0)}
    ended = episodes.track(opened, [reading(90, 50)], last_before=T0)
    assert [(e.end, e.peak, e.opened) for e in ended] == [(T0 + timedelta(minutes=90), 90.0, False)]


def test_late_readings_change_no_episode() -> None:
    live = {("overheat", "warn"): Episode("overheat", "warn", T0, None, 70.0)}
    assert episodes.track(live, [reading(5, 20)], last_before=T0 + timedelta(minutes=10)) == []


temps = st.lists(
    st.tuples(
        st.integers(1, 50),  # minutes after the previous reading
        st.floats(20, 90, allow_nan=False),
        st.one_of(st.none(), st.floats(20, 80, allow_nan=False)),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(temps, st.lists(st.integers(1, 10), min_size=1, max_size=10))
def test_following_chunk_by_chunk_finds_the_engines_episodes(
    points: list[tuple[int, float, float | None]], cuts: list[int]
) -> None:
    found, at = [], 0
    for step, hot, moisture in points:
        at += step
        found.append(reading(at, hot, moisture=moisture))
    chunks, start = [], 0
    for size in cuts * 10:
        chunks.append(found[start : start + size])
        start += size
        if start >= len(found):
            break
    chunks.append(found[start:])
    followed = [(e.kind, e.level, e.start, e.end) for e in run(chunks)]
    spec = [
        (a.kind, a.level, a.start, a.end)
        for a in assessment.assess(found, max_gap=GAP).alerts
        if a.kind != "stalled"
    ]
    assert sorted(followed, key=str) == sorted(spec, key=str)


@settings(max_examples=100, deadline=None)
@given(temps, st.integers(0, 120))
def test_a_kept_verdict_brought_to_now_equals_assessing_with_now(
    points: list[tuple[int, float, float | None]], later: int
) -> None:
    found, at = [], 0
    for step, hot, moisture in points:
        at += step
        found.append(reading(at, hot, moisture=moisture))
    now = found[-1].t + timedelta(minutes=later)
    kept = assessment.assess(found, max_gap=GAP)
    assert assessment.at(kept, now, GAP) == assessment.assess(found, max_gap=GAP, now=now)
    assert assessment.at(kept, None, GAP) == kept
