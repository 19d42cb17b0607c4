"""Topic names and their creation. Topics are made here, with configured partition counts,
never by broker auto-create (a typo would otherwise become a topic)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.events import EVENT_MODELS
from streams.config import KafkaConfig
from streams.core.errors import said

log = logging.getLogger("streams.topics")


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


# The broker stamps each event message, and each clock tick, with the time it took it in. The
# worker's latency (``cxpulse_event_latency_seconds``) is measured from that stamp, and it bounds
# how far ahead an event may be dated and how far a tick may move the SLA clocks; a producer's
# own stamp (CreateTime) would make all of that the producer's clock: a backfill that keeps
# events' original times, or a producer whose clock is years off, would read as hours of lag
# and page the pipeline's on-call. Event time is ``occurred_at`` in the message, never this.
BROKER_STAMPED = {"message.timestamp.type": "LogAppendTime"}
# A table's changelog keeps each key's newest value (what Faust sets when it makes one).
COMPACTED = {"cleanup.policy": "compact"}
_SETTING = ", ".join(f"{k}={v}" for k, v in BROKER_STAMPED.items())


@dataclass(frozen=True)
class Ensured:
    created: list[str]
    restamped: list[str]  # existing topics switched to the broker's time stamps
    # Why some could not be (no AlterConfigs right, say). Not fatal: a worker that cannot
    # change a topic's settings must still read it.
    not_restamped: str | None = None
    # Event topics with more partitions than kafka.partitions -> their count. Not fatal: the
    # worker moves the extra partitions' events (streams/worker/grown.py).
    grown: dict[str, int] = field(default_factory=dict)


def ensure_topics(
    cfg: KafkaConfig, ready_within: float = 60.0, compacted: Sequence[str] = ()
) -> Ensured:
    """Create missing topics (the worker's, and ``compacted``: its tables' changelogs, made
    as Faust makes them) and wait until every partition of every topic has a leader; fail
    clearly when an existing one has the wrong partition count (Faust tables need the same count
    as the topics they are fed from), but an event topic given more is reported in ``grown``
    and read (the worker moves its extra partitions' events). Existing event and tick topics
    that still keep the producer's time stamp are switched to the broker's (``BROKER_STAMPED``,
    set alone: the topic's other settings are left as they are), so a deployment made before
    that setting gets it too.

    The wait matters on a cold broker: a worker that joins its group before a topic has a leader
    is assigned nothing for it and would not look again until its next metadata refresh, minutes
    later."""
    import time

    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError

    topics = Topics.from_config(cfg)
    names = [*topics.all(), *compacted]
    stamped = {*topics.events.values(), topics.ticks}  # the topics BROKER_STAMPED is for
    configs = {**dict.fromkeys(compacted, COMPACTED), **dict.fromkeys(stamped, BROKER_STAMPED)}
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap, client_id="cxpulse-admin")
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            # another worker may create them at the same moment: fine
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [
                        NewTopic(
                            n,
                            cfg.partitions,
                            cfg.replication,
                            topic_configs=configs.get(n, {}),
                        )
                        for n in missing
                    ],
                    validate_only=False,
                )
        restamped: list[str] = []
        not_restamped = None
        try:
            restamped = restamp(admin, [n for n in names if n in existing and n in stamped])
        except (KafkaError, TopicError) as exc:
            not_restamped = said(exc)
            log.warning(
                "could not set %s on the existing event and tick topics (%s); the latency "
                "metric and the arrival bounds follow the worker's and producers' clocks until "
                "it is set by hand",
                _SETTING,
                not_restamped,
            )
        grown: dict[str, int] = {}
        for meta in admin.describe_topics([n for n in names if n in existing]):
            count = len(meta["partitions"])
            if count > cfg.partitions and meta["name"] in topics.events.values():
                # An upstream team gave it more: the worker reads and moves the extra
                # partitions' events (streams/worker/grown.py). Refusing to start would leave
                # every store unwatched for one topic's change.
                grown[meta["name"]] = count
            elif count != cfg.partitions:
                raise TopicError(
                    f"topic {meta['name']} has {count} partitions, the configuration says "
                    f"{cfg.partitions} (kafka.partitions); they must match"
                )
        deadline = time.monotonic() + ready_within
        waiting = leaderless(admin.describe_topics(names), cfg.partitions)
        while waiting:
            if time.monotonic() > deadline:
                raise TopicError(
                    f"after {ready_within:g}s these topics still have partitions without a "
                    f"leader: {', '.join(sorted(waiting))}; is the broker healthy?"
                )
            time.sleep(0.2)  # a leader is elected asynchronously after creation
            waiting = leaderless(admin.describe_topics(sorted(waiting)), cfg.partitions)
        if grown:
            log.warning(
                "event topics with more partitions than kafka.partitions (%d): %s; the worker "
                "moves their extra partitions' events to their stores' partitions. Give the "
                "topics back their count (README, Operations)",
                cfg.partitions,
                ", ".join(f"{t} ({c})" for t, c in sorted(grown.items())),
            )
        return Ensured(missing, restamped, not_restamped, grown)
    finally:
        admin.close()


def remake(cfg: KafkaConfig, changelogs: Sequence[str] = ()) -> list[str]:
    """Make the worker's topics again where they have gone (deleted under a running worker),
    and its tables' ``changelogs``; the topics it made. Sends to a deleted topic are otherwise
    retried until they time out, each asking the broker for the topic's metadata in a tight
    loop (thousands of requests a second, seen on the local broker), and nothing reaches it
    meanwhile: the wall's snapshots, dead letters, alerts. A deleted changelog is worse: the
    producer's flush before a commit or a rebalance waits for it for good, and the worker
    stops consuming."""
    made = ensure_topics(cfg, compacted=changelogs).created
    if made:
        log.warning(
            "topics %s were gone (deleted while the worker ran?): made again with %d partitions",
            ", ".join(made),
            cfg.partitions,
        )
    return made


def restamp(admin: Any, topics: list[str]) -> list[str]:
    """Give ``topics`` the broker's stamps (``BROKER_STAMPED``) where they lack them; the
    topics changed. Incremental only: a whole-config alter would reset what an operator set on
    the topic (its retention, say) to the broker's defaults."""
    from kafka.admin import ConfigResource, ConfigResourceType

    if not topics:
        return []
    described = admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics], config_filter="all"
    )["topic"]
    stale = [
        t
        for t in topics
        if any(described[t].get(k, {}).get("value") != v for k, v in BROKER_STAMPED.items())
    ]
    if stale:
        answers = admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t, configs=BROKER_STAMPED) for t in stale],
            incremental=True,
        )["topic"]
        refused = {t: str(a) for t, a in answers.items() if a != "OK"}
        if refused:
            raise TopicError(
                f"the broker refused {refused}; set it with kafka-configs.sh --alter, or give "
                "the worker's Kafka user AlterConfigs on its topics"
            )
        log.warning(
            "topics %s kept the producer's time stamps; they now take the broker's (%s)",
            ", ".join(stale),
            _SETTING,
        )
    return stale


def leaderless(described: list[dict[str, Any]], partitions: int) -> set[str]:
    """The topics in a describe answer that are not yet fully usable: unknown, fewer
    partitions than made, or a partition without a leader."""
    return {
        meta["name"]
        for meta in described
        if meta["error_code"] != 0
        or len(meta["partitions"]) < partitions
        or any(p["error_code"] != 0 or p["leader_id"] < 0 for p in meta["partitions"])
    }


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
