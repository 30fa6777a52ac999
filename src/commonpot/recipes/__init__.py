"""Recipes domain: the heritage archive and its cultural protocols.

What other domains may use is exported here; everything else is the domain's own.

The exports load on first use, so `commonpot recipes --help` answers without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.recipes.exchange import scalable
    from commonpot.recipes.heritage import (
        add_oral_history,
        audio_dir,
        audio_seconds,
        notices,
        relation_words,
    )
    from commonpot.recipes.listening import ListeningGate, audible, register_listening_gate
    from commonpot.recipes.models import OralHistory, Recipe
    from commonpot.recipes.protocols import Reach, protocol_labels, reach
    from commonpot.recipes.schemas import OralHistoryIn, RecipeIn, SectionIn
    from commonpot.recipes.service import (
        access,
        create_recipe,
        get_recipe,
        recent_recipes,
        visible_recipes,
    )
    from commonpot.recipes.shopping import ShoppingLine, line_text, shopping_list

__all__ = [
    "ListeningGate",
    "OralHistory",
    "OralHistoryIn",
    "Reach",
    "Recipe",
    "RecipeIn",
    "SectionIn",
    "ShoppingLine",
    "access",
    "add_oral_history",
    "audible",
    "audio_dir",
    "audio_seconds",
    "create_recipe",
    "get_recipe",
    "line_text",
    "notices",
    "protocol_labels",
    "reach",
    "recent_recipes",
    "register_listening_gate",
    "relation_words",
    "scalable",
    "shopping_list",
    "visible_recipes",
]

_EXCHANGE = frozenset({"scalable"})
_HERITAGE = frozenset(
    {
        "add_oral_history",
        "audio_dir",
        "audio_seconds",
        "notices",
        "relation_words",
    }
)
_LISTENING = frozenset({"ListeningGate", "audible", "register_listening_gate"})
_MODELS = frozenset({"OralHistory", "Recipe"})
_PROTOCOLS = frozenset({"Reach", "protocol_labels", "reach"})
_SCHEMAS = frozenset({"OralHistoryIn", "RecipeIn", "SectionIn"})
_SERVICE = frozenset(
    {
        "access",
        "create_recipe",
        "get_recipe",
        "recent_recipes",
        "visible_recipes",
    }
)
_SHOPPING = frozenset({"ShoppingLine", "line_text", "shopping_list"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _EXCHANGE:
        from commonpot.recipes import exchange

        value = getattr(exchange, name)
    elif name in _HERITAGE:
        from commonpot.recipes import heritage

        value = getattr(heritage, name)
    elif name in _LISTENING:
        from commonpot.recipes import listening

        value = getattr(listening, name)
    elif name in _MODELS:
        from commonpot.recipes import models

        value = getattr(models, name)
    elif name in _PROTOCOLS:
        from commonpot.recipes import protocols

        value = getattr(protocols, name)
    elif name in _SCHEMAS:
        from commonpot.recipes import schemas

        value = getattr(schemas, name)
    elif name in _SERVICE:
        from commonpot.recipes import service

        value = getattr(service, name)
    elif name in _SHOPPING:
        from commonpot.recipes import shopping

        value = getattr(shopping, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
