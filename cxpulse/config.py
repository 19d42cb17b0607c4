"""Configuration: one validated YAML file plus environment overrides.

Precedence: environment (``CXPULSE_<SECTION>__<KEY>``, e.g. ``CXPULSE_KAFKA__BOOTSTRAP``) over the
file (``--config FILE`` or ``$CXPULSE_CONFIG``) over the defaults below. Every default taken from
the domain figures (``shared/domain.md``) says so in a comment; the others are product choices.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

Seconds = Annotated[float, Field(gt=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KafkaConfig(_Section):
    bootstrap: str = "127.0.0.1:19092"
    topic_prefix: str = "cx"
    # Every event topic, and every table's changelog, has this many partitions: Faust needs the
    # counts to match for co-partitioned state.
    partitions: Annotated[int, Field(ge=1, le=256)] = 4
    replication: Annotated[int, Field(ge=1)] = 1

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}.{name}"


class WorkerConfig(_Section):
    app_id: str = "cxpulse"
    metrics_host: str = "127.0.0.1"
    metrics_port: Annotated[int, Field(ge=0, le=65535)] = 9108
    # Batching state writes: one changelog message per touched key per batch, not per event.
    batch_max: Annotated[int, Field(ge=1)] = 500
    batch_within: Seconds = 0.05
    data_dir: str = ".cxpulse/worker"
    # Seconds the producer waits to batch messages (state, alerts, dead letters).
    producer_linger: Annotated[float, Field(ge=0, le=1)] = 0.005
    # How long a dead worker keeps its partitions before the group hands them to another;
    # Faust's 60 s default leaves a store's alerts stalled for a minute after a crash.
    session_timeout: Annotated[float, Field(ge=6, le=300)] = 20.0


class SatisfactionConfig(_Section):
    window: Seconds = 3600.0
    bucket: Seconds = 60.0
    # Events up to this much older than the newest one seen at a store still count; older ones
    # are counted as late and skipped.
    allowed_lateness: Seconds = 600.0
    # No alert from 2 ratings: a rate needs this many ratings in the window.
    min_samples: Annotated[int, Field(ge=1)] = 10
    # ...and the drop must be clear, not noise: fire only when the upper end of the Wilson
    # interval of CSAT (this many standard errors; 1.64 = 95 % one-sided) is below `csat_low`.
    # Measured on two simulated normal weeks of 20 stores: 1.28 paged 3 times, 1.64 never,
    # and both still caught every injected drop (see tests/unit/test_replay.py).
    # 0 turns it off (fire on the observed rate alone).
    confidence_z: Annotated[float, Field(ge=0, le=4)] = 1.64
    # CSAT = share of 4s and 5s (top-2-box; domain.md "Satisfaction"). Alert below `csat_low`,
    # resolve at or above `csat_recover`: the gap is the hysteresis that stops flapping.
    csat_low: Annotated[float, Field(ge=0, le=1)] = 0.60
    csat_recover: Annotated[float, Field(ge=0, le=1)] = 0.70

    @model_validator(mode="after")
    def _check(self) -> SatisfactionConfig:
        if self.csat_recover < self.csat_low:
            raise ValueError("csat_recover must be >= csat_low (it is the hysteresis band)")
        if self.window % self.bucket:
            raise ValueError("window must be a whole number of buckets")
        return self


from streams.core.sla.policy import SlaConfig  # noqa: E402  (after the sections it may use)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CXPULSE_", env_nested_delimiter="__", extra="forbid"
    )

    kafka: KafkaConfig = KafkaConfig()
    worker: WorkerConfig = WorkerConfig()
    satisfaction: SatisfactionConfig = SatisfactionConfig()
    sla: SlaConfig = SlaConfig()

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
