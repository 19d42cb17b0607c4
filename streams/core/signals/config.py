"""Settings of the per-store signals. Each default taken from ``docs/domain.md`` names its
figure; the others are operational choices and say so."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streams.core.signals.calls_config import CallConfig

Seconds = Annotated[float, Field(gt=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RelativeRule(_Section):
    """Alert when the window's CSAT is clearly below the store's own trailing baseline."""

    name: str
    window: Seconds
    baseline: Seconds  # the span just before the window
    # Fire when CSAT is this far (absolute) below the baseline and clearly so: the Wilson
    # intervals of the window and of the baseline at `z` do not overlap (3.5, because it is
    # tested every minute; rules/csat_drop.py says why not a two-proportion z-test). Resolve
    # once the gap is back within `recover`. Measured on simulated normal weeks
    # (docs/domain.md "Rule guards").
    drop: Share = 0.15
    recover: Share = 0.05
    z: Annotated[float, Field(ge=0)] = 3.5
    # While the alert fires its baseline stays as it was when it fired, for at most this long;
    # then a level kept that long is learnt as the new normal (signals/baseline.py). The
    # counters keep window + baseline + hold of history (hours for the day's rule: 3 days of
    # hold keep 11 days of hour buckets, not 8). Operational default: an incident stays one for
    # the working days it takes to act on it.
    hold_baseline: Seconds = 3 * 86400


class SatisfactionConfig(_Section):
    # The wall's "now" window and its bucket.
    window: Seconds = 3600.0
    bucket: Seconds = 60.0
    # The csat_low alert judges each of these windows that holds `min_samples` ratings: a
    # busy store from its last hour on, a small one (~4 ratings an hour, most stores of a
    # chain) on as many hours as it takes, so its drop is still seen within a business day.
    # Operational default, not from domain.md. Measured with `python -m bench.precision`.
    alert_windows: list[Seconds] = [3600.0, 3 * 3600.0, 6 * 3600.0, 86400.0]
    # Every window the wall and the signals topic show at once.
    windows: list[Seconds] = [3600.0, 86400.0, 7 * 86400.0]
    # Events up to this much older than the newest one seen at a store still count; older ones
    # are counted as late and skipped.
    allowed_lateness: Seconds = 600.0
    # No alert from 2 ratings: a rate needs this many ratings in the window, and the drop
    # must be clear, not noise: fire only when the upper end of the Wilson interval of CSAT
    # (`confidence_z` standard errors; 1.64 = 95 % one-sided) is below `csat_low`.
    # Measured on simulated normal weeks of 20 stores (seeds 1-4, 12 ratings/store-hour at
    # peak): 10 ratings paged once in three of the four weeks (3 low of 10 at a store whose
    # normal CSAT is 80 %), 15 never, and 15 still catches the injected 0.35 drop within the
    # hour (tests/unit/test_replay.py). z 2.33 with 10 missed that drop. 0 turns the bound off.
    # `confidence_z` is the longest alert window's; a window k times shorter is judged at the
    # z of a k times smaller tail (bounds.window_z: 2.86 for 1 h), as it holds k times more
    # independent stretches of noise. At one z for all, a medium store's normal 3 h window
    # paged (11 satisfied of 26; bench/README.md).
    min_samples: Annotated[int, Field(ge=1)] = 15
    confidence_z: Annotated[float, Field(ge=0, le=4)] = 1.64
    # CSAT = share of 4s and 5s (top-2-box; domain.md "Satisfaction"). Alert below `csat_low`,
    # resolve at or above `csat_recover`: the gap is the hysteresis that stops flapping.
    csat_low: Share = 0.60
    csat_recover: Share = 0.70
    # The last 3 hours, today and this week against the time before them (operational
    # defaults). The hours' comparison catches an afternoon's drop at a store whose normal is
    # far above `csat_low`: a medium store (12 ratings at its busiest hour) at 85 % whose 4 h
    # incident drew 22 satisfied of 48 stayed above 60 % at the short windows' z, and one
    # bad afternoon moves a whole day too little for `day_vs_week` (`bench.precision`, seed
    # 37). Its window is read only once it holds `min_samples` ratings, so a small store's
    # thin hours are not judged by it. A rolling 3 h passes through eight independent
    # stretches a day where the day passes through one, so it is judged at an eighth of the
    # day's tail (z 4.0 for 3.5, as `bounds.window_z`): at 3.5 it paged medium stores' ordinary
    # lunches 1.0 times per 100 store-weeks (8 pages in 800, seeds 23 and 37).
    relative: list[RelativeRule] = [
        RelativeRule(name="hours_vs_week", window=3 * 3600, baseline=7 * 86400, z=4.0),
        RelativeRule(name="day_vs_week", window=86400, baseline=7 * 86400),
        RelativeRule(
            name="week_vs_month", window=7 * 86400, baseline=28 * 86400, hold_baseline=28 * 86400
        ),
    ]

    @model_validator(mode="after")
    def _check(self) -> SatisfactionConfig:
        if self.csat_recover < self.csat_low:
            raise ValueError("csat_recover must be >= csat_low (it is the hysteresis band)")
        if self.window % self.bucket:
            raise ValueError("window must be a whole number of buckets")
        if not self.alert_windows or self.alert_windows != sorted(set(self.alert_windows)):
            raise ValueError("alert_windows: at least one, shortest first, no repeats")
        if any(w % self.bucket for w in self.alert_windows):
            raise ValueError("alert_windows must be whole numbers of buckets")
        return self


class WordOfMouthConfig(_Section):
    """The reach model (README "Negative word of mouth")."""

    # domain.md: "only 4% of dissatisfied customers complain" → one complaint ≈ 25 unhappy.
    complaint_share: Annotated[float, Field(gt=0, le=1)] = 0.04
    # domain.md: "a dissatisfied customer tells 8-12 people (on average 10-12); 20% of them
    # tell about 20" → 0.8 × 10 + 0.2 × 20 = 12 people per unhappy customer.
    tells: Annotated[float, Field(ge=0)] = 10.0
    vocal_share: Share = 0.20
    vocal_tells: Annotated[float, Field(ge=0)] = 20.0
    # domain.md: "it takes about 12 positive experiences to make up for one negative one".
    repair_ratio: Annotated[float, Field(ge=0)] = 12.0
    # One post counts at most this many people in the reach: the audience an ordinary post
    # can have (the simulator's authors are log-normal around 150 followers, and 10,000 is
    # above about 99 % of its posts). The reach rules page on bad experiences spreading through
    # many voices; one post seen by many is one voice, judged by the crisis score
    # (`crisis.viral_reach`). Without it one ordinary post seen by 81,000 people paged both
    # reach rules in a normal fortnight. Operational default, not from domain.md.
    post_reach_cap: Annotated[float, Field(gt=0)] = 10_000
    # Alerts (operational defaults): 24 h reach at or above `reach_high` fires, below
    # `reach_recover` resolves; the last hour's reach at least `jump_factor` × the store's
    # mean hourly reach of the past 7 days, and at least `jump_min`, is a jump.
    window: Seconds = 86400.0
    # A single ordinary negative post in the simulator's normal traffic reaches up to ~30k
    # (log-normal audiences): 20,000 paged twice in a normal week of 20 stores.
    reach_high: Annotated[float, Field(gt=0)] = 50_000
    reach_recover: Annotated[float, Field(gt=0)] = 25_000
    jump_factor: Annotated[float, Field(gt=1)] = 5.0
    # One ordinary negative post can reach thousands: 2,000 paged 24 times in a normal
    # fortnight of 20 stores, 20,000 once.
    jump_min: Annotated[float, Field(gt=0)] = 50_000
    # While the jump alert fires, the week it is measured against stays the week before it
    # fired, for at most this long (signals/baseline.py). Operational: as csat_drop's day rule,
    # whose hour buckets are kept as long anyway.
    hold_baseline: Seconds = 3 * 86400.0

    @model_validator(mode="after")
    def _check(self) -> WordOfMouthConfig:
        # Both bars must be out of reach of any one post (capped at `post_reach_cap`).
        if min(self.reach_high, self.jump_min) <= self.post_reach_cap:
            raise ValueError("reach_high and jump_min must be above post_reach_cap")
        if self.reach_recover > self.reach_high:
            raise ValueError("reach_recover above reach_high: it never resolves")
        return self

    @property
    def per_unhappy(self) -> float:
        return (1 - self.vocal_share) * self.tells + self.vocal_share * self.vocal_tells

    def people(self, unhappy: int, audience: int) -> int:
        """The people one negative event reaches: those its unhappy customers tell, and the
        audience of a post, up to `post_reach_cap`."""
        return round(unhappy * self.per_unhappy) + round(min(audience, self.post_reach_cap))


class SpikeConfig(_Section):
    """Negative volume in the last hour against the same hour of the week (operational)."""

    # Fewer negatives than this in an hour are never a spike, and a spike is this many
    # standard deviations above the baseline. 5 and 3 paged 16 times in a normal fortnight of
    # 20 stores (Poisson tails at ~1 an hour are fat); 8 and 4 did not.
    min_count: Annotated[int, Field(ge=1)] = 8
    k: Annotated[float, Field(gt=0)] = 4.0
    # And the count must be one a Poisson hour of the baseline mean reaches less often than
    # this: the rule looks at a rolling hour of every store all week, so a one-in-3,000 hour
    # (what 4 sd is at a mean of ~2) paged a 20-rating store twice in three simulated weeks.
    # Operational default, measured with `python -m bench.precision`.
    tail: Annotated[float, Field(gt=0, lt=1)] = 1e-6
    # The tail is taken at the upper end of what the expected count could be: this many
    # standard errors of baselines that have each seen only a few hours (an EWMA of weight
    # 0.3 weighs about 6), so a slot that happened to learn a quiet few weeks does not make
    # an ordinary hour a spike. 1 raises the bar by one negative at a quiet store (11 in an
    # hour where 1 is usual) and by three at a busy one (32 where 10 is); 2 would cost a
    # small store's spike of 10 extra negatives. Operational default, measured with
    # `python -m bench.precision` (docs/domain.md "Rule guards").
    baseline_z: Annotated[float, Field(ge=0, le=5)] = 1.0
    # The same-hour-of-week baseline is used once it has this many weeks; before that the
    # store's all-hours baseline stands in.
    min_weeks: Annotated[int, Field(ge=1)] = 3
    alpha: Annotated[float, Field(gt=0, le=1)] = 0.3  # EWMA weight of the newest week/hour
    # The hours the spike alert covers stay out of the baselines (an incident is not the
    # store's normal), for at most this long while it fires: after it the level is taken as a
    # new normal and learnt again (each hour winsorised at k sd), so the alert can resolve.
    # Operational default, not from domain.md.
    hold_baseline: Seconds = 86400.0
    timezone: str = "Asia/Shanghai"  # hour of the week in the stores' local time


class CrisisConfig(_Section):
    """The crisis score of a store; one incident per store whose severity follows the score."""

    lookback: Seconds = 3600.0  # lexicon hits and post reach count for this long
    special_lookback: Seconds = 86400.0  # special customers' complaints count for this long
    # domain.md "Crisis": media exposure, regulator, lawyer/lawsuit, health and safety, bulk
    # refunds, viral posts. Points per hit, at most `max_hits_per_category` hits each.
    weights: dict[str, float] = {
        "media": 3,
        "regulator": 3,
        "legal": 3,
        "safety": 4,
        "refund": 2,
        "viral": 2,
    }
    max_hits_per_category: Annotated[int, Field(ge=1)] = 2
    # domain.md "Complaints": special customers turn complaints into crises more easily.
    special_tags: list[str] = ["media", "government", "lawyer"]
    # A special customer's complaint alone pages through the SLA engine's
    # special_customer_complaint alert; it makes an incident with any other crisis signal.
    special_points: float = 3
    spike_points: float = 3
    # One point per decade of reach of the crisis posts above 1,000 people.
    reach_floor: Annotated[float, Field(gt=0)] = 1_000
    warning_at: float = 4  # a food-poisoning report, corroborated, is an incident
    critical_at: float = 8
    # One voice is not yet a crisis: an incident needs this many independent voices (distinct
    # events saying a crisis term in the lookback, and special customers' complaints that said
    # one themselves within `special_lookback`), an active negative spike, or one post seen by
    # at least `viral_reach` people. Critical needs `critical_sources` of them (or the same
    # exceptions). A special customer's own words are never read as chance, but alone they are
    # one voice, already paged as special_customer_complaint; a journalist's complaint about a
    # slow delivery is no voice at all. Product choices, against pages on a single complaint.
    min_sources: Annotated[int, Field(ge=1)] = 2
    critical_sources: Annotated[int, Field(ge=1)] = 3
    viral_reach: Annotated[float, Field(gt=0)] = 100_000
    # And the sources must be more than the store's own rate of crisis mentions makes likely
    # by chance (signals/crisis.py chance_bar): a count reached less often than `chance_tail`
    # in a lookback, counted k times for k sources (a rolling hour meets a cluster of k about
    # k times as often as back-to-back hours). The rule reads about 100 open hours a week, so
    # 1e-4 is about one chance page per 100 store-weeks. The rate of mentions per negative has a
    # gamma prior of `prior_share` (1 %, about the share of real takeout reviews with a
    # lexicon hit) worth `prior_weight` negatives, updated by the store's past week, so a new
    # store is judged by the prior and a quiet week is not read as a rate of zero.
    # Operational defaults, measured with `python -m bench.precision`.
    chance_tail: Annotated[float, Field(gt=0, lt=1)] = 1e-4
    prior_share: Annotated[float, Field(ge=0, le=1)] = 0.01
    prior_weight: Annotated[float, Field(gt=0)] = 100.0
    resolve_below: float = 2


class SignalsConfig(_Section):
    """The parts of the configuration the store processor reads."""

    satisfaction: SatisfactionConfig = SatisfactionConfig()
    word_of_mouth: WordOfMouthConfig = WordOfMouthConfig()
    spikes: SpikeConfig = SpikeConfig()
    crisis: CrisisConfig = CrisisConfig()
    calls: CallConfig = CallConfig()
