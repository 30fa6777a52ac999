"""`commonpot ledger verify` has a lean path (DB-API cursor, no ORM): it answers as the full one.

Each ledger, sound or tampered with, is verified by the lean path
(`governance.verify_command.run`) and by the full Typer command (`cli_app.run`), on SQLite
and PostgreSQL; both must print the same and exit with the same code. What only the full
command can do (seal new entries first, explain an unknown community) is left to it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.cli_app import run as typer_run
from commonpot.db import Database
from commonpot.errors import Worded
from commonpot.governance import ledger, ledgerscan, recount, service, verify_command
from commonpot.governance.models import Checkpoint, LedgerEntry, Proposal
from commonpot.governance.signing import sign_vote, vote_message
from commonpot.settings import Settings, get_settings
from tests.factories.accounts import make_world
from tests.factories.governance import fetch_community, make_proposal, vote

SLUG = "publicville"


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def _lean(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | None, str, str]:
    code = verify_command.run([SLUG, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _full(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | None, str, str]:
    code = 0
    try:
        typer_run(["ledger", "verify", SLUG, *args], ("governance",))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _agree(capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str, str]:
    lean = _lean(capsys, "--no-progress")
    assert lean[0] is not None, "the lean path should have answered"
    assert lean == _full(capsys, "--no-progress")
    return lean


@pytest.fixture
def sealed(db: Database, cli_env: Settings) -> int:
    """A community with votes (one signed by the member's own key), its ledger sealed."""
    w = make_world(db)
    key = Ed25519PrivateKey.generate()
    with db.unit_of_work() as s:
        member = s.get_one(User, w.member.id)
        member.public_key = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    number = make_proposal(db, w.steward, SLUG, cli_env, rules={"open_results": True})
    vote(db, w.steward, SLUG, number, {"choice": "yes"}, cli_env)
    with db.unit_of_work() as s:
        action_hash = str(s.scalar(select(Proposal.action_hash).where(Proposal.number == number)))
        ballot = {"choice": "no"}
        service.cast_vote(
            s,
            fetch_community(s, SLUG),
            Viewer(user=s.get_one(User, w.member.id)),
            number,
            ballot,
            cli_env,
            signature=sign_vote(key, vote_message(SLUG, number, action_hash, ballot)),
        )
    with db.unit_of_work() as s:
        community = fetch_community(s, SLUG)
        ledger.seal(s, community, cli_env)
        return community.id


def _change(db: Database, statement: Callable[[Session], object]) -> None:
    with db.unit_of_work() as s:
        statement(s)


def test_a_sound_ledger_is_verified_alike(
    db: Database,
    sealed: int,
    cli_env: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scans: list[tuple[bytes, bytes] | None] = []
    scan_sqlite = ledgerscan.scan_sqlite

    def spy(*args: Any, **kwargs: Any) -> tuple[bytes, bytes] | None:
        scans.append(scan_sqlite(*args, **kwargs))
        return scans[-1]

    monkeypatch.setattr(ledgerscan, "scan_sqlite", spy)
    code, out, err = _agree(capsys)
    assert code == 0
    assert out.startswith("ok: ")
    assert "1 member signatures checked" in out
    assert err == ""
    if cli_env.database_url.startswith("sqlite"):
        # on SQLite the compiled scanner read the ledger itself, and flagged for Python the
        # signed vote (its signature) and for the recount the entries a recount reads
        [(leaves, verdicts)] = scans
        rows = _rows(db, sealed)
        assert leaves == b"".join(bytes.fromhex(stored) for _, _, stored in rows)
        assert [seq for seq, v in enumerate(verdicts) if v & ledgerscan.RECOUNT] == [
            seq for seq, _ in recount.relevant(rows)
        ]
        assert any(v & ledgerscan.RECOUNT for v in verdicts)  # proposal.opened at least
        checked = [seq for seq, v in enumerate(verdicts) if v & ledgerscan.CHECK]
        assert len(checked) == 1  # unsigned votes ("signature": null) are proved in C
        assert checked == [seq for seq, data, _ in rows if json.loads(data).get("signature")]
    else:
        assert scans == []  # PostgreSQL: read in Python, scanned a chunk at a time


def _rows(db: Database, community_id: int) -> list[tuple[int, str, str | None]]:
    with db.unit_of_work(write=False) as s:
        return [
            (row[0], row[1], row[2])
            for row in s.execute(
                select(LedgerEntry.seq, LedgerEntry.data, LedgerEntry.leaf_hash)
                .where(LedgerEntry.community_id == community_id)
                .order_by(LedgerEntry.seq)
            )
        ]


def _entry(db: Database, community_id: int, seq: int) -> tuple[str, str]:
    with db.unit_of_work(write=False) as s:
        row = s.execute(
            select(LedgerEntry.data, LedgerEntry.leaf_hash).where(
                LedgerEntry.community_id == community_id, LedgerEntry.seq == seq
            )
        ).one()
        return row[0], row[1]


def _set_entry(db: Database, community_id: int, seq: int, **values: object) -> None:
    _change(
        db,
        lambda s: s.execute(
            update(LedgerEntry)
            .where(LedgerEntry.community_id == community_id, LedgerEntry.seq == seq)
            .values(**values)
        ),
    )


def _last_seq(db: Database, community_id: int) -> int:
    with db.unit_of_work(write=False) as s:
        community = s.get_one(type(fetch_community(s, SLUG)), community_id)
        return ledger.size(s, community) - 1


@pytest.mark.parametrize(
    "tamper",
    [
        "vote changed",
        "vote changed with its hash",
        "leaf hash",
        "not canonical",
        "spaces",
        "another position",
        "another community",
        "signature",
    ],
)
@pytest.mark.parametrize("scanner", [True, False])
def test_tampering_is_named_alike(
    db: Database,
    sealed: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tamper: str,
    scanner: bool,
) -> None:
    if not scanner:
        monkeypatch.setattr(ledgerscan, "available", lambda: False)
    last = _last_seq(db, sealed)
    data, digest = _entry(db, sealed, last)  # the signed vote
    named = last
    if tamper == "vote changed":
        _set_entry(db, sealed, last, data=data.replace('"no"', '"yes"'))
    elif tamper == "vote changed with its hash":
        changed = data.replace('"no"', '"yes"')
        _set_entry(
            db, sealed, last, data=changed, leaf_hash=ledger.leaf_hash(changed.encode()).hex()
        )
    elif tamper == "leaf hash":
        _set_entry(db, sealed, 2, leaf_hash=("0" if digest[0] != "0" else "1") + digest[1:])
        named = 2
    elif tamper == "not canonical":
        _set_entry(db, sealed, 1, data=_entry(db, sealed, 1)[0].replace(":", ": ", 1))
        named = 1
    elif tamper == "spaces":
        _set_entry(db, sealed, 0, data=" " + _entry(db, sealed, 0)[0])
        named = 0
    elif tamper == "another position":
        _set_entry(db, sealed, 1, data=_entry(db, sealed, 1)[0].replace('"seq":1', '"seq":7'))
        named = 1
    elif tamper == "another community":
        _set_entry(db, sealed, 1, data=_entry(db, sealed, 1)[0].replace(SLUG, "otherville"))
        named = 1
    elif tamper == "signature":
        start = data.index('"signature":"') + len('"signature":"')
        flipped = "A" if data[start] != "A" else "B"
        _set_entry(db, sealed, last, data=data[:start] + flipped + data[start + 1 :])
    code, out, err = _agree(capsys)
    assert code == 1
    assert out == ""
    if tamper == "vote changed with its hash":  # consistent but not what was signed
        assert "checkpoint root does not match" in err or f"first bad entry: {named}" in err
    else:
        assert f"first bad entry: {named}" in err


def test_a_tampered_checkpoint_is_caught_alike(
    db: Database, sealed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    def forge(s: Session) -> None:
        last = s.scalars(
            select(Checkpoint)
            .where(Checkpoint.community_id == sealed)
            .order_by(Checkpoint.size.desc())
        ).first()
        assert last is not None
        last.root = "0" * 64
        last.note = last.note.replace("\n\n", "\n\n\u2014 forged AAAA\n", 1)

    _change(db, forge)
    code, _, err = _agree(capsys)
    assert code == 1
    assert "checkpoint" in err


def test_what_only_the_full_command_does_is_left_to_it(
    db: Database, sealed: int, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.unit_of_work() as s:
        ledger.append(s, fetch_community(s, SLUG), "test.note", {"note": "after the seal"})
    assert verify_command.run([SLUG]) is None  # the full command signs a checkpoint first
    code, out, _ = _full(capsys)
    assert code == 0
    assert _agree(capsys)[1] == out  # sealed now: the lean path answers, alike
    assert verify_command.run(["nowhere"]) is None  # the full command's own error
    assert verify_command.run([SLUG, "--remote", "http://example.org"]) is None
    assert verify_command.run([]) is None


def test_the_lean_path_loads_no_orm_nor_typer(db: Database, sealed: int, cli_env: Settings) -> None:
    """Nor Babel, in English or in Spanish (the catalog is read by the standard library)."""
    probe = (
        "import sys\n"
        "from commonpot.cli import main\n"
        f"main(['ledger', 'verify', {SLUG!r}])\n"
        "print(sorted(m for m in ('sqlalchemy', 'typer', 'pydantic', 'babel', "
        "'commonpot.cli_app', 'commonpot.i18n') if m in sys.modules))\n"
    )
    for lang, first in (("C.UTF-8", "entries"), ("es_ES.UTF-8", "entradas")):
        env = {**os.environ, "LANG": lang, "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
        )
        lines = done.stdout.strip().splitlines()
        assert lines[0].startswith("ok: ") and lines[0].split()[2] == first + ","
        assert lines[-1] == "[]"


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)


def test_both_paths_speak_the_command_lines_language(
    db: Database, sealed: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """LANG=es_ES.UTF-8: the success line and every problem in Spanish, numbers as Spanish
    writes them; English by default (C, or nothing set)."""
    from commonpot.i18n import Reader

    es = Reader("es")
    ok = (
        "ok: %(size)s entries, checkpoint verified, %(signatures)s member signatures "
        "checked, %(boxes)s sealed ballot boxes recounted"
    )
    _locale(monkeypatch, "es_ES.UTF-8")
    code, out, err = _agree(capsys)
    size = _last_seq(db, sealed) + 1
    assert (code, err) == (0, "")
    assert es.gettext(ok) != ok
    assert out == es.gettext(ok) % {"size": size, "signatures": 1, "boxes": 0} + "\n"
    _locale(monkeypatch, "C.UTF-8")
    english = f"ok: {size} entries, checkpoint verified, 1 member signatures checked, "
    assert _agree(capsys)[1] == english + "0 sealed ballot boxes recounted\n"
    _set_entry(db, sealed, 1, data=_entry(db, sealed, 1)[0].replace(":", ": ", 1))
    code, _, english = _agree(capsys)
    assert code == 1
    assert english.splitlines()[:2] == [
        "first bad entry: 1",
        "entry 1: data does not match its leaf hash",
    ]
    _locale(monkeypatch, "es_ES.UTF-8")
    code, out, spanish = _agree(capsys)
    assert (code, out) == (1, "")
    first = es.gettext("first bad entry: %(seq)s") % {"seq": 1}
    problem = es.gettext("entry %(seq)s: data does not match its leaf hash") % {"seq": 1}
    assert first != "first bad entry: 1" and not problem.startswith("entry 1:")
    assert spanish.splitlines()[:2] == [first, problem]


def test_spanish_counts_are_written_as_spanish_writes_them() -> None:
    from commonpot.cli_language import LeanWords
    from commonpot.governance.verification import Report, printed

    report = Report(size=1234567, checked_signatures=2500)
    out, err = printed(report, 12, LeanWords("es_ES"))
    assert err == [] and "1.234.567" in out[0] and "2.500" in out[0]
    assert "1,234,567" in printed(report, 12, LeanWords("en"))[0][0]
    report.bad(1500, Worded("entry %(seq)s: not canonical JSON", {"seq": "1500"}))
    report.bad(None, Worded("checkpoint covers %(size)s entries, only %(found)s exist",
                            {"size": 2000, "found": 1500}))  # fmt: skip
    _, err = printed(report, 0, LeanWords("es"))
    assert err[0].endswith(": 1500")  # an entry's position is a name, not a quantity
    assert "2.000" in err[2] and "1.500" in err[2]
