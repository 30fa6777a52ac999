"""commonpot: communities keep their food heritage and food resources in their own hands."""

__version__ = "0.1.0"
