"""The story engine: default and arranged chapters, highlighted ingredients, WebVTT."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.experiences import story

LABELS = {"step": "Step {n}", "lineage": "The generations"}


def _source(**more: object) -> story.Source:
    fields: dict[str, object] = {
        "name": "Pozole",
        "description": "Hominy stew.",
        "origin": "Chilapa, Guerrero",
        "story": "Carmen cooked it for the street.",
        "sections": (
            ("El caldo", ("Cover the pork with water.", "Simmer until tender.")),
            (None, ("Add the hominy and the chile.",)),
        ),
        "ingredients": (
            story.Ingredient("1 kg pork shoulder", "pork shoulder"),
            story.Ingredient("1 kg hominy", "hominy"),
            story.Ingredient("6 chiles guajillo", "chiles guajillo"),
        ),
        "lineage": (
            story.Generation("Rosa", 2, "grandmother"),
            story.Generation("Carmen", 1, "great-grandmother", "Chilapa", "1920s"),
        ),
        "voices": (
            story.Voice(1, "Silent", "Ana", "No audio.", playable=False),
            story.Voice(2, "Told", "Rosa", "Listen.", playable=True),
        ),
    }
    fields.update(more)
    return story.Source(**fields)  # type: ignore[arg-type]


def test_default_story_follows_the_recipe() -> None:
    chapters = story.build(_source(), LABELS).chapters
    assert [c.title for c in chapters] == ["Pozole", "El caldo", "Step 3", "The generations"]
    assert [c.focus for c in chapters] == ["hearth", "table", "table", "lineage"]
    assert chapters[0].text == "Hominy stew.\nChilapa, Guerrero\nCarmen cooked it for the street."
    assert chapters[1].ingredients == (0,)  # pork
    assert chapters[2].ingredients == (1, 2)  # hominy, chile(s)
    assert chapters[3].text.startswith("Carmen (great-grandmother, Chilapa, 1920s) → Rosa")
    assert chapters[3].recording_id == 2  # the first recording that may be played


def test_arranged_story_drops_what_may_not_play() -> None:
    arranged = (
        story.Arranged("All the steps", steps=(1, 2, 3, 99)),
        story.Arranged("Ana", generation=1, recording_id=1, start_s=0, end_s=3),
        story.Arranged("Rosa", generation=2, recording_id=2, start_s=3, end_s=9),
    )
    result = story.build(_source(arranged=arranged), LABELS)
    first, ana, rosa = result.chapters
    assert len(first.steps) == 3 and first.focus == "table"
    assert (ana.recording_id, ana.focus) == (None, "lineage")
    assert (rosa.recording_id, rosa.start_s, rosa.end_s) == (2, 3, 9)
    assert result.notes == ("Ana",)


def test_webvtt_escapes_and_times() -> None:
    cues = (story.Cue(0, 1.5, "Salt & <chile> --> pot"), story.Cue(3661.25, 3662, "Late"))
    text = story.webvtt(cues, "Rosa <R>")
    assert text.splitlines()[:4] == [
        "WEBVTT",
        "",
        "1",
        "00:00:00.000 --> 00:00:01.500",
    ]
    assert "<v Rosa R>Salt &amp; &lt;chile&gt; → pot" in text
    assert "01:01:01.250 --> 01:01:02.000" in text


@pytest.mark.parametrize(
    ("cues", "problem"),
    [
        ([(2, 1, "x")], "segment 1 must start before it ends"),
        ([(0, 2, "a"), (1, 3, "b")], "segment 2 starts before segment 1 ends"),
        ([(0, 1, "  ")], "segment 1 has no text"),
    ],
)
def test_bad_timing_is_named(cues: list[tuple[float, float, str]], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        story.check_cues(cues)


@given(st.text(alphabet=st.sampled_from("abc. !?\n"), max_size=300))
def test_estimated_cues_follow_one_another(transcript: str) -> None:
    cues = story.estimated_cues(transcript)
    assert story.check_cues([(c.start_s, c.end_s, c.text) for c in cues]) == cues
    assert " ".join(c.text for c in cues).split() == transcript.split()


def test_timing_lines_round_trip() -> None:
    text = "0:00 --> 0:04.5 This pozole has fed us.\n\n1:02:03.25 --> 1:02:05 Late words"
    cues = story.parse_cue_lines(text)
    assert cues == [(0.0, 4.5, "This pozole has fed us."), (3723.25, 3725.0, "Late words")]
    checked = story.check_cues(cues)
    assert story.parse_cue_lines(story.cue_lines(checked)) == cues
    assert story.clock_text(65.5) == "1:05.5"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0:00 0:04 no arrow", "line 1 needs a start"),
        ("0:00 --> soon words", "line 1: 'soon' is not a time"),
        ("ok\n0:61 --> 0:62 x", "line 1 needs"),
        ("0:00 --> 0:75 x", "line 1: seconds must be below 60"),
    ],
)
def test_timing_lines_name_the_bad_line(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        story.parse_cue_lines(text)


def test_the_arrangement_text_reads_back_as_the_same_chapters() -> None:
    source = _source()
    default = story.build(source, LABELS).chapters
    text = story.arrangement_text(default, source)
    assert text.startswith("== Pozole\nHominy stew.")
    assert "steps: 1, 2" in text and "voice: 2 0:00 --> " in text
    again = story.arranged_story(
        story.Source(**{**vars(source), "arranged": story.parse_arrangement(text)})
    )
    assert [(c.title, c.steps, c.focus, c.recording_id) for c in again.chapters] == [
        (c.title, c.steps, c.focus, c.recording_id) for c in default
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Some words first", "line 1: start the first chapter"),
        ("== One\nsteps: 1, two", "line 2: steps are numbers"),
        ("==\n", "line 1: a chapter needs a title"),
        ("== One\nvoice: 3 0:01", "line 2: write voice:"),
        ("== One\ngeneration: first", "line 2: a generation is a number"),
    ],
)
def test_a_bad_arrangement_names_its_line(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        story.parse_arrangement(text)
