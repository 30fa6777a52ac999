"""Network domain: foraging patches, offers, needs and fair allocation runs.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.network.models import ForagingPatch, Need, Offer
from commonpot.network.service import create_need, patches, visible_offers

__all__ = ["ForagingPatch", "Need", "Offer", "create_need", "patches", "visible_offers"]
