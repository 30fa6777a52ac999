"""Foundation plumbing without a database: passwords, tokens, settings, locale, problems, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot import cli
from commonpot.accounts import security
from commonpot.http import problem
from commonpot.settings import Settings


def test_password_hash_verifies_only_the_right_password() -> None:
    hashed = security.hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "a long passphrase")
    assert not security.verify_password(hashed, "a long passphrasE")
    assert not security.verify_password(None, "a long passphrase")
    assert not security.verify_password("not a hash", "x")


@settings(max_examples=50)
@given(st.text(min_size=1, max_size=60))
def test_token_hash_is_stable_and_hides_the_token(token: str) -> None:
    digest = security.token_hash(token)
    assert digest == security.token_hash(token)
    assert len(digest) == 64 and digest != token
    assert all(c in "0123456789abcdef" for c in digest)


def test_new_tokens_are_unique_and_prefixed() -> None:
    tokens = {security.new_token("cp_") for _ in range(200)}
    assert len(tokens) == 200
    assert all(t.startswith("cp_") and len(t) > 40 for t in tokens)


def test_secret_key_is_created_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    second = Settings(data_dir=tmp_path).resolved_secret_key()
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path, secret_key="given").resolved_secret_key() == "given"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("COMMONPOT_PORT", "9001")
    loaded = Settings()
    assert loaded.database_url == "postgresql+psycopg://u@h/db" and loaded.port == 9001
    assert not loaded.is_sqlite


def test_problem_document_shape() -> None:
    response = problem(422, "Invalid input", "lat: too big", type_slug="invalid", field="lat")
    body = json.loads(bytes(response.body))
    assert response.media_type == "application/problem+json"
    assert body == {
        "type": "/problems/invalid",
        "title": "Invalid input",
        "status": 422,
        "detail": "lat: too big",
        "field": "lat",
    }


def test_cli_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    from commonpot.settings import get_settings

    get_settings.cache_clear()
    try:
        cli.main(["db", "upgrade"])
        assert "up to date" in capsys.readouterr().out
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["invite", "riverside", "--role", "queen"])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "role" in err[0]
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["invite", "nowhere"])
        assert exit_info.value.code == 2
        assert "nowhere" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_cli_commands_open_a_wired_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`commonpot demo load` needs governance actions and the membership ledger hook."""
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(tmp_path / "var"))
    from commonpot.settings import get_settings

    get_settings.cache_clear()
    try:
        cli.main(["db", "upgrade"])
        cli.main(["demo", "load"])
        assert "riverside" in capsys.readouterr().out
        cli.main(["ledger", "verify", "riverside"])
        assert capsys.readouterr().out.startswith("ok")
    finally:
        get_settings.cache_clear()
