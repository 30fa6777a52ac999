"""Pure federation engines: handles, address checks, signatures, JSON-LD builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commonpot.errors import Invalid
from commonpot.federation.handles import address_allowed, check_url, parse_handle
from commonpot.federation.limits import DomainLimiter, InboxLimiter
from commonpot.federation.objects import EventDoc, RecipeDoc, event_object, recipe_object
from commonpot.federation.signatures import (
    SignatureError,
    key_id_of,
    new_private_key,
    public_pem,
    sign_cavage,
    verify_cavage,
)
from commonpot.federation.vocab import Urls, types_of

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
KEY = new_private_key()


@pytest.mark.parametrize(
    ("text", "name", "host"),
    [
        ("@riverside@food.example", "riverside", "food.example"),
        ("riverside@Food.Example:8443", "riverside", "food.example:8443"),
        ("acct:riverside@food.example", "riverside", "food.example"),
    ],
)
def test_handles(text: str, name: str, host: str) -> None:
    handle = parse_handle(text)
    assert (handle.name, handle.host) == (name, host)


@pytest.mark.parametrize("text", ["riverside", "@a@b@c", "@@x", "@x@", "@x@host/path"])
def test_bad_handles(text: str) -> None:
    with pytest.raises(Invalid):
        parse_handle(text)


def test_addresses() -> None:
    for private in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "::1", "fc00::1", "::ffff:127.0.0.1"):
        assert not address_allowed(private, allow_http=False)
        assert address_allowed(private, allow_http=True)  # tests and local networks
    for never in ("169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "::ffff:169.254.1.1"):
        assert not address_allowed(never, allow_http=False)
        assert not address_allowed(never, allow_http=True)
    assert address_allowed("93.184.216.34", allow_http=False)
    assert address_allowed("2606:4700::1111", allow_http=False)
    with pytest.raises(Invalid):
        check_url("http://food.example/x", allow_http=False)
    with pytest.raises(Invalid):
        check_url("https://user:pw@food.example/x", allow_http=False)
    with pytest.raises(Invalid):
        check_url("file:///etc/passwd", allow_http=True)
    assert check_url("http://food.example/x", allow_http=True)


def test_cavage_round_trip_and_tampering() -> None:
    body = b'{"type":"Follow"}'
    url = "https://b.example/federation/x/inbox"
    headers = sign_cavage("POST", url, body, "https://a.example/k#main-key", KEY, NOW)
    assert key_id_of(headers).scheme == "cavage"
    verify_cavage("POST", "/federation/x/inbox", headers, body, public_pem(KEY), NOW)
    with pytest.raises(SignatureError):
        verify_cavage("POST", "/federation/y/inbox", headers, body, public_pem(KEY), NOW)
    with pytest.raises(SignatureError):
        verify_cavage("POST", "/federation/x/inbox", headers, body + b" ", public_pem(KEY), NOW)
    with pytest.raises(SignatureError):
        later = NOW + timedelta(hours=12, minutes=1)
        verify_cavage("POST", "/federation/x/inbox", headers, body, public_pem(KEY), later)
    with pytest.raises(SignatureError):
        verify_cavage(
            "POST", "/federation/x/inbox", headers, body, public_pem(new_private_key()), NOW
        )


def test_recipe_and_event_objects() -> None:
    urls = Urls("https://food.example")
    recipe = recipe_object(
        urls,
        "riverside",
        RecipeDoc(
            recipe_id=3,
            name="Soup <b>",
            description="Warm & good",
            ingredients=("1 onion",),
            steps=("Chop <it>.",),
            page_url="https://food.example/communities/riverside/recipes/3",
            published=NOW,
        ),
    )
    assert "Article" in types_of(recipe)
    assert recipe["id"] == "https://food.example/federation/riverside/recipes/3"
    assert recipe["recipeIngredient"] == ["1 onion"]
    assert "Chop &lt;it&gt;." in recipe["content"]  # text is escaped into the HTML
    event = event_object(
        urls,
        "riverside",
        EventDoc(
            event_id=4,
            name="Supper",
            description="",
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=2),
            page_url="https://food.example/communities/riverside/events/4",
            published=NOW,
            place_name="Kitchen",
        ),
    )
    assert event["type"] == "Event" and event["startTime"] == "2026-12-04T12:00:00Z"
    assert event["location"]["type"] == "Place" and event["location"]["name"] == "Kitchen"


def test_domain_limiter_window() -> None:
    limiter = DomainLimiter(limit=2, window=60)
    assert [limiter.allow("a.example", t) for t in (0, 1, 2)] == [True, True, False]
    assert limiter.allow("b.example", 2)
    assert limiter.allow("a.example", 60.5)


def test_inbox_limiter_per_actor_then_per_server_with_retry_after() -> None:
    limiter = InboxLimiter(per_instance=3, per_actor=2, window=60)
    alice, bob, carol = (f"https://x.example/users/{n}" for n in ("alice", "bob", "carol"))
    assert limiter.retry_after("x.example", alice, 0) == 0
    assert limiter.retry_after("x.example", alice, 10) == 0
    assert limiter.retry_after("x.example", alice, 20.5) == 40  # until her first call ages out
    assert limiter.retry_after("x.example", bob, 21) == 0  # her refusal cost the server nothing
    assert limiter.retry_after("x.example", carol, 30) == 30  # the server's three are used
    assert limiter.retry_after("y.example", "https://y.example/u/d", 30) == 0
    assert limiter.retry_after("x.example", carol, 60.5) == 0
