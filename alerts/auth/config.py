"""The ``alerts.auth`` section: how long a browser stays signed in, and how hard login is to
guess at. Defaults follow OWASP's session and authentication cheat sheets for a low-risk
internal tool used through a shift."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from streams.core.sla.policy import Duration as Seconds  # "2h", "30m" or seconds; > 0


class AuthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Signed out after this long without a request (a phone left on a desk), and after this
    # long in any case: a 12-hour shift plus slack, so nobody is signed out mid-incident.
    session_idle: Seconds = 2 * 3600.0
    session_max: Seconds = 14 * 3600.0
    # Mark the session cookie Secure even when the request arrived over plain HTTP: the
    # service sits behind a TLS-terminating proxy. (A request that came over TLS always is.)
    behind_tls: bool = False
    # Failed logins allowed per login name and per client address within login_window; the
    # next attempt gets 429 until the oldest failure leaves the window. Per address is higher
    # because a store's staff share one office NAT address.
    login_failures_per_name: Annotated[int, Field(ge=1, le=100)] = 5
    login_failures_per_ip: Annotated[int, Field(ge=1, le=1000)] = 20
    login_window: Seconds = 300.0
    # Behind a reverse proxy every request comes from the proxy's address, and one address's
    # failures would lock everyone out: name the header the proxy puts the client in (e.g.
    # X-Forwarded-For; its last entry is taken, the one the proxy added). Only behind a proxy
    # that sets it: a client can send the header itself.
    client_ip_header: str | None = None
