"""Answers every anonymous reader shares, kept until the database changes.

When a link to a public recipe goes round, hundreds of people who have not signed in ask for
the same thing within seconds, and each of them gets the same bytes. Here a read that opts in
(`communities.scope.shared_read`) keeps its answer and gives it again, for as long as the
database is provably unchanged.

Validity is exact, not a guess: each answer is kept with the token of the database's state
it was read after (`Database.snapshot_token`). On PostgreSQL that is the snapshot
(`pg_current_snapshot()`). A snapshot says which
transactions' changes a reader sees: `xmax` is one past the newest transaction that has
ended, and the ones still running below it are listed. A transaction that ends (commits or
rolls back) either raises `xmax` or leaves that list, for good; one still running changes
nothing anyone can see. So a snapshot equal to an earlier one means no transaction ended in
between, and every row a reader sees is as it was: only then is a kept answer given again.
Any commit on the server (any database, any process) makes every kept answer stale, and the
next request reads again. Whatever a change hides (a recipe made community-only, a community
made private) is hidden from the very next request, as without this. On SQLite the token is
`PRAGMA data_version` of a connection that never writes, which changes whenever any other
connection (any process) commits to the file: the same guarantee for the embedded database.

What is kept, and for whom:
- only answers read for an anonymous viewer (no session cookie, no `Authorization` or
  `Signature` header), and only when the viewer the read resolved was indeed anonymous, so a
  signed-in person's answer is never given to anyone else;
- only for a URL without a query string (a reader could otherwise make up endless URLs for one
  answer and push the others out), keyed by the URL's path, the reader's locale and the UTC
  date, so an answer in another language, or one that depends on the date (seasonal
  protocols open by month), is read again; and never older than `MAX_AGE_S`, a bound on
  anything that changes without a write, nor past a moment the read knows its answer
  changes at without one (a proposal's opening or closing time);
- only `200` answers of at most `MAX_BODY` bytes, at most `CAPACITY` of them and
  `MAX_BYTES` in all (the least recently used go first), per server process; one found stale
  is dropped.

A page (HTML) holds one thing of its reader's own: the CSRF token of their browser, in its
forms. A page is kept with a stand-in for it (`SharedAnswers.marker`, a random string each
server process makes up and never shows: no data can hold it), and each reader's own token,
escaped as the template escapes it, takes the stand-in's place in the answer they get. A page
is shared only for a reader without a flash message waiting and keyed also by the language
they picked (the switcher shows it).

An in-memory SQLite database has no such token (`snapshot_token` is None): nothing is kept.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import Response

from commonpot.http import SESSION_COOKIE

CAPACITY = 512
MAX_BODY = 512 * 1024
MAX_BYTES = 32 * 1024 * 1024
MAX_AGE_S = 60.0

# (URL path, locale, UTC date)
Key = tuple[str, str, str]


@dataclass(frozen=True)
class _Kept:
    token: str
    until: float  # time.monotonic() after which it is not given again
    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    personal: bool  # holds the marker where each reader's own CSRF token goes


class SharedAnswers:
    """One server process's kept answers, with how often they were given again (`hits`), read
    afresh (`misses`) and kept (`kept`)."""

    def __init__(
        self,
        capacity: int = CAPACITY,
        max_body: int = MAX_BODY,
        max_bytes: int = MAX_BYTES,
        max_age_s: float = MAX_AGE_S,
    ) -> None:
        self.capacity = capacity
        self.max_body = max_body
        self.max_bytes = max_bytes
        self.max_age_s = max_age_s
        self.hits = self.misses = self.kept = 0
        self.bytes = 0  # of the answers kept now
        self._answers: OrderedDict[Key, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        # stands in for the reader's CSRF token in a kept page
        self.marker = "cp-reader-" + secrets.token_hex(16)

    @staticmethod
    def may_share(request: Request) -> bool:
        """True for a GET, without a query string, from someone who shows no sign of being
        anyone in particular."""
        headers = request.headers
        return (
            request.method == "GET"
            and not request.url.query
            and "authorization" not in headers
            and "signature" not in headers
            and SESSION_COOKIE not in request.cookies
        )

    @staticmethod
    def key(request: Request, locale: str) -> Key:
        return (request.url.path, locale, datetime.now(UTC).date().isoformat())

    def lookup(self, key: Key, token: str | None, reader: str = "") -> Response | None:
        """The answer kept for `key` if it was read at snapshot `token` (None: no snapshot,
        nothing is ever kept) and its time has not run out; a page with `reader`'s CSRF
        token in it."""
        if token is None:
            return None
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept.token != token or time.monotonic() > kept.until:
                self.misses += 1
                if kept is not None:  # stale for good: a snapshot never comes back
                    self._drop(key)
                return None
            self._answers.move_to_end(key)
            self.hits += 1
        if kept.personal:
            return self.for_reader(kept.body, kept.status, kept.headers, reader)
        response = Response(kept.body, status_code=kept.status)
        response.raw_headers = list(kept.headers)
        return response

    def for_reader(
        self, body: bytes, status: int, headers: Sequence[tuple[bytes, bytes]], reader: str
    ) -> Response:
        """A page's answer for one reader: their CSRF token in place of the marker."""
        own = body.replace(self.marker.encode(), str(escape(reader)).encode())
        response = Response(own, status_code=status)
        response.raw_headers = [
            (name, value) for name, value in headers if name != b"content-length"
        ] + [(b"content-length", str(len(own)).encode())]
        return response

    def keep(
        self,
        key: Key,
        token: str | None,
        response: Response,
        *,
        personal: bool = False,
        until: datetime | None = None,
    ) -> None:
        """Keep `response` (a whole `200` body) as read at snapshot `token`, for at most
        `max_age_s` and not past `until` (when it stops being right without a write);
        `personal`: a page holding `marker` where each reader's CSRF token goes."""
        body = getattr(response, "body", None)
        if (
            token is None
            or response.status_code != 200
            or not isinstance(body, bytes)
            or len(body) > self.max_body
        ):
            return
        now = time.monotonic()
        ends = now + self.max_age_s
        if until is not None:
            ends = min(ends, now + (until - datetime.now(UTC)).total_seconds())
        kept = _Kept(token, ends, 200, body, tuple(response.raw_headers), personal)
        with self._lock:
            if key in self._answers:
                self._drop(key)
            self._answers[key] = kept
            self.bytes += len(body)
            while len(self._answers) > self.capacity or self.bytes > self.max_bytes:
                self._drop(next(iter(self._answers)))  # the least recently used
            self.kept += 1

    def _drop(self, key: Key) -> None:
        self.bytes -= len(self._answers.pop(key).body)
