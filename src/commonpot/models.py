"""Every domain's tables, imported in one place so the metadata (and Alembic) sees them all."""

from __future__ import annotations

import importlib

from commonpot.db import Base

DOMAINS = ("accounts", "communities", "recipes", "network", "governance", "events", "ecology")


def load_all() -> type[Base]:
    """Import each domain's models module; returns the declarative base with full metadata."""
    for domain in DOMAINS:
        try:
            importlib.import_module(f"commonpot.{domain}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"commonpot.{domain}.models":
                raise
    return Base
