"""A store's signals as one object: for the signals topic, the metrics and the CLI."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from schemas.signals import CallSignals, SignalSnapshot, WindowSignals
from streams.core import alerting
from streams.core.signals import calls_view, crisis, reach, satisfaction, spikes
from streams.core.signals import fields as F
from streams.core.store import Signals, StoreState


def window_label(seconds: float) -> str:
    if seconds % 86400 == 0:
        return f"{int(seconds // 86400)}d" if seconds > 86400 else "24h"
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 60)}m"


def snapshot(state: StoreState, now: float | None, sig: Signals) -> SignalSnapshot:
    """The store's signals as of ``now`` (default: its newest event time)."""
    c = sig.cfg
    at = now if now is not None else (state.watermark or 0.0)
    out = []
    for w in c.satisfaction.windows:
        t = state.stats.totals(at, w)
        s = satisfaction.from_totals(t, w, c.satisfaction)
        r = reach.from_totals(t, w, c.word_of_mouth)
        out.append(
            WindowSignals(
                window=window_label(w),
                ratings=s.ratings,
                rating_counts=list(s.counts),
                csat=_r(s.csat),
                delight=_r(s.delight),
                mean_rating=_r(s.mean),
                nps=_r(s.nps),
                nps_counts=[t[F.PROMOTERS], t[F.PASSIVES], t[F.DETRACTORS]],
                ces=_r(s.ces),
                expectation_gap=_r(s.expectation_gap),
                negatives=t[F.NEGATIVE],
                unhappy=r.unhappy,
                positives=r.positives,
                reach=r.reach,
                repair_debt=r.repair_debt,
            )
        )
    spike = spikes.view(state.spikes, state.stats, at, c.spikes)
    return SignalSnapshot(
        store_id=state.store_id,
        labels=state.labels,
        observed_at=alerting.at(at),
        windows=out,
        crisis_score=crisis.view(state.stats, state.firing, at, c.crisis).score,
        negatives_last_hour=spike.last_hour,
        negatives_baseline=_r(spike.mean),
        firing=sorted(k for k in state.firing if ":level" not in k),
        calls=[
            CallSignals(scope=scope, scope_id=sid, window=w, **_rounded(v))
            for (scope, sid, w), v in sorted(calls_view.views(state.calls, at, c.calls).items())
        ],
    )


# A view's fields read one by one, not ``dataclasses.asdict``: its deep copy was a fifth of a
# busy worker's time, for fields that are all numbers. Not ``vars`` either: a compiled view
# (``streams.native``) has no ``__dict__``.
_VIEW_FIELDS = tuple(f.name for f in fields(calls_view.CallView))


def _rounded(view: calls_view.CallView) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in _VIEW_FIELDS:
        v = getattr(view, k)
        out[k] = round(v, 4) if isinstance(v, float) else v
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
