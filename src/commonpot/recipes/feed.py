"""An Atom feed of a community's public recipes (what an anonymous visitor may see, never more)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from commonpot.accounts import ANONYMOUS
from commonpot.communities import Community
from commonpot.recipes.models import Recipe
from commonpot.recipes.service import visible_recipes


def feed_entries(session: Session, community: Community, limit: int = 50) -> list[Any]:
    """The newest recipes an anonymous reader may see: feeds get shared, so never more."""
    stmt = (
        visible_recipes(session, community, ANONYMOUS)
        .with_only_columns(
            Recipe.id, Recipe.name, Recipe.description, Recipe.storytellers, Recipe.updated_at
        )
        .order_by(Recipe.updated_at.desc(), Recipe.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt))


def _when(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def atom(community: Community, entries: list[Any], base_url: str, now: datetime) -> str:
    """Write the Atom document for the entries."""
    page = f"{base_url}/communities/{community.slug}/recipes"
    updated = _when(entries[0].updated_at) if entries else _when(now)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(community.name)}: recipes</title>",
        f'<link rel="alternate" href="{escape(page)}"/>',
        f'<link rel="self" href="{escape(page)}/feed.atom"/>',
        f"<id>{escape(page)}</id>",
        f"<updated>{updated}</updated>",
    ]
    for entry in entries:
        url = f"{page}/{entry.id}"
        author = escape(entry.storytellers or community.name)
        parts += [
            "<entry>",
            f"<title>{escape(entry.name)}</title>",
            f'<link rel="alternate" href="{escape(url)}"/>',
            f"<id>{escape(url)}</id>",
            f"<updated>{_when(entry.updated_at)}</updated>",
            f"<author><name>{author}</name></author>",
            f"<summary>{escape(entry.description or entry.name)}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts)
