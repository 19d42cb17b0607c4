"""The stream side's configuration: Kafka, the worker, and every section the core reads.

``StreamSettings`` is what the worker and the replay runner need. The product's full settings
(``cxpulse.config.Settings``) add the alerts service's section and the loading rules (file plus
environment); this package never imports them, so the core and the replay runner load no
network code.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streams.cardinality import LabelCapsConfig
from streams.core.intake import IntakeConfig
from streams.core.rollup.config import RollupConfig
from streams.core.signals.calls_config import CallConfig
from streams.core.signals.config import (
    CrisisConfig,
    SatisfactionConfig,
    SignalsConfig,
    SpikeConfig,
    WordOfMouthConfig,
)
from streams.core.sla.policy import SlaConfig
from streams.core.store import Signals
from streams.core.text.config import TextConfig
from streams.metrics.export import ExportConfig

Seconds = Annotated[float, Field(gt=0)]
Compression = Literal["none", "gzip", "snappy", "lz4", "zstd"]  # what Kafka's producers offer


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
    # Compression of what the worker writes (store states, snapshots, alerts): a week-old
    # store's state is tens of KB of JSON, written every `state_write_every` while it changes,
    # which at 10,000 stores is hundreds of GB a day before compaction; zstd stores it in a
    # few times fewer bytes for little CPU (bench/README.md, "Compressed writes").
    producer_compression: Compression = "zstd"
    # How long a dead worker keeps its partitions before the group hands them to another;
    # Faust's 60 s default leaves a store's alerts stalled for a minute after a crash.
    session_timeout: Annotated[float, Field(ge=6, le=300)] = 20.0
    # How often the worker asks the broker for its topics' partitions: a topic given more
    # partitions is read within this (streams/worker/grown.py). The client's default, 5 minutes,
    # would leave the events of new partitions unread that long.
    metadata_max_age: Annotated[float, Field(ge=1, le=300)] = 30.0
    # Standby copies of each store table kept warm on other workers: a takeover then reads only
    # the changelog's tail instead of replaying it whole (streams/worker/memory_store.py says
    # why Faust's own memory store could not). 0 on a single worker; 1 in production.
    standby_replicas: Annotated[int, Field(ge=0, le=3)] = 0
    # A fetch returns once it holds this many bytes or has waited this long. aiokafka returns
    # on the first byte: a live stream of a few hundred events a second (and the worker's own
    # rollup and tick topics) then made a fetch request per message or two, and the consumer
    # thread took a third of the worker's CPU (bench/README.md).
    fetch_min_bytes: Annotated[int, Field(ge=1, le=10_485_760)] = 65_536
    fetch_max_wait: Annotated[float, Field(ge=0, le=1.5)] = 0.1
    # Wall seconds a changed store may wait for its changelog write, which then carries every
    # change since (streams/worker/writes.py); the commit never passes an unwritten event, so a
    # crash reads at most about this much again. A busy store's state is kilobytes: written per
    # batch (0), a live stream sent about one whole state per event, and in-process the writes
    # fell from ~7,300 messages to ~800 per 20,000 events at 2 s (bench/README.md).
    state_write_every: Annotated[float, Field(ge=0, le=60)] = 2.0
    # Stores a worker holds decoded, the most recently changed; the others are held pickled and
    # compressed, ~13 KB against ~50 KB after a week, and decoded again when an event or a read
    # needs them (streams/worker/compressed.py). At a 10,000-store chain with 2,000 decoded a
    # store took 20.5 KB instead of 52.6 KB, and the worker handled 0.45 times the events per
    # second (bench/README.md, "What a store costs, and stores held compressed"): the default
    # bounds memory without that cost up to 10,000 stores per worker. None: every store decoded.
    stores_decoded: Annotated[int, Field(ge=1)] | None = 10_000
    # Wall seconds between two snapshots of one store (the signals topic and this worker's
    # gauges); Prometheus scrapes every 15 s, so a store changing faster is shown as often.
    snapshot_every: Annotated[float, Field(gt=0, le=3600)] = 5.0
    # Snapshots of all stores per wall second, at most. One costs about half a millisecond, and
    # at 10,000 stores nearly every event touches a store last shown over `snapshot_every` ago:
    # a snapshot per event was 38% of the worker's time (bench/README.md, `worker_step
    # --chain`). Changed stores wait their turn, longest first; alerts never wait.
    snapshots_per_s: Annotated[float, Field(gt=0, le=100_000)] = 200.0
    # ... and while at least `behind_lag` events wait to be read (a backlog: after downtime, a
    # takeover, a burst; the health check counts them), at most `snapshots_per_s_behind`: each
    # snapshot then shows a moment the stream has already passed, and at 10,000 stores they
    # cost the worker more than the per-event step (bench/README.md, `bench.scale`). Alerts
    # never wait; the waiting stores are shown once the backlog is read.
    snapshots_per_s_behind: Annotated[float, Field(gt=0, le=100_000)] = 20.0
    behind_lag: Annotated[int, Field(ge=1)] = 5_000
    # Wall seconds an event may wait for its partition's other topics to be read past its time
    # (event-time order across kinds); then it goes in arrival order. Live streams never wait.
    merge_wait: Annotated[float, Field(ge=0, le=60)] = 2.0
    # ... and while such a topic is known to have messages left (a backlog being read) or has
    # not been fetched since its partition was assigned (a takeover), how long since it last
    # moved: while it moves its messages are coming, however slowly a busy worker reads them;
    # one that stopped moving this long is given up on.
    merge_wait_behind: Annotated[float, Field(ge=0, le=3600)] = 30.0
    # Events held for order at most (about 2 KB each); past it the earliest go anyway.
    merge_hold_max: Annotated[int, Field(ge=1, le=10_000_000)] = 50_000
    # /healthz turns unhealthy when nothing was consumed for this long while messages wait.
    stalled_after: Seconds = 60.0
    # Net allocations between two collections of Python's youngest generation (its default is
    # 700; 0 leaves it). Operational default, not from domain.md: why and what it saved in
    # streams/heap.py.
    gc_young_threshold: Annotated[int, Field(ge=0, le=10_000_000)] = 50_000


class StreamSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kafka: KafkaConfig = KafkaConfig()
    worker: WorkerConfig = WorkerConfig()
    intake: IntakeConfig = IntakeConfig()
    label_caps: LabelCapsConfig = LabelCapsConfig()
    metrics_export: ExportConfig = ExportConfig()
    satisfaction: SatisfactionConfig = SatisfactionConfig()
    word_of_mouth: WordOfMouthConfig = WordOfMouthConfig()
    spikes: SpikeConfig = SpikeConfig()
    crisis: CrisisConfig = CrisisConfig()
    calls: CallConfig = CallConfig()
    sla: SlaConfig = SlaConfig()
    text: TextConfig = TextConfig()
    rollups: RollupConfig = RollupConfig()

    @model_validator(mode="after")
    def _forget_after_what_stores_keep(self) -> StreamSettings:
        after = self.intake.forget_stores_after
        kept = max(Signals(self.signals()).keep.values())
        if after is not None and after < kept:
            raise ValueError(
                f"intake.forget_stores_after is {after / 86400:g} days, shorter than the "
                f"{kept / 86400:.1f} days the stores' counters keep for their rules: a store "
                "quiet for that long would lose counts its rules still read"
            )
        return self

    def signals(self) -> SignalsConfig:
        return SignalsConfig(
            satisfaction=self.satisfaction,
            word_of_mouth=self.word_of_mouth,
            spikes=self.spikes,
            crisis=self.crisis,
            calls=self.calls,
        )
