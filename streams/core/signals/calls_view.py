"""What is read from ``CallStats``: the figures per scope and window, and the alerts.

Alerts are threshold rules with hysteresis (``hysteresis.step``) on the store and each queue:
fire at the threshold, resolve only when clearly better, hold in between, so a store hovering
around 10 % abandonment pages once. Not per agent: the queue's waiting is not one agent's doing.
The firing state lives in ``CallStats.firing`` and travels with the state, so a restarted
worker neither fires twice nor forgets to resolve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemas.alerts import AlertEvent
from streams.core import alerting, hysteresis, windows
from streams.core.signals.calls import (
    ANSWERED,
    BOUNCED,
    HANDLE_MS,
    IDENTIFIED,
    IN_SL,
    OFFERED,
    REPEAT,
    RESOLVED,
    RESOLVED_KNOWN,
    SCOPES,
    STORE_ID,
    TRANSFERRED,
    WAIT_MS,
    WIDTH,
    CallConfig,
    CallStats,
    CallWindow,
    Scope,
)

KIND = "calls"
ABANDONMENT_RULE = "call_abandonment_high"
SERVICE_LEVEL_RULE = "call_service_level_low"
STORE_TARGET = "store"  # keys of CallStats.firing: "store" or "queue:<name>"
QUEUE_PREFIX = "queue:"
# A rate exactly at a bound must count as at it, and 0.10 - 0.03 is 0.07000000000000001.
EPS = 1e-9


@dataclass(frozen=True)
class CallView:
    """One scope's figures over one window. Rates are None below `min_offered` calls (an
    abandonment rate from 2 calls is noise) or when their denominator is 0."""

    offered: int
    answered: int
    abandoned: int
    abandonment: float | None  # abandoned / offered
    asa: float | None  # average speed of answer: total wait / answered, seconds
    aht: float | None  # average handle time: (talk + hold + wrap) / answered, seconds
    # Answered within N s / offered. Calls abandoned within N s stay in the denominator, as in
    # the common definition: a caller who gave up after 15 s was not served.
    service_level: float | None
    transfer_rate: float | None  # answered calls transferred at least once / answered
    repeated_transfer_rate: float | None  # transferred twice or more / answered
    fcr: float | None  # resolved / answered calls whose resolution is given
    repeat_rate: float | None  # calls whose customer called within N h before / identified calls


def view_of(counts: list[int], cfg: CallConfig) -> CallView:
    offered, answered = counts[OFFERED], counts[ANSWERED]
    enough = offered >= cfg.min_offered

    def rate(num: float, den: int) -> float | None:
        return num / den if enough and den else None

    return CallView(
        offered=offered,
        answered=answered,
        abandoned=offered - answered,
        abandonment=rate(offered - answered, offered),
        asa=rate(counts[WAIT_MS] / 1000, answered),
        aht=rate(counts[HANDLE_MS] / 1000, answered),
        service_level=rate(counts[IN_SL], offered),
        transfer_rate=rate(counts[TRANSFERRED], answered),
        repeated_transfer_rate=rate(counts[BOUNCED], answered),
        fcr=rate(counts[RESOLVED], counts[RESOLVED_KNOWN]),
        repeat_rate=rate(counts[REPEAT], counts[IDENTIFIED]),
    )


def totals(stats: CallStats, scope: Scope, sid: str, now: float, w: CallWindow) -> list[int]:
    buckets = stats.scopes.get(scope, {}).get(sid, {}).get(w.label, {})
    return windows.totals(buckets, now, w.seconds, w.bucket, WIDTH)


def views(stats: CallStats, now: float, cfg: CallConfig) -> dict[tuple[str, str, str], CallView]:
    """Every scope's figures for every window ending at `now` (the caller's watermark), keyed
    by (scope, scope id, window label); the store's id is "". Queues and agents without a call
    in a window are left out of it; the store is always there, zeros included."""
    out: dict[tuple[str, str, str], CallView] = {}
    for scope in SCOPES:
        ids = [STORE_ID] if scope == "store" else sorted(stats.scopes.get(scope, {}))
        for sid in ids:
            for w in cfg.windows:
                counts = totals(stats, scope, sid, now, w)
                if counts[OFFERED] or scope == "store":
                    out[(scope, sid, w.label)] = view_of(counts, cfg)
    return out


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
    w = cfg.window()
    queues = set(stats.scopes.get("queue", {}))
    gone = {t.removeprefix(QUEUE_PREFIX) for t in stats.firing if t != STORE_TARGET} - queues
    store_offered = totals(stats, "store", STORE_ID, now, w)[OFFERED]
    out: list[AlertEvent] = []
    for queue in [None, *sorted(queues | gone)]:
        target = STORE_TARGET if queue is None else QUEUE_PREFIX + queue
        where = _Where(store_id, queue, labels, now, event_id)
        if queue in gone:
            # Pruned: no call within the longest window. Holding would leave the alert open
            # with nothing left that could ever resolve it.
            longest = max(x.seconds for x in cfg.windows)
            texts = (
                f"{where.zh}近 {_dur_zh(longest)}无来电，告警关闭",
                f"{where.en}: no calls in the last {_dur_en(longest)}, alert closed",
            )
            for rule, since in sorted(stats.firing.pop(target).items()):
                out.append(where.alert(rule, False, since, texts, {}))
            continue
        counts = totals(stats, "store" if queue is None else "queue", queue or STORE_ID, now, w)
        # A queue carrying all of the store's calls says what the store's alert says: it may
        # not fire on its own (one page, not two), but once firing it is judged to resolve.
        whole_store = queue is not None and counts[OFFERED] == store_offered
        view = view_of(counts, cfg)
        for rule, judge in _RULES.items():
            judged = judge(view, counts, cfg, w, where)
            if judged is None:
                continue  # below min_offered: a handful of calls neither fires nor resolves
            bad, good, texts_by, values = judged
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
            out.append(where.alert(rule, fire, change.since, texts_by[fire], values))
    return tuple(out)


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
            kind=KIND,
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


Texts = dict[bool, tuple[str, str]]  # firing? -> (zh, en)
Judged = tuple[bool, bool, Texts, dict[str, float]] | None  # bad, good, texts, values


def _abandonment(
    view: CallView, counts: list[int], cfg: CallConfig, w: CallWindow, where: _Where
) -> Judged:
    if view.abandonment is None:
        return None
    rate, thr, n = view.abandonment, cfg.abandonment_threshold, view.offered
    pct, d_zh, d_en = f"{rate:.0%}", _dur_zh(w.seconds), _dur_en(w.seconds)
    texts = {
        True: (
            f"{where.zh} 电话放弃率 {pct}（近 {d_zh} {n} 通来电，阈值 {thr:.0%}）",
            f"{where.en}: call abandonment {pct} ({n} calls in the last {d_en}, "
            f"threshold {thr:.0%})",
        ),
        False: (
            f"{where.zh} 电话放弃率已恢复至 {pct}（近 {d_zh} {n} 通来电）",
            f"{where.en}: call abandonment back to {pct} ({n} calls in the last {d_en})",
        ),
    }
    values = {
        "abandonment": round(rate, 4),
        "offered": float(n),
        "abandoned": float(view.abandoned),
        "threshold": thr,
        "window_seconds": w.seconds,
    }
    bad = rate >= thr - EPS
    good = rate <= thr - cfg.abandonment_recover_margin + EPS
    return bad, good, texts, values


def _service_level(
    view: CallView, counts: list[int], cfg: CallConfig, w: CallWindow, where: _Where
) -> Judged:
    if view.service_level is None:
        return None
    rate, target, n = view.service_level, cfg.service_level_target, view.offered
    pct, d_zh, d_en = f"{rate:.0%}", _dur_zh(w.seconds), _dur_en(w.seconds)
    secs = f"{cfg.service_level_seconds:g}"
    texts = {
        True: (
            f"{where.zh} 电话 {secs} 秒接通率 {pct}（近 {d_zh} {n} 通来电，目标 {target:.0%}）",
            f"{where.en}: {pct} of calls answered within {secs} s ({n} calls in the last "
            f"{d_en}, target {target:.0%})",
        ),
        False: (
            f"{where.zh} 电话 {secs} 秒接通率已恢复至 {pct}（近 {d_zh} {n} 通来电）",
            f"{where.en}: calls answered within {secs} s back to {pct} ({n} calls in the "
            f"last {d_en})",
        ),
    }
    values = {
        "service_level": round(rate, 4),
        "offered": float(n),
        "answered_within": float(counts[IN_SL]),
        "target": target,
        "service_level_seconds": cfg.service_level_seconds,
        "window_seconds": w.seconds,
    }
    # Meeting the target exactly is meeting it: "80/20" asks for at least 80 % within 20 s.
    bad = rate < target - EPS
    good = rate >= target + cfg.service_level_recover_margin - EPS
    return bad, good, texts, values


_RULES: dict[str, Callable[[CallView, list[int], CallConfig, CallWindow, _Where], Judged]] = {
    ABANDONMENT_RULE: _abandonment,
    SERVICE_LEVEL_RULE: _service_level,
}


def _dur_zh(seconds: float) -> str:
    return f"{seconds / 3600:g} 小时" if seconds % 3600 == 0 else f"{seconds / 60:g} 分钟"


def _dur_en(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds % 3600 == 0 else f"{seconds / 60:g} min"
