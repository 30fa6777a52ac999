"""How a recipe becomes an experience: its chapters, built from plain data (a pure engine).

Without authoring, a recipe tells itself: where it comes from (description, origin, story),
its steps (one chapter per named section, else one per step, with the step's ingredients
highlighted), and the generations that carried it, with the first recording that may be
played. A custodian's arranged chapters replace that default, chapter for chapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_CUES = 500
MAX_SECONDS = 3 * 3600.0
WORDS_PER_SECOND = 2.5  # unhurried speech, for transcripts nobody has timed yet


@dataclass(frozen=True)
class Ingredient:
    """One ingredient line and the food the parser read from it."""

    line: str
    food: str


@dataclass(frozen=True)
class Generation:
    """Someone in the recipe's lineage."""

    name: str
    generation: int
    relation: str = ""
    place: str = ""
    period: str = ""


@dataclass(frozen=True)
class Cue:
    """A timed piece of a transcript."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Voice:
    """A recording as the scene may use it."""

    id: int
    title: str
    narrator: str
    transcript: str
    playable: bool  # has audio and the teller's consent covers this viewer
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Arranged:
    """A chapter a custodian arranged by hand."""

    title: str
    text: str = ""
    steps: tuple[int, ...] = ()
    generation: int | None = None
    recording_id: int | None = None
    start_s: float | None = None
    end_s: float | None = None
    focus: str | None = None


@dataclass(frozen=True)
class Source:
    """Everything of a recipe an experience is built from."""

    name: str
    description: str
    origin: str
    story: str
    sections: tuple[tuple[str | None, tuple[str, ...]], ...]
    ingredients: tuple[Ingredient, ...]
    lineage: tuple[Generation, ...]
    voices: tuple[Voice, ...]
    arranged: tuple[Arranged, ...] = ()


@dataclass(frozen=True)
class Chapter:
    """One chapter of the story: where the scene looks, what is said, what plays."""

    title: str
    text: str
    focus: str  # "hearth", "table" or "lineage"
    steps: tuple[str, ...] = ()
    ingredients: tuple[int, ...] = ()  # indexes into the recipe's ingredients
    generation: int | None = None
    recording_id: int | None = None
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class Story:
    """The chapters, with what the default or the arrangement left out of them."""

    chapters: tuple[Chapter, ...]
    notes: tuple[str, ...] = field(default=())


def _words(text: str) -> set[str]:
    """The words of a text with their singulars ("chiles" also as "chile" and "chil")."""
    words = {w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) > 2}
    singular = {w[:-1] for w in words if w.endswith("s") and len(w) > 3}
    singular |= {w[:-2] for w in words if w.endswith("es") and len(w) > 4}
    return words | singular


def highlighted(step: str, ingredients: tuple[Ingredient, ...]) -> tuple[int, ...]:
    """Indexes of the ingredients a step mentions (a word of the food appears in the step)."""
    said = _words(step)
    found = []
    for index, item in enumerate(ingredients):
        food = _words(item.food or item.line)
        if food and food & said:
            found.append(index)
    return tuple(found)


def flat_steps(source: Source) -> list[str]:
    """The recipe's steps across its sections, in order (numbered from 1 by chapters)."""
    return [step for _name, steps in source.sections for step in steps]


def _step_chapter(title: str, steps: tuple[str, ...], source: Source) -> Chapter:
    lit = sorted({i for step in steps for i in highlighted(step, source.ingredients)})
    return Chapter(
        title=title, text=" ".join(steps), focus="table", steps=steps, ingredients=tuple(lit)
    )


def _lineage_text(lineage: tuple[Generation, ...]) -> str:
    parts = []
    for person in sorted(lineage, key=lambda p: p.generation):
        where = ", ".join(x for x in (person.relation, person.place, person.period) if x)
        parts.append(f"{person.name} ({where})" if where else person.name)
    return " → ".join(parts)


def default_story(source: Source, labels: dict[str, str]) -> Story:
    """The chapters a recipe tells by itself; `labels` holds the translated chapter titles."""
    chapters: list[Chapter] = []
    voice = next((v for v in source.voices if v.playable), None)
    opening = "\n".join(x for x in (source.description, source.origin, source.story) if x.strip())
    chapters.append(Chapter(title=source.name, text=opening, focus="hearth"))
    number = 0
    for name, steps in source.sections:
        if name:
            chapters.append(_step_chapter(name, steps, source))
            number += len(steps)
            continue
        for step in steps:
            number += 1
            chapters.append(_step_chapter(labels["step"].format(n=number), (step,), source))
    if source.lineage or voice:
        chapters.append(
            Chapter(
                title=labels["lineage"],
                text=_lineage_text(source.lineage),
                focus="lineage",
                recording_id=voice.id if voice else None,
                start_s=0.0 if voice else None,
            )
        )
    return Story(chapters=tuple(chapters))


FOCI = ("hearth", "table", "lineage")


def _inferred_focus(has_steps: bool, generation: int | None) -> str:
    return "table" if has_steps else ("lineage" if generation is not None else "hearth")


def arranged_story(source: Source) -> Story:
    """The custodian's chapters, with steps and recordings resolved (unknown ones dropped)."""
    steps = flat_steps(source)
    voices = {v.id: v for v in source.voices}
    chapters: list[Chapter] = []
    notes: list[str] = []
    for item in source.arranged:
        chosen = tuple(steps[n - 1] for n in item.steps if 1 <= n <= len(steps))
        voice = voices.get(item.recording_id) if item.recording_id is not None else None
        if item.recording_id is not None and (voice is None or not voice.playable):
            notes.append(item.title)  # its recording may not be played to this viewer
            voice = None
        lit = sorted({i for step in chosen for i in highlighted(step, source.ingredients)})
        focus = item.focus or _inferred_focus(bool(chosen), item.generation)
        chapters.append(
            Chapter(
                title=item.title,
                text=item.text or " ".join(chosen),
                focus=focus,
                steps=chosen,
                ingredients=tuple(lit),
                generation=item.generation,
                recording_id=voice.id if voice else None,
                start_s=(item.start_s or 0.0) if voice else None,
                end_s=item.end_s if voice else None,
            )
        )
    return Story(chapters=tuple(chapters), notes=tuple(notes))


def build(source: Source, labels: dict[str, str]) -> Story:
    """The experience's chapters: the custodian's arrangement if there is one, else the default."""
    return arranged_story(source) if source.arranged else default_story(source, labels)


def estimated_cues(transcript: str) -> tuple[Cue, ...]:
    """Cues for an untimed transcript: one per sentence, timed at an unhurried speaking pace."""
    parts = re.split(r"(?<=[.!?…])\s+", transcript.strip())
    sentences = [" ".join(s.split()) for s in parts if s.strip()]
    cues: list[Cue] = []
    at = 0.0
    for sentence in sentences[:MAX_CUES]:
        length = max(1.5, len(sentence.split()) / WORDS_PER_SECOND)
        cues.append(Cue(round(at, 3), round(at + length, 3), sentence))
        at += length
    return tuple(cues)


def check_cues(cues: list[tuple[float, float, str]]) -> tuple[Cue, ...]:
    """Timed segments as cues, or ValueError naming the first problem (order, overlap, length)."""
    if len(cues) > MAX_CUES:
        raise ValueError(f"at most {MAX_CUES} segments")
    out: list[Cue] = []
    last_end = 0.0
    for index, (start, end, text) in enumerate(cues, start=1):
        if not (0 <= start < end <= MAX_SECONDS):
            raise ValueError(f"segment {index} must start before it ends, within three hours")
        if start < last_end:
            raise ValueError(f"segment {index} starts before segment {index - 1} ends")
        if not text.strip():
            raise ValueError(f"segment {index} has no text")
        out.append(Cue(float(start), float(end), " ".join(text.split())))
        last_end = end
    return tuple(out)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    # WebVTT cue payloads may not hold "-->" and treat & and < as markup
    one_line = " ".join(text.split()).replace("-->", "→")
    return one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: tuple[Cue, ...], speaker: str = "") -> str:
    """A WebVTT file of the cues (speaker in a voice span when known)."""
    lines = ["WEBVTT", ""]
    who = " ".join(re.sub(r"[<>&]", "", speaker).split())
    for number, cue in enumerate(cues, start=1):
        lines.append(str(number))
        lines.append(f"{_timestamp(cue.start_s)} --> {_timestamp(cue.end_s)}")
        text = _cue_text(cue.text)
        lines.append(f"<v {who}>{text}" if who else text)
        lines.append("")
    return "\n".join(lines)


_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d{1,3})?)$|^(\d+(?:\.\d{1,3})?)$")


def _clock(text: str, number: int) -> float:
    found = _CLOCK.match(text.strip())
    if found is None:
        raise ValueError(f"line {number}: {text.strip()!r} is not a time like 1:05.5")
    hours, minutes, seconds, plain = found.groups()
    if plain is not None:
        return float(plain)
    if float(seconds) >= 60:
        raise ValueError(f"line {number}: seconds must be below 60")
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def clock_text(seconds: float) -> str:
    """1:05.5 for 65.5 seconds (what the timing form shows)."""
    minutes, rest = divmod(round(seconds * 1000), 60_000)
    text = f"{minutes}:{rest // 1000:02d}"
    return text + (f".{rest % 1000:03d}".rstrip("0") if rest % 1000 else "")


def parse_cue_lines(text: str) -> list[tuple[float, float, str]]:
    """Segments from lines like `0:04.5 --> 0:10 My grandmother Carmen...` (blank lines skipped)."""
    cues = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "-->" not in line:
            raise ValueError(f"line {number} needs a start, -->, an end and the words")
        start, rest = line.split("-->", 1)
        end, _, words = rest.strip().partition(" ")
        cues.append((_clock(start, number), _clock(end, number), words.strip()))
    return cues


def cue_lines(cues: tuple[Cue, ...]) -> str:
    """The cues as the timing form's lines (the inverse of `parse_cue_lines`)."""
    return "\n".join(f"{clock_text(c.start_s)} --> {clock_text(c.end_s)} {c.text}" for c in cues)


def arrangement_text(chapters: tuple[Chapter, ...], source: Source) -> str:
    """Chapters as the arranging form's text (read back by `parse_arrangement`)."""
    numbers = {step: n for n, step in reversed(list(enumerate(flat_steps(source), start=1)))}
    blocks = []
    for chapter in chapters:
        lines = [f"== {chapter.title}"]
        if chapter.text and chapter.text != " ".join(chapter.steps):
            lines.append(chapter.text)
        if chapter.steps:
            lines.append("steps: " + ", ".join(str(numbers[s]) for s in chapter.steps))
        if chapter.generation is not None:
            lines.append(f"generation: {chapter.generation}")
        if chapter.focus != _inferred_focus(bool(chapter.steps), chapter.generation):
            lines.append(f"place: {chapter.focus}")
        if chapter.recording_id is not None:
            end = clock_text(chapter.end_s) if chapter.end_s is not None else ""
            lines.append(
                f"voice: {chapter.recording_id} {clock_text(chapter.start_s or 0)} --> {end}"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _numbers(text: str, number: int) -> tuple[int, ...]:
    found = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() and len(part) < 6 for part in found):
        raise ValueError(f"line {number}: steps are numbers separated by commas")
    return tuple(int(part) for part in found)


def _chapter_line(current: dict[str, object], raw: str, number: int) -> None:
    """One line inside a chapter: a setting (`steps:`, `generation:`, `place:`, `voice:`)
    or a line of its story."""
    key, _, value = raw.strip().partition(":")
    key = key.strip().lower()
    if key == "steps":
        current["steps"] = _numbers(value, number)
    elif key == "generation":
        if not value.strip().isdigit() or len(value.strip()) > 2:
            raise ValueError(f"line {number}: a generation is a number")
        current["generation"] = int(value)
    elif key == "place":
        if value.strip() not in FOCI:
            raise ValueError(f"line {number}: a place is hearth, table or lineage")
        current["focus"] = value.strip()
    elif key == "voice":
        recording, _, span = value.strip().partition(" ")
        if not recording.isdigit() or len(recording) > 10 or "-->" not in span:
            raise ValueError(f"line {number}: write voice: <recording> <start> --> <end>")
        start, end = (part.strip() for part in span.split("-->", 1))
        current["recording_id"] = int(recording)
        current["start_s"] = _clock(start, number) if start else 0.0
        current["end_s"] = _clock(end, number) if end else None
    else:
        text_lines = current["text"]
        assert isinstance(text_lines, list)
        text_lines.append(raw.rstrip())


def parse_arrangement(text: str) -> tuple[Arranged, ...]:
    """Chapters from the arranging form: `== Title`, story lines, `steps:`, `generation:`,
    `voice: <recording> <start> --> <end>`; ValueError names the first bad line."""
    chapters: list[dict[str, object]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("=="):
            chapters.append({"title": line[2:].strip(), "text": []})
            if not chapters[-1]["title"]:
                raise ValueError(f"line {number}: a chapter needs a title after ==")
            continue
        if not line:
            continue
        if not chapters:
            raise ValueError(f"line {number}: start the first chapter with == and its title")
        _chapter_line(chapters[-1], raw, number)
    return tuple(
        Arranged(
            title=str(c["title"]),
            text="\n".join(c["text"]).strip(),  # type: ignore[arg-type]
            steps=c.get("steps", ()),  # type: ignore[arg-type]
            generation=c.get("generation"),  # type: ignore[arg-type]
            recording_id=c.get("recording_id"),  # type: ignore[arg-type]
            start_s=c.get("start_s"),  # type: ignore[arg-type]
            end_s=c.get("end_s"),  # type: ignore[arg-type]
            focus=c.get("focus"),  # type: ignore[arg-type]
        )
        for c in chapters
    )
