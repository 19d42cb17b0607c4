"""The ``alerts:`` section of the config file: the lifecycle (``AlertsConfig``: receivers,
route, inhibition, escalation, roster) plus what the ``cxpulse alerts serve`` process needs.

The alerts package owns this configuration; whoever loads the whole file (the ``cxpulse`` CLI)
hands it in as ``Loaded``, with the few things from other sections the service needs (the SLA
calendars a roster may name, where the alerts topic is), so nothing here imports the
application that embeds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import Field, SecretStr

from alerts.auth.config import AuthSettings
from alerts.lifecycle.config import AlertsConfig, Duration
from streams.core.calendar import CalendarConfig


class AlertsSettings(AlertsConfig):
    # Bearer token of the CLI and scripts (env CXPULSE_ALERTS__TOKEN); `tokens` names more, one
    # per caller, so a leaked one can be revoked alone. Never logged.
    token: SecretStr | None = None
    tokens: dict[str, SecretStr] = Field(default_factory=dict)
    # Signs the one-click ack links (env CXPULSE_ALERTS__LINK_SECRET); at least 16 bytes.
    link_secret: SecretStr | None = None
    link_ttl: Duration = 86400.0  # a link in a message older than a day no longer acks
    # Accepted so that existing files still load, and ignored: a link now always shows a page
    # whose button acknowledges (chat apps fetch links for previews; a GET must change nothing).
    link_confirm: bool | None = None
    api_host: str = "127.0.0.1"
    api_port: Annotated[int, Field(ge=0, le=65535)] = 9110
    # SQLAlchemy URL; None = SQLite under .cxpulse/. Production: postgresql+psycopg://...
    db_url: str | None = None
    tick_interval: Annotated[float, Field(gt=0, le=60)] = 5.0  # group/escalation timers, s
    # Replicas: a claimed notification is this replica's for so long (renewed while it sends);
    # a replica that dies leaves its claims to the others after it. Must outlast a send (15 s).
    outbox_lease: Annotated[float, Field(gt=20, le=3600)] = 60.0
    # People signing in to the console: session lifetimes, TLS, login rate limits.
    auth: AuthSettings = AuthSettings()


@dataclass(frozen=True)
class AlertsTopic:
    """Where the stream worker publishes alert events, and where undecodable ones are parked."""

    bootstrap: str
    topic: str
    dead_letter_topic: str
    group_id: str


@dataclass(frozen=True)
class Loaded:
    alerts: AlertsSettings
    calendars: Mapping[str, CalendarConfig] = field(default_factory=dict)
    source: AlertsTopic | None = None  # None: the service consumes no topic


# The config file path (None: the default lookup) -> the alerts settings; given by the CLI.
LoadSettings = Callable[[str | None], Loaded]
