"""`cxpulse grafana push`: the folder, the Prometheus data source and every dashboard, over
Grafana's HTTP API (for a Grafana that is not provisioned from grafana/provisioning/).

Idempotent: the folder and data source are created or updated by uid, dashboards are saved with
``overwrite`` by uid, so pushing twice changes nothing and a re-push after `generate` updates.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaClientError, GrafanaException, GrafanaUnauthorizedError

from grafana import files
from grafana.kit import DS_UID, SCRAPE_INTERVAL_S

FOLDER_UID = "cxpulse"
DATASOURCE_NAME = "cxpulse Prometheus"


class PushError(Exception):
    """A failure worth one clear line on the terminal, not a traceback."""


@dataclass
class Target:
    url: str
    token: str | None
    folder: str = "cxpulse"
    prometheus_url: str = "http://prometheus:9090"  # the compose service, seen from Grafana
    timeout: float = 10.0

    @classmethod
    def from_env(cls, url: str | None = None, token: str | None = None, **kw: Any) -> Target:
        """Arguments first, then grafana-client's variables GRAFANA_URL and GRAFANA_TOKEN."""
        url = url or os.environ.get("GRAFANA_URL") or "http://127.0.0.1:3000"
        return cls(url=url, token=token or os.environ.get("GRAFANA_TOKEN"), **kw)


@dataclass
class Report:
    folder: str = ""
    datasource: str = ""
    dashboards: list[str] = field(default_factory=list)


def datasource(prometheus_url: str) -> dict[str, Any]:
    """The same data source as grafana/provisioning/datasources/cxpulse.yml."""
    return {
        "uid": DS_UID,
        "name": DATASOURCE_NAME,
        "type": "prometheus",
        "access": "proxy",
        "url": prometheus_url,
        "isDefault": False,
        # The scrape interval, so $__rate_interval always spans at least four scrapes.
        "jsonData": {"timeInterval": f"{SCRAPE_INTERVAL_S}s", "httpMethod": "POST"},
    }


def _explain(exc: Exception, target: Target) -> PushError:
    if isinstance(exc, GrafanaUnauthorizedError):
        return PushError(
            f"Grafana at {target.url} refused the token (401): create a service-account token "
            "with the Editor role and pass it as --token or GRAFANA_TOKEN"
        )
    if isinstance(exc, GrafanaClientError) and exc.status_code == 403:
        return PushError(
            f"Grafana at {target.url} accepted the token but forbids this (403): the service "
            f"account needs the Editor or Admin role ({exc.message})"
        )
    if isinstance(exc, GrafanaException) and exc.status_code:
        return PushError(f"Grafana at {target.url} answered {exc.status_code}: {exc.message}")
    return PushError(f"cannot reach Grafana at {target.url}: {exc}")


def _not_found(exc: Exception) -> bool:
    return isinstance(exc, GrafanaClientError) and exc.status_code == 404


def push(target: Target, dashboards: dict[str, dict[str, Any]] | None = None) -> Report:
    boards = dashboards if dashboards is not None else files.load_all()
    api = GrafanaApi.from_url(target.url, credential=target.token, timeout=target.timeout)
    report = Report()
    try:
        try:
            api.folder.get_folder(FOLDER_UID)
            api.folder.update_folder(FOLDER_UID, title=target.folder, overwrite=True)
            report.folder = "updated"
        except GrafanaClientError as exc:
            if not _not_found(exc):
                raise
            api.folder.create_folder(target.folder, uid=FOLDER_UID)
            report.folder = "created"

        body = datasource(target.prometheus_url)
        try:
            api.datasource.get_datasource_by_uid(DS_UID)
            api.datasource.update_datasource_by_uid(DS_UID, body)
            report.datasource = "updated"
        except GrafanaClientError as exc:
            if not _not_found(exc):
                raise
            api.datasource.create_datasource(body)
            report.datasource = "created"

        for name, dash in boards.items():
            # No numeric id: Grafana matches on uid, so the same dashboard is overwritten on any
            # instance instead of colliding with an unrelated dashboard's id.
            model = {k: v for k, v in dash.items() if k != "id"}
            api.dashboard.update_dashboard(
                {
                    "dashboard": model,
                    "folderUid": FOLDER_UID,
                    "overwrite": True,
                    "message": "cxpulse grafana push",
                }
            )
            report.dashboards.append(name)
    except PushError:
        raise
    except Exception as exc:  # the HTTP library's own errors vary; all mean "not pushed"
        raise _explain(exc, target) from exc
    return report
