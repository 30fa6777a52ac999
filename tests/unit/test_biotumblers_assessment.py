"""The telemetry spec's assessment at every boundary, plus Hypothesis properties."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.biotumblers.assessment import assess
from commonpot.biotumblers.readings import Reading, format_time
from tests.factories.biotumblers import T0, reading, series

H = timedelta(hours=1)


def hot_for(
    duration: timedelta, *, cold: float = 55.0, every: timedelta = 30 * timedelta(minutes=1)
) -> list[Reading]:
    """Readings at exactly `cold` on the colder probe from T0 to T0 + duration (ends included)."""
    found: list[Reading] = []
    moment = T0
    while moment < T0 + duration:
        found.append(Reading(moment, {"a": cold, "b": cold + 5}))
        moment += every
    found.append(Reading(T0 + duration, {"a": cold, "b": cold + 5}))
    return found


def test_exactly_72_hours_at_exactly_55_sanitises() -> None:
    verdict = assess(hot_for(72 * H))
    assert verdict.sanitised
    assert verdict.sanitised_at == T0 + 72 * H
    assert verdict.longest_hot_hours == 72.0
    assert verdict.hot_since == T0


def test_71h59m_does_not_sanitise() -> None:
    verdict = assess(hot_for(72 * H - timedelta(minutes=1)))
    assert not verdict.sanitised
    assert verdict.sanitised_at is None
    assert abs(verdict.longest_hot_hours - (71 + 59 / 60)) < 1e-9


def test_just_under_55_is_not_hot() -> None:
    verdict = assess(hot_for(80 * H, cold=54.99))
    assert not verdict.sanitised
    assert verdict.longest_hot_hours == 0
    assert verdict.hot_since is None


def test_the_coldest_probe_decides() -> None:
    found = [Reading(r.t, {"core": 70.0, "edge": 54.9}) for r in hot_for(80 * H)]
    assert not assess(found).sanitised
    found = [Reading(r.t, {"core": 70.0, "edge": 55.0}) for r in hot_for(80 * H)]
    assert assess(found).sanitised


def test_a_gap_of_exactly_max_gap_keeps_the_run_one_second_more_breaks_it() -> None:
    before = hot_for(40 * H)
    after_exact = [
        Reading(r.t + 40 * H + timedelta(minutes=30), r.temperature_c) for r in hot_for(40 * H)
    ]
    assert assess(before + after_exact).sanitised
    after_late = [
        Reading(r.t + 40 * H + timedelta(minutes=30, seconds=1), r.temperature_c)
        for r in hot_for(40 * H)
    ]
    verdict = assess(before + after_late)
    assert not verdict.sanitised
    assert verdict.longest_hot_hours == 40.0
    assert verdict.hot_since == T0 + 40 * H + timedelta(minutes=30, seconds=1)
    silent = [a for a in verdict.alerts if a.kind == "silent"]
    assert [(a.start, a.end) for a in silent] == [
        (T0 + 40 * H, T0 + 40 * H + timedelta(minutes=30, seconds=1))
    ]


def test_a_custom_max_gap() -> None:
    found = hot_for(80 * H, every=2 * H)
    assert not assess(found).sanitised
    assert assess(found, max_gap=2 * H).sanitised


def test_sanitised_at_is_the_first_reading_reaching_72_hours() -> None:
    found = hot_for(100 * H, every=7 * timedelta(minutes=1))
    verdict = assess(found, max_gap=H)
    assert verdict.sanitised_at == min(r.t for r in found if r.t - T0 >= 72 * H)


def test_phases() -> None:
    assert assess(series([20, 30, 44.9])).phase == "mesophilic"
    assert assess(series([20, 45.0])).phase == "thermophilic"
    assert assess(series([20, 50, 44.9])).phase == "cooling"
    assert assess(series([20, 50, 30.0])).phase == "cooling"
    assert assess(series([20, 50, 29.9])).phase == "curing"
    # the hot probe decides the phase, readings without temperature do not count
    assert assess([reading(0, 20, 46), reading(10, moisture=50)]).phase == "thermophilic"
    assert assess([]).phase == "mesophilic"


def test_overheat_episodes_per_level_and_order() -> None:
    verdict = assess(series([60, 65.0, 66, 71, 81, 69, 64]))
    got = [(a.kind, a.level, a.start, a.end) for a in verdict.alerts]
    m = timedelta(minutes=10)
    assert got == [
        ("overheat", "warn", T0 + 2 * m, T0 + 6 * m),
        ("overheat", "alarm", T0 + 3 * m, T0 + 5 * m),
        ("overheat", "critical", T0 + 4 * m, T0 + 5 * m),
    ]


def test_open_episode_has_no_end_and_moisture_reads_only_its_kind() -> None:
    found = [
        reading(0, 50, moisture=45),
        reading(10, moisture=39.9),
        reading(20, 50),
        reading(30, moisture=40.0),
        reading(40, moisture=60.1),
    ]
    alerts = assess(found).alerts
    assert [(a.kind, a.start, a.end) for a in alerts] == [
        ("moisture_low", T0 + timedelta(minutes=10), T0 + timedelta(minutes=30)),
        ("moisture_high", T0 + timedelta(minutes=40), None),
    ]
    assert alerts[-1].to_json()["to"] is None


def _stall_case(stall: timedelta, *, gap_in_middle: bool = False) -> list[Reading]:
    m = timedelta(minutes=30)
    found = [Reading(T0, {"c": 50.0})]  # heated first
    moment = T0 + m
    end = moment + stall
    while moment <= end:
        found.append(Reading(moment, {"c": 30.0}))
        moment += m
    found.append(Reading(end + m, {"c": 50.0}))
    return found


def test_stall_of_exactly_48_hours_alarms_47h30_does_not() -> None:
    alerts = assess(_stall_case(48 * H)).alerts
    assert [(a.kind, a.level) for a in alerts] == [("stalled", "alarm")]
    assert alerts[0].start == T0 + timedelta(minutes=30)
    assert alerts[0].end == T0 + timedelta(minutes=30) + 48 * H + timedelta(minutes=30)
    assert assess(_stall_case(47.5 * H)).alerts == []


def test_stall_needs_the_pile_to_have_heated_first_and_a_gap_ends_it() -> None:
    cold_from_start = [Reading(T0 + i * timedelta(minutes=30), {"c": 20.0}) for i in range(200)]
    assert [a.kind for a in assess(cold_from_start).alerts] == []
    found = _stall_case(60 * H)
    gap_at = T0 + 25 * H
    found = [r for r in found if not (gap_at < r.t < gap_at + H)]
    stalled = [a for a in assess(found).alerts if a.kind == "stalled"]
    # 24.5 h before the gap (too short), then from after the gap: 35 h (too short)
    assert stalled == []
    found = _stall_case(120 * H)
    found = [r for r in found if not (gap_at < r.t < gap_at + H)]
    stalled = [a for a in assess(found).alerts if a.kind == "stalled"]
    assert [(a.start, a.end) for a in stalled] == [(gap_at + H, T0 + 121 * H)]


def test_stall_after_sanitising_does_not_alarm() -> None:
    found = hot_for(80 * H)
    after = found[-1].t
    found += [Reading(after + i * timedelta(minutes=30), {"c": 20.0}) for i in range(1, 120)]
    assert not [a for a in assess(found).alerts if a.kind == "stalled"]


def test_json_matches_the_spec() -> None:
    out = assess(hot_for(96.5 * H)).to_json(rejected=2)
    assert out == {
        "readings": len(hot_for(96.5 * H)),
        "rejected": 2,
        "sanitised": True,
        "sanitised_at": format_time(T0 + 72 * H),
        "longest_hot_hours": 96.5,
        "hot_since": "2026-11-01T00:00:00Z",
        "phase": "thermophilic",
        "alerts": [],
    }


def test_open_silence_up_to_now() -> None:
    found = series([60, 60])
    now = found[-1].t + timedelta(minutes=31)
    alerts = assess(found, now=now).alerts
    assert [(a.kind, a.start, a.end) for a in alerts] == [("silent", found[-1].t, None)]
    assert assess(found, now=found[-1].t + timedelta(minutes=30)).alerts == []


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.integers(min_value=0, max_value=6000),
    step=st.integers(min_value=1, max_value=30),
    extra=st.floats(min_value=0, max_value=40),
)
def test_property_run_length_decides(minutes: int, step: int, extra: float) -> None:
    """A continuous hot run sanitises exactly when it lasts 72 h, whatever the sampling."""
    found = hot_for(timedelta(minutes=minutes), cold=55.0 + extra, every=timedelta(minutes=step))
    verdict = assess(found)
    assert verdict.sanitised == (minutes >= 72 * 60)
    assert verdict.longest_hot_hours == minutes / 60


@settings(max_examples=60, deadline=None)
@given(
    temps=st.lists(st.floats(min_value=-40, max_value=100), min_size=1, max_size=80),
    dip=st.integers(min_value=0, max_value=79),
)
def test_property_a_cold_dip_never_lengthens_a_run(temps: list[float], dip: int) -> None:
    found = series(temps, every=timedelta(hours=2))
    base = assess(found, max_gap=timedelta(hours=2))
    if dip < len(found):
        cooler = list(found)
        cooler[dip] = Reading(found[dip].t, {"core": 20.0})
        worse = assess(cooler, max_gap=timedelta(hours=2))
        assert worse.longest_hot <= base.longest_hot
        assert not (worse.sanitised and not base.sanitised)
