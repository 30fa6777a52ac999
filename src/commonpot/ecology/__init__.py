"""Ecology domain: biodiversity, impact assessment, crop sharing and food access.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.ecology.food_access import Nearest, Population, Sources, nearest_sources

__all__ = ["Nearest", "Population", "Sources", "nearest_sources"]
