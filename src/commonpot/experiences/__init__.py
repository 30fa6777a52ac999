"""Experiences domain: a recipe's story in 3-D (WebXR), voiced by the people who carry it.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.experiences.service import Experience, audible_recordings, experience

__all__ = ["Experience", "audible_recordings", "experience"]
