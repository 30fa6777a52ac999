"""Federation domain: communities as ActivityPub actors that follow each other across servers.

What other domains and the composition roots may use is exported here.
"""

from commonpot.federation.client import Client
from commonpot.federation.delivery import Report, deliver
from commonpot.federation.instance import Fed, context
from commonpot.federation.service import follow, remote_items

__all__ = ["Client", "Fed", "Report", "context", "deliver", "follow", "remote_items"]
