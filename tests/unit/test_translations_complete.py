"""Every user-facing string has a Spanish translation, with the same placeholders.

The strings are extracted here with babel from src/commonpot exactly as `make extract` does
(babel.cfg, the Makefile's keywords), so a new `_()` in a template or Python file, or a new
flash message, fails this test until messages.po carries its Spanish.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/commonpot/locale/es/LC_MESSAGES/messages.po"


def _keywords() -> list[str]:
    line = next(
        row
        for row in (ROOT / "Makefile").read_text().splitlines()
        if row.startswith("BABEL_KEYWORDS")
    )
    return line.split(":=", 1)[1].split()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            *_keywords(),
            "-o",
            str(pot),
            str(ROOT / "src/commonpot"),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sdif]|\{\w*\}", text))


def test_extraction_finds_the_interface(extracted: list[object]) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted}  # type: ignore[attr-defined]
    # templates, Python `_()` strings, menu labels and flash messages are all extracted
    assert {"Skip to content", "Food sharing", "steward", "Recipe saved."} <= ids
    assert len(ids) > 1000


def test_every_string_has_spanish(extracted: list[object]) -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in extracted:
        entry = catalog.get(message.id)  # type: ignore[attr-defined]
        strings = entry.string if entry is not None else None
        ok = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not ok:
            missing.append(message.id)  # type: ignore[attr-defined]
    assert not missing, f"{len(missing)} strings have no Spanish, e.g. {missing[:10]}"


def test_translations_keep_placeholders() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    wrong = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            if (
                text
                and _placeholders(text) != _placeholders(ids[-1])
                and (_placeholders(text) != _placeholders(ids[0]))
            ):
                wrong.append((entry.id, text))
    assert not wrong, wrong[:5]
