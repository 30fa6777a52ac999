"""Recipes domain: the heritage archive and its cultural protocols.

What other domains may use is exported here; everything else is the domain's own.
"""

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
