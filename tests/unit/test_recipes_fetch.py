"""SSRF-safe page fetching: only public http(s) addresses, every redirect re-checked."""

from __future__ import annotations

import httpx
import pytest

from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.recipes.fetch import MAX_PAGE_BYTES, check_url, fetch_page, is_public_address


def public(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("not an ip", False),
    ],
)
def test_public_addresses(address: str, expected: bool) -> None:
    assert is_public_address(address) is expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/x", "Only http"),
        ("file:///etc/passwd", "Only http"),
        ("http:///nohost", "no host"),
        ("http://user:pw@example.org/", "user name"),
        ("http://example.org:8080/", "standard web ports"),
        ("http://example.org:99999/", "not a valid"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        check_url(url, public)


def test_host_resolving_to_private_address_is_refused() -> None:
    with pytest.raises(Invalid, match="private network"):
        check_url("https://intranet.example/", lambda h, p: ["93.184.215.14", "10.0.0.1"])


def test_unresolvable_host() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(Invalid, match="Cannot find the host"):
        check_url("https://nowhere.example/", fail)


def test_fetch_follows_checked_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return httpx.Response(200, content=b"<html>recipe</html>")

    content, final = fetch_page(
        "https://food.example/old", public, transport=httpx.MockTransport(handler)
    )
    assert content == b"<html>recipe</html>"
    assert final == "https://food.example/new"


def test_redirect_to_internal_address_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://169.254.169.254/latest"})

    def resolver(host: str, port: int) -> list[str]:
        return ["169.254.169.254"] if host.startswith("169.") else ["93.184.215.14"]

    with pytest.raises(Invalid, match="private network"):
        fetch_page("https://food.example/", resolver, transport=httpx.MockTransport(handler))


def test_redirect_loop_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "/again"})

    with pytest.raises(Invalid, match="too many times"):
        fetch_page("https://food.example/", public, transport=httpx.MockTransport(handler))


def test_error_status_and_huge_pages() -> None:
    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with pytest.raises(Invalid, match="404"):
        fetch_page("https://food.example/", public, transport=httpx.MockTransport(missing))

    def huge(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * (MAX_PAGE_BYTES + 1))

    with pytest.raises(PayloadTooLarge):
        fetch_page("https://food.example/", public, transport=httpx.MockTransport(huge))
