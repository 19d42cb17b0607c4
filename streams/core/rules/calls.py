"""The call rules on the store and each of its queues (``call_abandonment_high``,
``call_service_level_low``): thresholds with hysteresis, so a store hovering around 10 %
abandonment pages once. Not per agent: the queue's waiting is not one agent's doing. The firing
state lives in ``CallStats.firing`` and travels with the state, so a restarted worker neither
fires twice nor forgets to resolve.
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.alerts import AlertEvent
from streams.core import alerting, hysteresis
from streams.core.rules import call_abandonment_high, call_service_level_low
from streams.core.rules.base import Rule
from streams.core.signals.calls import (
    OFFERED,
    STORE_ID,
    CallStats,
    Scope,
)
from streams.core.signals.calls_config import CallConfig, CallWindow
from streams.core.signals.calls_view import CallView, dur_en, dur_zh, totals, view_of

STORE_TARGET = "store"  # keys of CallStats.firing: "store" or "queue:<name>"
QUEUE_PREFIX = "queue:"
Judge = Callable[[CallView, list[int], CallConfig, CallWindow, float], call_abandonment_high.Judged]
JUDGES: tuple[tuple[Rule, Judge], ...] = (
    (call_abandonment_high.RULE, call_abandonment_high.judge),
    (call_service_level_low.RULE, call_service_level_low.judge),
)


def evaluate(
    stats: CallStats,
    now: float,
    store_id: str,
    labels: dict[str, str],
    event_id: str | None,
    cfg: CallConfig,
) -> tuple[AlertEvent, ...]:
    """Judge the store and each queue on the evaluated window ending at `now` (the caller's
    watermark); updates `stats.firing` in place. `labels` (brand, region, city ...) are carried
    on the alerts but do not identify them, so a renamed brand does not split an alert."""
    queues = set(stats.scopes.get("queue", {}))
    gone = {t.removeprefix(QUEUE_PREFIX) for t in stats.firing if t != STORE_TARGET} - queues
    ladder = cfg.ladder()
    # Every window of the store is read once: for the queues' comparison and for its own judge.
    store = {w.label: totals(stats, "store", STORE_ID, now, w) for w in ladder}
    out: list[AlertEvent] = []
    for queue in [None, *sorted(queues | gone)]:
        target = STORE_TARGET if queue is None else QUEUE_PREFIX + queue
        if queue in gone:
            where = _Where(store_id, queue, labels, now, event_id)
            # Pruned: no call within the longest window. Holding would leave the alert open
            # with nothing left that could ever resolve it.
            longest = max(x.seconds for x in cfg.windows)
            texts = (
                f"{where.zh}近 {dur_zh(longest)}无来电，告警关闭",
                f"{where.en}: no calls in the last {dur_en(longest)}, alert closed",
            )
            for rule, since in sorted(stats.firing.pop(target).items()):
                out.append(where.alert(rule, False, since, texts, {}))
            continue
        evidence = _evidence(stats, queue, now, cfg, ladder, store)
        if evidence is None:
            continue  # too few calls in every window: neither fires nor resolves
        w, counts = evidence
        # A queue carrying all of the store's calls says what the store's alert says: it may
        # not fire on its own (one page, not two), but once firing it is judged to resolve.
        whole_store = queue is not None and counts[OFFERED] == store[w.label][OFFERED]
        view = view_of(counts, cfg)
        covered = now - stats.first if stats.first is not None else w.seconds
        for spec, judge in JUDGES:
            rule = str(spec.name)  # a plain str key in the state's JSON form
            judged = judge(view, counts, cfg, w, covered)
            if judged is None:
                continue  # below min_offered: a handful of calls neither fires nor resolves
            bad, good, facts, values = judged
            bad = bad and not whole_store
            firing = stats.firing.get(target, {})
            change = hysteresis.step(firing.get(rule), bad=bad, good=good, now=now)
            if change is None:
                continue
            fire = change.transition == "fire"
            if fire:
                stats.firing.setdefault(target, {})[rule] = change.since
            else:
                del firing[rule]
                if not firing:
                    del stats.firing[target]
            # Named only for a page: most calls change no alert.
            where = _Where(store_id, queue, labels, now, event_id)
            text = spec.texts(fire, {**facts, "where_zh": where.zh, "where_en": where.en})
            out.append(where.alert(rule, fire, change.since, (text.zh, text.en), values))
    return tuple(out)


def _evidence(
    stats: CallStats,
    queue: str | None,
    now: float,
    cfg: CallConfig,
    ladder: tuple[CallWindow, ...],
    store: dict[str, list[int]],
) -> tuple[CallWindow, list[int]] | None:
    """The shortest window holding ``evidence_calls`` calls at the store or queue, with its
    counts; failing that the longest, once it holds ``min_offered``; else None. ``store``: the
    store's counts by window label, read already."""
    scope: Scope = "store" if queue is None else "queue"
    sid = queue or STORE_ID
    counts: list[int] = []
    for w in ladder:
        counts = store[w.label] if queue is None else totals(stats, scope, sid, now, w)
        if counts[OFFERED] >= cfg.evidence_calls:
            return w, counts
    return (ladder[-1], counts) if counts[OFFERED] >= cfg.min_offered else None


class _Where:
    """The store or one of its queues: its alert identity, its name in both languages."""

    def __init__(
        self,
        store_id: str,
        queue: str | None,
        labels: dict[str, str],
        now: float,
        event_id: str | None,
    ) -> None:
        self.identity = {"store_id": store_id} | ({"queue": queue} if queue else {})
        self.extra = {k: v for k, v in labels.items() if k not in self.identity}
        self.zh = f"门店 {store_id}" + (f" {queue} 队列" if queue else "")
        self.en = f"Store {store_id}" + (f" queue {queue}" if queue else "")
        self.now, self.event_id = now, event_id

    def alert(
        self, rule: str, fire: bool, since: float, texts: tuple[str, str], values: dict[str, float]
    ) -> AlertEvent:
        return alerting.make(
            rule=rule,
            kind="calls",
            severity="warning",
            status="firing" if fire else "resolved",
            identity=self.identity,
            since=since,
            now=self.now,
            zh=texts[0],
            en=texts[1],
            labels=self.extra,
            values=values,
            source_event_id=self.event_id,
        )
