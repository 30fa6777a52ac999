"""Reading what a page shows in tests: the pager under a long list."""

from __future__ import annotations

import html
import re


def pager_of(text: str) -> tuple[str | None, dict[str, str]]:
    """What the pager in `text` (a page, or one section of it) says, e.g. "1–100 of 130",
    (None when there is none) and its links' addresses by relation ("prev", "next")."""
    said = re.search(r'<nav class="pager"[^>]*>\s*<p class="hint">([^<]*)</p>', text)
    links = {
        rel: html.unescape(u) for u, rel in re.findall(r'href="([^"]*)" rel="(prev|next)"', text)
    }
    return (said.group(1) if said else None), links
