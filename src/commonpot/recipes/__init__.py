"""Recipes domain: the heritage archive and its cultural protocols.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.recipes.exchange import scalable
from commonpot.recipes.models import Recipe
from commonpot.recipes.protocols import Reach, protocol_labels, reach
from commonpot.recipes.schemas import RecipeIn, SectionIn
from commonpot.recipes.service import create_recipe, get_recipe, visible_recipes
from commonpot.recipes.shopping import ShoppingLine, shopping_list

__all__ = [
    "Reach",
    "Recipe",
    "RecipeIn",
    "SectionIn",
    "ShoppingLine",
    "create_recipe",
    "get_recipe",
    "protocol_labels",
    "reach",
    "scalable",
    "shopping_list",
    "visible_recipes",
]
