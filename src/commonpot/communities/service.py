"""The communities use cases under their old name: `commonpot.communities.service`.

Kept so that callers in other domains keep working; new code imports the package's public
surface (`from commonpot import communities`) or the module that holds the use case
(`access`, `profile`, `roles`, `invitations`, `place_map`).
"""

from __future__ import annotations

from commonpot.communities import *  # noqa: F403 (the same names, by their old address)
from commonpot.communities import __all__  # noqa: F401 (what `import *` from here gives)
