"""The CX wall: the dashboard a region's managers keep on a screen all day.

Six numbers on top (read from across the room), two trends, then the stores to call first.
grafana/README.md describes which panel answers which question; keep the two in step.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as d

from grafana import kit
from grafana.kit import FILTER, W1H, W24H, by_store, steps

RATINGS = "cxpulse:store_ratings_by_value:info"  # recording rule: ratings joined with store info


def share(ratings: str, window: str = "1h") -> str:
    """Rolled-up share of the given ratings: summed counts, not an average of store ratios,
    so a store with 3 ratings does not weigh as much as one with 300."""
    return (
        f'sum({RATINGS}{{window="{window}",rating=~"{ratings}",{FILTER}}})'
        f' / sum({RATINGS}{{window="{window}",{FILTER}}})'
    )


CSAT = share("4|5")  # top-2-box (domain.md)
DELIGHT = share("5")  # the share of 5s, tracked apart (the Xerox finding)
# The worker's default thresholds (satisfaction.csat_low / csat_recover), so the wall turns red
# where the alert fires and green where it resolves.
CSAT_STEPS = ((None, "red"), (0.60, "orange"), (0.70, "green"))
# Product defaults, not domain figures: below a quarter of 5s is weak, 40 % is good.
DELIGHT_STEPS = ((None, "red"), (0.25, "orange"), (0.40, "green"))
# crisis.warning_at: the score at which one store's crisis becomes an incident.
CRISIS_AT = 4
# word_of_mouth.reach_recover / reach_high: the per-store reach alert levels.
REACH_STEPS = ((None, "green"), (25_000, "orange"), (50_000, "red"))


def build() -> d.Dashboard:
    db = (
        d.Dashboard("CX wall")
        .uid("cxpulse-wall")
        .description("Customer experience now, for a screen on the wall (kiosk mode).")
        .tags(["cxpulse", "wall"])
        .refresh(kit.REFRESH)
        .time("now-6h", "now")
        .timezone("browser")
        .variables(kit.variables())
        .with_row(d.Row("Now"))
        .with_panel(
            kit.big_stat(
                "CSAT now",
                CSAT,
                unit="percentunit",
                decimals=0,
                thresholds=steps(*CSAT_STEPS),
                description="Share of 4s and 5s among all ratings of the last hour, "
                "selected stores together. Red below 60 % (the alert level), green from 70 %.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Delight rate",
                DELIGHT,
                unit="percentunit",
                decimals=0,
                thresholds=steps(*DELIGHT_STEPS),
                description="Share of 5s in the last hour. A 5 is not a 4: customers who give "
                "5 are six times as likely to come back.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Complaints on the clock",
                "sum(cxpulse_sla_open_deadlines)",
                unit="none",
                decimals=0,
                thresholds=steps((None, "green"), (20, "orange"), (50, "red")),
                description="Open complaints with an SLA deadline still ahead, whole network "
                "(the worker does not label this by store). A complaint whose every deadline "
                "has passed counts under SLA breaches instead.",
            )
        )
        .with_panel(
            kit.big_stat(
                "SLA breaches 24 h",
                'sum(increase(cxpulse_sla_events_total{transition="breached"}[24h]))',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Complaint clocks that passed their deadline in the last 24 "
                "hours, whole network. Anything above zero is red.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Active crises",
                f"sum({by_store('cxpulse_store_crisis_score')} >= bool {CRISIS_AT})",
                unit="none",
                decimals=0,
                thresholds=kit.zero_is_good(),
                description=f"Stores whose crisis score is at or above {CRISIS_AT}, the "
                "incident level (one food-poisoning mention).",
            )
        )
        .with_panel(
            kit.big_stat(
                "Negative reach 24 h",
                f"sum({by_store('cxpulse_store_negative_reach', W24H)})",
                unit="short",
                decimals=0,
                thresholds=steps(*REACH_STEPS),
                description="People who heard of a bad experience at the selected stores in "
                "the last 24 hours (word-of-mouth model). Orange and red at the per-store "
                "alert levels.",
            )
        )
        .with_row(d.Row("Trend"))
        .with_panel(
            kit.trend(
                "CSAT and delight",
                (CSAT, "CSAT"),
                (DELIGHT, "delight"),
                unit="percentunit",
                min_val=0,
                max_val=1,
                description="The two top numbers over the dashboard's time range.",
            )
        )
        .with_panel(
            kit.trend(
                "Negatives in the last hour vs normal",
                (f"sum({by_store('cxpulse_store_negatives_last_hour')})", "last hour"),
                (f"sum({by_store('cxpulse_store_negatives_baseline')})", "normal for the hour"),
                unit="none",
                min_val=0,
                description="Negative experiences (low ratings, negative reviews and calls, "
                "complaints) in the last 60 minutes against the same hour of a normal week.",
            )
        )
        .with_row(d.Row("Stores to call first"))
        .with_panel(
            kit.ranking(
                "Lowest CSAT now",
                f"sort(bottomk(10, {by_store('cxpulse_store_csat_ratio', W1H)}))",
                unit="percentunit",
                min_val=0,
                max_val=1,
                thresholds=steps(*CSAT_STEPS),
                description="The ten stores with the lowest CSAT over the last hour, worst "
                "first. Stores with too few ratings for a rate are left out.",
            )
        )
        .with_panel(
            kit.ranking(
                "Highest crisis score",
                f"sort_desc(topk(10, {by_store('cxpulse_store_crisis_score')}))",
                unit="none",
                min_val=0,
                thresholds=steps((None, "green"), (CRISIS_AT, "orange"), (8, "red")),
                description="Crisis score per store: media, regulator, legal and safety words, "
                "special customers, post reach and spikes. Orange is an incident, red critical.",
            )
        )
    )
    return db
