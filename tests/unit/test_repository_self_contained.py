"""The repository stands on its own: no tracked file reads or links a path outside it.

A fresh clone has nothing beside it, so a test, script, Makefile rule or document that
points at `../something` beyond the repository's root works only on the machine where it
was written. `.ci/run` also runs the suite from a clone in an otherwise empty folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Files whose content is data, not instructions (ballots, hashes, licences).
SKIP_PREFIXES = ("tests/data/",)
SKIP_NAMES = {"requirements.lock", "package-lock.json"}
# This file names outside paths on purpose, as the examples the guard must catch.
SELF = str(Path(__file__).resolve().relative_to(ROOT))

RELATIVE = re.compile(r"(?<![\w.])((?:\.\./)+)([\w.-]+)")
PARENTS = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent)+)")


def outside_references(relpath: str, text: str, root: Path = ROOT) -> list[str]:
    """Each reference in `text` (the file at `relpath`) that resolves outside `root`."""
    here = (root / relpath).parent
    found: list[str] = []
    for match in RELATIVE.finditer(text):
        ups = match.group(1).count("../")
        # A relative path may be meant from the file's folder or from the repository root
        # (commands run there); it is outside only if it escapes from both.
        from_file = (here / ("../" * ups)).resolve()
        from_root = (root / ("../" * ups)).resolve()
        if not _inside(from_file, root) and not _inside(from_root, root):
            found.append(match.group(0))
    for match in PARENTS.finditer(text):
        target = (root / relpath).resolve().parents[int(match.group(1))]
        if not _inside(target, root):
            found.append(match.group(0))
    for match in PARENT_CHAIN.finditer(text):
        target = (root / relpath).resolve()
        for _ in range(match.group(1).count(".parent")):
            target = target.parent
        if not _inside(target, root):
            found.append(match.group(0))
    return found


def _inside(path: Path, root: Path) -> bool:
    return path == root.resolve() or root.resolve() in path.parents


def _tracked_text_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    names = [n for n in out.split("\0") if n]
    return [
        n
        for n in names
        if not n.startswith(SKIP_PREFIXES)
        and Path(n).name not in SKIP_NAMES
        and n != SELF
        and (ROOT / n).is_file()
    ]


def test_no_tracked_file_points_outside_the_repository() -> None:
    files = _tracked_text_files()
    if not files:
        pytest.skip("not a git checkout")
    problems: dict[str, list[str]] = {}
    for name in files:
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files (photos, fonts) hold no paths
        found = outside_references(name, text)
        if found:
            problems[name] = found
    assert problems == {}


@pytest.mark.parametrize(
    ("relpath", "text"),
    [
        ("tests/factories/x.py", 'DATA = Path(__file__).resolve().parents[3] / "outside"'),
        ("tests/factories/x.py", "DATA = Path(__file__).parent.parent.parent.parent"),
        ("README.md", "See `../elsewhere/DESIGN.md` for the design."),
        ("Makefile", "data:\n\tcp ../elsewhere/data/x.toi tests/"),
        ("docs/DEVELOPING.md", "Read ../../elsewhere/notes.md"),
    ],
)
def test_guard_catches_a_reintroduced_outside_path(relpath: str, text: str) -> None:
    assert outside_references(relpath, text) != []


@pytest.mark.parametrize(
    ("relpath", "text"),
    [
        ("tests/factories/x.py", 'DATA = Path(__file__).resolve().parents[1] / "data"'),
        ("docs/DEVELOPING.md", "See [the README](../README.md)."),
        ("src/commonpot/app.py", "HERE = Path(__file__).parent"),
        ("tests/unit/x.py", "ROOT = Path(__file__).resolve().parents[2]"),
    ],
)
def test_guard_accepts_paths_inside_the_repository(relpath: str, text: str) -> None:
    assert outside_references(relpath, text) == []


def test_the_test_data_is_in_the_repository() -> None:
    from tests.factories.governance import BURLINGTON, MERKLE_TESTDATA

    assert _inside(BURLINGTON, ROOT)
    assert BURLINGTON.is_file()
    assert _inside(MERKLE_TESTDATA, ROOT)
    assert len(list(MERKLE_TESTDATA.rglob("*.json"))) > 50
    assert (MERKLE_TESTDATA / "LICENSE").is_file()
