"""Verify a running server's ledger from public data only (`ledger verify --remote`)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from commonpot.errors import Invalid, Worded
from commonpot.governance.notes import NoteError, Verifier, open_checkpoint, parse_vkey
from commonpot.governance.verification import MAX_PAGE, Report, check_checkpoint, check_entries


def split_url(url: str, slug: str | None) -> tuple[str, str]:
    """(server base URL, community slug) from a server or community URL."""
    match = re.match(r"^(https?://[^/]+)(?:/api)?(?:/communities/([^/?#]+))?", url.strip())
    if not match:
        raise Invalid("Give an http(s) URL of the server or community.", field="remote")
    found = match.group(2) or slug
    if not found:
        raise Invalid("Name the community (argument or .../communities/<slug>).", field="community")
    return match.group(1), found


def _get(client: httpx.Client, path: str, **params: Any) -> httpx.Response:
    response = client.get(path, params=params or None)
    if response.status_code != 200:
        raise Invalid(
            "%(path)s: the server answered %(status)s",
            field="remote",
            path=path,
            status=str(response.status_code),
        )
    return response


def verify_remote(
    url: str,
    slug: str | None = None,
    *,
    vkey: str | None = None,
    client: httpx.Client | None = None,
) -> Report:
    """Fetch key, checkpoint and every entry; recompute and check everything."""
    return verify_remote_recounting(url, slug, vkey=vkey, client=client)[0]


def verify_remote_recounting(
    url: str,
    slug: str | None = None,
    *,
    vkey: str | None = None,
    client: httpx.Client | None = None,
) -> tuple[Report, int]:
    """As `verify_remote`, also recounting every sealed ballot box; (report, boxes recounted)."""
    from commonpot.governance.recount import audit

    base, slug = split_url(url, slug)
    own = client is None
    http = client or httpx.Client(base_url=base, timeout=30)
    try:
        prefix = f"/api/communities/{slug}/ledger"
        key_text = vkey or _get(http, f"{prefix}/key").text
        try:
            verifier: Verifier = parse_vkey(key_text)
        except NoteError as exc:
            raise Invalid("verifier key: %(problem)s", field="key", problem=str(exc)) from None
        note = _get(http, f"{prefix}/checkpoint").text
        report = Report()
        try:
            size = open_checkpoint(note, verifier).size
        except NoteError as exc:
            report.bad(None, Worded("checkpoint: %(problem)s", {"problem": str(exc)}))
            return report, 0
        rows: list[tuple[int, str, str | None]] = []
        for start in range(0, size, MAX_PAGE):
            page = _get(http, f"{prefix}/entries", start=start, end=min(size, start + MAX_PAGE))
            rows.extend((e["index"], e["data"], None) for e in page.json()["entries"])
        hashes = check_entries(slug, rows, report)
        origin = open_checkpoint(note, verifier).origin
        if not origin.endswith(f"/ledger/{slug}"):
            report.bad(
                None,
                Worded(
                    "checkpoint origin %(origin)s is not this community's",
                    {"origin": repr(origin)},
                ),
            )
        check_checkpoint(note, verifier, origin, hashes, report)
        return report, audit([(seq, data) for seq, data, _ in rows], report)
    finally:
        if own:
            http.close()
