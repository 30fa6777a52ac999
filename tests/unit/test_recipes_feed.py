"""The Atom feed document: valid XML, escaped text, newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from types import SimpleNamespace

from commonpot.recipes.feed import atom

NS = {"a": "http://www.w3.org/2005/Atom"}


def test_atom_document() -> None:
    community = SimpleNamespace(slug="riverside", name="Riverside & Co")
    entries = [
        SimpleNamespace(
            id=2,
            name="<Tamales> & atole",
            description="",
            storytellers="Rosa",
            updated_at=datetime(2026, 1, 2, tzinfo=UTC),
        ),
        SimpleNamespace(
            id=1,
            name="Pozole",
            description="Hominy stew",
            storytellers="",
            updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
    ]
    text = atom(community, entries, "https://food.example", datetime(2026, 1, 3, tzinfo=UTC))  # type: ignore[arg-type]
    root = ET.fromstring(text)
    assert root.findtext("a:title", namespaces=NS) == "Riverside & Co: recipes"
    assert root.findtext("a:updated", namespaces=NS) == "2026-01-02T00:00:00Z"
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert titles == ["<Tamales> & atole", "Pozole"]
    first = root.find("a:entry", NS)
    assert first is not None
    assert (
        first.findtext("a:id", namespaces=NS)
        == "https://food.example/communities/riverside/recipes/2"
    )
    assert first.findtext("a:author/a:name", namespaces=NS) == "Rosa"


def test_empty_feed_uses_now() -> None:
    community = SimpleNamespace(slug="x", name="X")
    text = atom(community, [], "https://f.example", datetime(2026, 5, 1, tzinfo=UTC))  # type: ignore[arg-type]
    assert ET.fromstring(text).findtext("a:updated", namespaces=NS) == "2026-05-01T00:00:00Z"
