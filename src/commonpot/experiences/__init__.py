"""Experiences domain: a recipe's story in 3-D (WebXR), voiced by the people who carry it.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.experiences.gatherings import guest_pass
from commonpot.experiences.models import Gathering
from commonpot.experiences.service import Experience, audible_recordings, experience

__all__ = ["Experience", "Gathering", "audible_recordings", "experience", "guest_pass"]
