"""`SharedAnswers` on its own: who may share, what is kept, for how long, and how much."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request
from starlette.responses import Response

from commonpot.http import SESSION_COOKIE
from commonpot.shared_answers import SharedAnswers


def request(
    path: str = "/api/communities/riverside/recipes/1",
    *,
    method: str = "GET",
    query: str = "",
    headers: dict[str, str] | None = None,
) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"commonpot.example"), *raw],
        "scheme": "https",
        "server": ("commonpot.example", 443),
    }
    return Request(scope)


def answer(body: bytes = b'{"name": "Pozole"}', status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


@pytest.mark.parametrize(
    ("shown", "shared"),
    [
        ({}, True),
        ({"method": "HEAD"}, False),
        ({"method": "POST"}, False),
        ({"query": "servings=8"}, False),
        ({"headers": {"Authorization": "Bearer abc"}}, False),
        ({"headers": {"Signature": 'keyId="https://far.example/actor#key"'}}, False),
        ({"headers": {"Cookie": f"{SESSION_COOKIE}=abc"}}, False),
        ({"headers": {"Cookie": "commonpot_lang=es"}}, True),  # a language is nobody
    ],
)
def test_who_may_share(shown: dict[str, object], shared: bool) -> None:
    assert SharedAnswers.may_share(request(**shown)) is shared  # type: ignore[arg-type]


def test_the_key_is_the_path_the_locale_and_the_day() -> None:
    one = SharedAnswers.key(request(), "es")
    assert one[:2] == ("/api/communities/riverside/recipes/1", "es")
    assert SharedAnswers.key(request(), "en") != one
    assert SharedAnswers.key(request("/api/communities/riverside/recipes/2"), "es") != one
    assert len(one[2]) == 10  # YYYY-MM-DD


def test_an_answer_is_given_again_only_at_the_same_snapshot() -> None:
    answers = SharedAnswers()
    key = SharedAnswers.key(request(), "en")
    answers.keep(key, "10:12:10", answer())
    again = answers.lookup(key, "10:12:10")
    assert again is not None
    assert again.body == b'{"name": "Pozole"}'
    assert again.headers["content-type"] == "application/json"
    assert answers.lookup(key, "10:13:") is None  # a transaction ended: stale, and dropped
    assert answers.lookup(key, "10:12:10") is None
    assert (answers.hits, answers.misses, answers.bytes) == (1, 2, 0)


def test_nothing_is_kept_without_a_snapshot_or_a_whole_ok_answer() -> None:
    answers = SharedAnswers(max_body=100)
    key = SharedAnswers.key(request(), "en")
    answers.keep(key, None, answer())  # an in-memory SQLite database
    answers.keep(key, "1:1:", answer(status=404))
    answers.keep(key, "1:1:", answer(b"x" * 101))
    assert answers.kept == 0
    assert answers.lookup(key, None) is None
    assert answers.lookup(key, "1:1:") is None


def test_old_answers_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = SharedAnswers(max_age_s=60)
    key = SharedAnswers.key(request(), "en")
    now = [1000.0]
    monkeypatch.setattr("commonpot.shared_answers.time.monotonic", lambda: now[0])
    answers.keep(key, "1:1:", answer())
    now[0] += 59
    assert answers.lookup(key, "1:1:") is not None
    now[0] += 2
    assert answers.lookup(key, "1:1:") is None


def test_an_answer_is_not_given_past_the_moment_it_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`until` (a proposal's opening, say) ends a kept answer before `max_age_s` does."""
    answers = SharedAnswers(max_age_s=60)
    key = SharedAnswers.key(request(), "en")
    now = [1000.0]
    monkeypatch.setattr("commonpot.shared_answers.time.monotonic", lambda: now[0])
    answers.keep(key, "1:1:", answer(), until=datetime.now(UTC) + timedelta(seconds=10))
    now[0] += 9
    assert answers.lookup(key, "1:1:") is not None
    now[0] += 2
    assert answers.lookup(key, "1:1:") is None
    answers.keep(key, "1:1:", answer(), until=datetime.now(UTC) + timedelta(hours=1))
    now[0] += 59
    assert answers.lookup(key, "1:1:") is not None  # the age limit still holds
    now[0] += 2
    assert answers.lookup(key, "1:1:") is None


def test_the_least_recently_used_go_first_by_count_and_by_bytes() -> None:
    answers = SharedAnswers(capacity=2, max_bytes=250)
    keys = [SharedAnswers.key(request(f"/r/{n}"), "en") for n in range(4)]
    answers.keep(keys[0], "1:1:", answer(b"a" * 100))
    answers.keep(keys[1], "1:1:", answer(b"b" * 100))
    assert answers.lookup(keys[0], "1:1:") is not None  # 0 is now the most recent
    answers.keep(keys[2], "1:1:", answer(b"c" * 100))  # three: 1 goes
    assert answers.lookup(keys[1], "1:1:") is None
    assert answers.lookup(keys[0], "1:1:") is not None
    answers.keep(keys[3], "1:1:", answer(b"d" * 200))  # 300 bytes with 0: 2 and 0 go
    assert answers.lookup(keys[2], "1:1:") is None
    assert answers.lookup(keys[0], "1:1:") is None
    assert answers.lookup(keys[3], "1:1:") is not None
    assert answers.bytes == 200
