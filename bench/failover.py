"""A worker lost: one of two workers of a group SIGKILLed, and the time until the survivor has
taken over its partitions.

Timed from the group's committed offsets on the broker: a partition is taken over once its
commits move again, which needs both the group's handover and the survivor's restored state.
"""

from __future__ import annotations

import signal
import time

from bench.harness import BenchError, Procs, WorkerRun
from cxpulse.config import KafkaConfig
from streams.topics import Topics

Offsets = dict[tuple[str, int], tuple[int, int]]  # (topic, partition) -> (committed, end)


class GroupOffsets:
    """Committed and end offsets of a group on the event topics. Committed offsets come from
    the admin API: a consumer's ``committed()`` answered from a stale cache here."""

    def __init__(self, cfg: KafkaConfig, group: str) -> None:
        from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

        self.group = group
        self.admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap)
        self.c = KafkaConsumer(bootstrap_servers=cfg.bootstrap, enable_auto_commit=False)
        self.tps = [
            TopicPartition(t, p)
            for t in Topics.from_config(cfg).events.values()
            for p in range(cfg.partitions)
        ]

    def read(self) -> Offsets:
        ends = self.c.end_offsets(self.tps, timeout_ms=10_000)
        done = self.admin.list_group_offsets(self.group).get(self.group, {})
        return {
            (tp.topic, tp.partition): (done[tp].offset if tp in done else -1, ends[tp])
            for tp in self.tps
        }

    def close(self) -> None:
        self.c.close()
        self.admin.close()


def kill_and_time_failover(
    procs: Procs,
    victim: WorkerRun,
    survivor: WorkerRun,
    cfg: KafkaConfig,
    app: str,
    timeout: float,
    poll: float,
) -> float:
    """SIGKILL ``victim`` and wait until ``survivor`` has committed every event; returns the
    seconds from the kill until the last partition with work left at the kill moved again."""
    group = GroupOffsets(cfg, app)
    at_kill = group.read()
    victim.proc.send_signal(signal.SIGKILL)
    killed = time.time()
    victim.proc.wait()
    procs.running = [(nm, p) for nm, p in procs.running if p is not victim.proc]
    # Every partition with work left at the kill must move again; the dead worker's are
    # the last to, once the group has handed them over and the survivor has their state.
    behind = {tp for tp, (done, end) in at_kill.items() if max(done, 0) < end}
    moved: dict[tuple[str, int], float] = {}
    deadline = time.monotonic() + timeout
    while len(moved) < len(behind):
        if time.monotonic() > deadline:
            raise BenchError(f"failover: {len(behind) - len(moved)} partitions never moved")
        procs.check_alive(survivor.proc)
        now = group.read()
        for tp in behind - set(moved):
            if now[tp][0] > at_kill[tp][0]:
                moved[tp] = time.time() - killed
        time.sleep(poll)
    failover = max(moved.values(), default=0.0)
    while any(max(done, 0) < end for done, end in group.read().values()):
        if time.monotonic() > deadline:
            raise BenchError("failover: the survivor never committed every event")
        procs.check_alive(survivor.proc)
        time.sleep(poll)
    group.close()
    return failover
