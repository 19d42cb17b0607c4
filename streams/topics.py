"""Topic names and their creation. Topics are made here, with configured partition counts,
never by broker auto-create (a typo would otherwise become a topic)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from schemas.events import EVENT_MODELS
from streams.config import KafkaConfig


@dataclass(frozen=True)
class Topics:
    events: dict[str, str]  # event_type -> topic
    alerts: str
    dlq: str
    sla: str  # SLA clock events
    ticks: str  # internal: the worker's clock ticks, per partition
    signals: str  # signal snapshots per store (schemas.signals)
    notifications: str  # what the alert lifecycle's `kafka` receiver publishes
    rollup: str  # internal: what stores add to their brand's rollups (streams/worker/rollup.py)

    @classmethod
    def from_config(cls, cfg: KafkaConfig) -> Topics:
        return cls(
            events={kind: cfg.topic(kind) for kind in EVENT_MODELS},
            alerts=cfg.topic("alerts"),
            dlq=cfg.topic("dlq"),
            sla=cfg.topic("sla"),
            ticks=cfg.topic("sla-ticks"),
            signals=cfg.topic("signals"),
            notifications=cfg.topic("notifications"),
            rollup=cfg.topic("rollup"),
        )

    def all(self) -> list[str]:
        return [
            *self.events.values(),
            self.alerts,
            self.dlq,
            self.sla,
            self.ticks,
            self.signals,
            self.notifications,
            self.rollup,
        ]

    def kind_of(self, topic: str) -> str | None:
        for kind, name in self.events.items():
            if name == topic:
                return kind
        return None


class TopicError(RuntimeError):
    pass


def ensure_topics(cfg: KafkaConfig) -> list[str]:
    """Create missing topics; fail clearly when an existing one has the wrong partition count
    (Faust tables need the same count as the topics they are fed from)."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    names = Topics.from_config(cfg).all()
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap, client_id="cxpulse-admin")
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            # another worker may create them at the same moment: fine
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [NewTopic(n, cfg.partitions, cfg.replication) for n in missing],
                    validate_only=False,
                )
        for meta in admin.describe_topics([n for n in names if n in existing]):
            count = len(meta["partitions"])
            if count != cfg.partitions:
                raise TopicError(
                    f"topic {meta['topic']} has {count} partitions, the configuration says "
                    f"{cfg.partitions} (kafka.partitions); they must match"
                )
        return missing
    finally:
        admin.close()


def delete_namespace(cfg: KafkaConfig, app_id: str, timeout: float = 30.0) -> list[str]:
    """Delete this deployment's topics (events, alerts, DLQ and the worker's internal ones).
    For throw-away local runs only; waits until the broker has really removed them."""
    import time

    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap, client_id="cxpulse-admin")
    try:
        doomed = [
            t
            for t in admin.list_topics()
            if t.startswith(f"{cfg.topic_prefix}.") or t.startswith(f"{app_id}-")
        ]
        if doomed:
            admin.delete_topics(doomed)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and set(doomed) & set(admin.list_topics()):
            time.sleep(0.2)  # deletion is asynchronous on the broker
        return doomed
    finally:
        admin.close()
