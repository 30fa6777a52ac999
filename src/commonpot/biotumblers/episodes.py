"""Alert episodes, followed reading by reading as they arrive (pure).

The spec's alert rules (`assessment`) judge a whole history; ingest sees it a message at a
time. This tracker takes the episodes still open and the new readings (newer than the last
stored one, in order of `t`) and says which episodes open, grow worse or close, so that each
episode is stored (and announced) once. Stalls need days of history and are judged by the
periodic check with the full engine; silences come from gaps here and from the clock there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from commonpot.biotumblers.assessment import DEFAULT_MAX_GAP, MOISTURE_HIGH, MOISTURE_LOW, OVERHEAT
from commonpot.biotumblers.readings import Reading


@dataclass(frozen=True, slots=True)
class Rule:
    """One alert condition on one value of a reading (hot °C or moisture %)."""

    kind: str
    level: str
    source: str  # "hot" or "moisture"
    holds: Callable[[float], bool]
    worse: Callable[[float, float], float]


def _over(limit: float) -> Callable[[float], bool]:
    return lambda value: value > limit


RULES: tuple[Rule, ...] = (
    *(Rule("overheat", level, "hot", _over(limit), max) for level, limit in OVERHEAT),
    Rule("moisture_low", "warn", "moisture", lambda v: v < MOISTURE_LOW, min),
    Rule("moisture_high", "warn", "moisture", lambda v: v > MOISTURE_HIGH, max),
)
SILENT = ("silent", "warn")
STALLED = ("stalled", "alarm")


@dataclass(slots=True)
class Episode:
    """An episode as the tracker sees it; `opened` is True when it began in this step."""

    kind: str
    level: str
    start: datetime
    end: datetime | None
    peak: float | None
    opened: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """(kind, level): at most one open episode per device and key."""
        return self.kind, self.level


def silent_minutes(since: datetime, until: datetime) -> float:
    """How long a silence lasted, in whole minutes (the peak of a `silent` episode)."""
    return float(int((until - since).total_seconds() // 60))


def _value(reading: Reading, source: str) -> float | None:
    return reading.hot if source == "hot" else reading.moisture_pct


def _silence(
    live: dict[tuple[str, str], Episode], previous: datetime | None, t: datetime, gap: timedelta
) -> Episode | None:
    """A reading ends any silence; a gap longer than `gap` before it is a (closed) silence."""
    silent = live.pop(SILENT, None)
    if previous is not None and t - previous > gap:
        if silent is None:  # the gap happened between two checks: record it, closed
            silent = Episode(*SILENT, previous, None, None, opened=True)
        silent.end, silent.peak = t, silent_minutes(silent.start, t)
    elif silent is not None:
        silent.end = t
    return silent


def _judge(live: dict[tuple[str, str], Episode], rule: Rule, reading: Reading) -> Episode | None:
    """The episode of one rule that this reading opens, worsens or closes (None: no change)."""
    value = _value(reading, rule.source)
    if value is None:
        return None  # a reading of another kind neither opens nor closes this rule
    key = (rule.kind, rule.level)
    found = live.get(key)
    if rule.holds(value):
        if found is None:
            found = live[key] = Episode(*key, reading.t, None, value, opened=True)
            return found
        worst = value if found.peak is None else rule.worse(value, found.peak)
        if worst == found.peak:
            return None
        found.peak = worst
        return found
    if found is not None:
        found.end = reading.t
        del live[key]
    return found


def track(
    open_now: Mapping[tuple[str, str], Episode],
    new: Sequence[Reading],
    *,
    last_before: datetime | None,
    max_gap: timedelta = DEFAULT_MAX_GAP,
) -> list[Episode]:
    """Episodes that the new readings open, worsen or close (changed ones only, by start).

    `new` are readings newer than `last_before` (the newest stored before them), in order
    of `t`; older (late) readings rewrite the past and change no episode.
    """
    live = {key: Episode(e.kind, e.level, e.start, e.end, e.peak) for key, e in open_now.items()}
    values = {
        "hot": [r.hot for r in new],
        "moisture": [r.moisture_pct for r in new],
    }
    # a rule with no open episode that no new reading meets cannot change: skip it
    rules = [
        rule
        for rule in RULES
        if (rule.kind, rule.level) in live
        or any(v is not None and rule.holds(v) for v in values[rule.source])
    ]
    changed: dict[int, Episode] = {}
    previous = last_before
    for reading in new:
        if previous is not None and reading.t <= previous:
            continue
        touched = [_silence(live, previous, reading.t, max_gap)]
        touched += [_judge(live, rule, reading) for rule in rules]
        for episode in touched:
            if episode is not None:
                changed.setdefault(id(episode), episode)
        previous = reading.t
    return sorted(changed.values(), key=lambda e: (e.start, e.kind, e.level))
