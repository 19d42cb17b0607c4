"""The ``alerts:`` section of the config file: the lifecycle (``AlertsConfig``: receivers,
route, inhibition, escalation, roster) plus what the ``cxpulse alerts serve`` process needs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr

from alerts.lifecycle.config import AlertsConfig, Duration


class AlertsSettings(AlertsConfig):
    # Bearer token of the CLI and scripts (env CXPULSE_ALERTS__TOKEN); `tokens` names more, one
    # per caller, so a leaked one can be revoked alone. Never logged.
    token: SecretStr | None = None
    tokens: dict[str, SecretStr] = Field(default_factory=dict)
    # Signs the one-click ack links (env CXPULSE_ALERTS__LINK_SECRET); at least 16 bytes.
    link_secret: SecretStr | None = None
    link_ttl: Duration = 86400.0  # a link in a message older than a day no longer acks
    api_host: str = "127.0.0.1"
    api_port: Annotated[int, Field(ge=0, le=65535)] = 9110
    # SQLAlchemy URL; None = SQLite under .cxpulse/. Production: postgresql+psycopg://...
    db_url: str | None = None
    tick_interval: Annotated[float, Field(gt=0, le=60)] = 5.0  # group/escalation timers, s
