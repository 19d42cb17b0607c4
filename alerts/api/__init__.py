"""The duty-manager HTTP API: list, acknowledge, resolve and silence alerts, their history,
the delivery log, and the one-click ack links.

Served by its own small process, ``cxpulse alerts serve`` (``alerts.api.service``), together
with the outbox dispatcher, not by the stream worker: the worker stays lean and its latency is
not at the mercy of HTTP clients or slow robots, the API can restart (or be scaled to zero)
without a consumer-group rebalance, and the database is the only thing the two share.
"""

from alerts.api.app import make_app
from alerts.api.ops import BadRequest, Conflict, NotFound, Operations, OpsError

__all__ = [
    "BadRequest",
    "Conflict",
    "NotFound",
    "Operations",
    "OpsError",
    "make_app",
]
