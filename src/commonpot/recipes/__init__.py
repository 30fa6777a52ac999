"""Recipes domain: the heritage archive and its cultural protocols.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.recipes.exchange import scalable
from commonpot.recipes.models import Recipe
from commonpot.recipes.service import get_recipe, visible_recipes
from commonpot.recipes.shopping import ShoppingLine, shopping_list

__all__ = [
    "Recipe",
    "ShoppingLine",
    "get_recipe",
    "scalable",
    "shopping_list",
    "visible_recipes",
]
