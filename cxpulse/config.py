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
    # Bytes per produce batch and partition. A store's state is ~12 KB of JSON after a day, so
    # aiokafka's 16 KB default sent nearly one request per changelog write and the producer's
    # buffer filled: 380 events/s in bench.pipeline (see bench/README.md).
    # Under the broker's 1 MB message.max.bytes default, batch overhead included.
    producer_batch_bytes: Annotated[int, Field(ge=16_384, le=1_000_000)] = 524_288
    # How long a dead worker keeps its partitions before the group hands them to another;
    # Faust's 60 s default leaves a store's alerts stalled for a minute after a crash.
    session_timeout: Annotated[float, Field(ge=6, le=300)] = 20.0


from alerts.settings import AlertsSettings  # noqa: E402
from streams.core.signals.calls import CallConfig  # noqa: E402
from streams.core.signals.config import (  # noqa: E402  (the signal sections live with the core)
    CrisisConfig,
    SatisfactionConfig,
    SignalsConfig,
    SpikeConfig,
    WordOfMouthConfig,
)
from streams.core.sla.policy import SlaConfig  # noqa: E402  (after the sections it may use)
from streams.core.text.config import TextConfig  # noqa: E402


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CXPULSE_", env_nested_delimiter="__", extra="forbid"
    )

    kafka: KafkaConfig = KafkaConfig()
    worker: WorkerConfig = WorkerConfig()
    satisfaction: SatisfactionConfig = SatisfactionConfig()
    word_of_mouth: WordOfMouthConfig = WordOfMouthConfig()
    spikes: SpikeConfig = SpikeConfig()
    crisis: CrisisConfig = CrisisConfig()
    calls: CallConfig = CallConfig()
    sla: SlaConfig = SlaConfig()
    text: TextConfig = TextConfig()
    alerts: AlertsSettings = AlertsSettings()

    @model_validator(mode="after")
    def _across_sections(self) -> Settings:
        # A section cannot see its siblings: the roster may name an SLA calendar.
        self.alerts.check_calendars(self.sla.calendars)
        return self

    def signals(self) -> SignalsConfig:
        return SignalsConfig(
            satisfaction=self.satisfaction,
            word_of_mouth=self.word_of_mouth,
            spikes=self.spikes,
            crisis=self.crisis,
            calls=self.calls,
        )

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
