"""`commonpot ledger verify` on a real database: ok, then exit 1 naming the altered entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from commonpot.cli import main
from commonpot.db import Database
from commonpot.governance.models import LedgerEntry
from commonpot.settings import Settings, get_settings
from tests.factories.accounts import make_world
from tests.factories.governance import make_proposal, vote


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_verify_passes_then_names_the_first_bad_entry(
    db: Database, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", cli_env, rules={"open_results": True})
    for user in (w.steward, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, cli_env)
    code, out, _ = _run(["ledger", "verify", "publicville"], capsys)
    assert code == 0
    assert out.startswith("ok: 7 entries")  # 3 joined, constitution, opened, 2 votes
    with db.unit_of_work() as s:
        data = s.scalar(select(LedgerEntry.data).where(LedgerEntry.seq == 5))
        assert data is not None
        s.execute(
            update(LedgerEntry)
            .where(LedgerEntry.seq == 5)
            .values(data=data.replace('"yes"', '"no"'))
        )
    code, _, err = _run(["ledger", "verify", "publicville"], capsys)
    assert code == 1
    assert "first bad entry: 5" in err
    code, _, err = _run(["ledger", "verify", "nowhere"], capsys)
    assert code == 2
