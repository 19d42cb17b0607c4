"""Configuration: one validated YAML file plus environment overrides.

Precedence: environment (``CXPULSE_<SECTION>__<KEY>``, e.g. ``CXPULSE_KAFKA__BOOTSTRAP``) over the
file (``--config FILE`` or ``$CXPULSE_CONFIG``) over the defaults. Each package owns its sections
(``streams.config``, ``alerts.settings``); this module only composes them and loads them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from alerts.settings import AlertsSettings
from streams.config import KafkaConfig, StreamSettings, WorkerConfig

__all__ = ["ConfigError", "KafkaConfig", "Settings", "WorkerConfig", "load"]


class Settings(BaseSettings, StreamSettings):
    model_config = SettingsConfigDict(
        env_prefix="CXPULSE_", env_nested_delimiter="__", extra="forbid"
    )

    alerts: AlertsSettings = AlertsSettings()

    @model_validator(mode="after")
    def _across_sections(self) -> Settings:
        # A section cannot see its siblings: the roster may name an SLA calendar.
        self.alerts.check_calendars(self.sla.calendars)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file (passed as init kwargs), which beats the defaults.
        return (env_settings, init_settings)


class ConfigError(ValueError):
    pass


def load(path: str | Path | None = None) -> Settings:
    """Load the file named by `path` or $CXPULSE_CONFIG (if any), then the environment."""
    path = path or os.environ.get("CXPULSE_CONFIG")
    data: dict[str, Any] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        try:
            loaded = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{p}: the top level must be a mapping of sections")
        data = loaded or {}
    try:
        return Settings(**data)
    except Exception as exc:  # pydantic's message names the field and the rule
        raise ConfigError(f"invalid configuration{f' in {path}' if path else ''}:\n{exc}") from exc
