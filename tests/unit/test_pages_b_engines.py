"""Pure parts behind the events and decisions pages: the repeat picker's rules and the
per-method result views (independent expectations worked out by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.rrule import TU, WEEKLY, rrule  # type: ignore[import-untyped]

from commonpot.errors import Invalid
from commonpot.events.recurrence import Repeat, build_rule, expand, read_rule
from commonpot.governance.result_view import build, shown


@pytest.mark.parametrize(
    ("repeat", "rule"),
    [
        (Repeat("weekly", 1, ("TH", "TU"), 8), "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8"),
        (Repeat("weekly", 2, (), None, "2031-03-04"), "FREQ=WEEKLY;INTERVAL=2;UNTIL=20310304"),
        (Repeat("daily", 1, (), 5), "FREQ=DAILY;COUNT=5"),
        (Repeat("monthly", 3, (), 4), "FREQ=MONTHLY;INTERVAL=3;COUNT=4"),
    ],
)
def test_picker_builds_rules_and_reads_them_back(repeat: Repeat, rule: str) -> None:
    assert build_rule(repeat) == rule
    again = read_rule(rule)
    assert again is not None
    assert (again.freq, again.interval, set(again.days), again.count, again.until) == (
        repeat.freq,
        repeat.interval,
        set(repeat.days),
        repeat.count,
        repeat.until,
    )


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        (Repeat("yearly", 1, (), 3), "repeat"),
        (Repeat("weekly", 0, (), 3), "repeat_interval"),
        (Repeat("daily", 1, ("MO",), 3), "repeat_days"),
        (Repeat("weekly", 1, (), 0), "repeat_count"),
        (Repeat("weekly", 1, (), None, "30/06/2027"), "repeat_until"),
        (Repeat("weekly", 1, (), None, None), "repeat_end"),
    ],
)
def test_picker_refuses_naming_the_field(repeat: Repeat, field: str) -> None:
    with pytest.raises(Invalid) as err:
        build_rule(repeat)
    assert err.value.field == field


def test_picked_weekly_rule_gives_the_same_sessions_as_dateutil() -> None:
    start = datetime(2031, 1, 7, 18, 0, tzinfo=UTC)  # a Tuesday
    rule = build_rule(Repeat("weekly", 1, ("TU",), 8))
    got = [o.starts_at for o in expand(rule, start, timedelta(hours=2), "UTC")]
    oracle = list(rrule(WEEKLY, byweekday=TU, count=8, dtstart=start))
    assert got == oracle


def test_rules_the_picker_cannot_show_stay_raw() -> None:
    assert read_rule("FREQ=MONTHLY;BYMONTHDAY=1;COUNT=3") is None
    assert read_rule("FREQ=YEARLY;COUNT=3") is None
    assert read_rule(None) is None


def test_each_method_gets_its_own_view() -> None:
    opts = ["Walnut", "Hazel", "Chestnut"]
    assert build("approval", opts, {"turnout": 0, "winners": ["Hazel"]}).kind == "empty"
    approval = build(
        "approval",
        opts,
        {"turnout": 2, "winners": ["Hazel"], "rounds": [{"counts": {"Hazel": 2, "Walnut": 1}}]},
    )
    assert approval.kind == "tally" and approval.measure == "Approvals"
    assert [(r.option, r.value, r.share, r.winner) for r in approval.rows] == [
        ("Hazel", "2", 100, True),
        ("Walnut", "1", 50, False),
        ("Chestnut", "0", 0, False),
    ]
    stv = build("stv", opts, {"turnout": 3, "winners": ["Hazel"], "rounds": []})
    assert stv.kind == "rounds"
    quad = build(
        "quadratic",
        opts,
        {"turnout": 1, "winners": ["Walnut"], "rounds": [{"counts": {"Walnut": "1+sqrt(2)"}}]},
    )
    assert quad.rows[0].value == "≈ 2.41" and quad.rows[0].share == 100
    majority = build(
        "majority",
        ["yes", "no", "abstain"],
        {
            "turnout": 3,
            "winners": ["yes"],
            "yes_share": "2/3",
            "threshold": "1/2",
            "rounds": [{"counts": {"yes": 2, "no": 1, "abstain": 0}}],
        },
    )
    assert (majority.kind, majority.yes_share, majority.threshold) == ("majority", "67 %", "50 %")
    assert shown("7/3") == "2.33" and shown(4) == "4"
