"""Biotumblers domain: compost telemetry, sanitisation (EPA PFRP) and alerts.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.biotumblers.assessment import Alert, Assessment, assess
from commonpot.biotumblers.readings import Reading, parse_message, parse_reading

__all__ = ["Alert", "Assessment", "Reading", "assess", "parse_message", "parse_reading"]
