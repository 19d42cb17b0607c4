"""The CX wall: the dashboard a region's managers keep on a screen all day.

Six numbers on top (read from across the room), two trends, then the stores to call first.
grafana/README.md describes which panel answers which question; keep the two in step.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as d

from grafana import kit
from grafana.kit import W24H, by_store, listed, rollup, share, steps

# The wall's numbers follow the region and city picked (the city rollups carry both); the
# brand table and the store lists follow the brand too.
CSAT = share("city", "4|5", "1h")  # top-2-box (domain.md), summed counts, last hour
DELIGHT = share("city", "5", "1h")  # the share of 5s, tracked apart (the Xerox finding)
# The worker's default thresholds (satisfaction.csat_low / csat_recover), so the wall turns red
# where the alert fires and green where it resolves.
CSAT_STEPS = ((None, "red"), (0.60, "orange"), (0.70, "green"))
# Product defaults, not domain figures: below a quarter of 5s is weak, 40 % is good.
DELIGHT_STEPS = ((None, "red"), (0.25, "orange"), (0.40, "green"))
# crisis.warning_at: the score at which one store's crisis becomes an incident.
CRISIS_AT = 4
# word_of_mouth.reach_recover / reach_high: the per-store reach alert levels.
REACH_STEPS = ((None, "green"), (25_000, "orange"), (50_000, "red"))


def groups(level: str) -> tuple[tuple[str, str, str], ...]:
    """The columns of a rollup table: one row per brand or region, worst CSAT first."""
    w = 'window="24h"'
    return (
        (share(level, "4|5", "24h", by=level), "CSAT", "percentunit"),
        (share(level, "5", "24h", by=level), "delight", "percentunit"),
        (kit.nps(level, "24h", by=level), "NPS", "none"),
        (f"sum by ({level}) ({rollup(level, 'negatives', w)})", "negatives", "none"),
        (f"sum by ({level}) ({rollup(level, 'negative_reach', w)})", "negative reach", "short"),
        (f"sum by ({level}) ({rollup(level, 'stores')})", "stores", "none"),
    )


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
                "incident level (one food-poisoning mention). Counted over the listed stores, "
                "which hold the highest crisis scores of every worker.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Negative reach 24 h",
                f"sum({rollup('region', 'negative_reach', W24H)})",
                unit="short",
                decimals=0,
                thresholds=steps(*REACH_STEPS),
                description="People who heard of a bad experience in the selected regions in "
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
                (f"sum({rollup('region', 'negatives_last_hour')})", "last hour"),
                (f"sum({rollup('region', 'negatives_baseline')})", "normal for the hour"),
                unit="none",
                min_val=0,
                description="Negative experiences (low ratings, negative reviews and calls, "
                "complaints) in the last 60 minutes against the same hour of a normal week.",
            )
        )
        .with_row(d.Row("Regions, brands and cities"))
        .with_panel(
            kit.grid(
                "Regions, 24 h",
                *groups("region"),
                description="Every region, lowest CSAT first: ratings, NPS answers, negatives "
                "and reach summed over all of its stores.",
                width=12,
            )
        )
        .with_panel(
            kit.grid(
                "Brands, 24 h",
                *groups("brand"),
                description="Every brand, lowest CSAT first, summed over all of its stores.",
                width=12,
            )
        )
        .with_panel(
            kit.ranking(
                "Cities with the lowest CSAT, 24 h",
                f"sort(bottomk(15, {share('city', '4|5', '24h', by='region, city')}))",
                legend="{{city}} {{region}}",
                unit="percentunit",
                min_val=0,
                max_val=1,
                thresholds=steps(*CSAT_STEPS),
                description="The fifteen cities with the lowest share of 4s and 5s over the "
                "last 24 hours, all of their stores' ratings together.",
                width=24,
            )
        )
        .with_row(d.Row("Stores to call first"))
        .with_panel(
            kit.ranking(
                "Lowest CSAT, 24 h",
                f"sort(bottomk(10, {listed('cxpulse_store_csat_ratio', W24H, 'csat|alert')}))",
                unit="percentunit",
                min_val=0,
                max_val=1,
                thresholds=steps(*CSAT_STEPS),
                description="The ten stores with the lowest CSAT over the last 24 hours among "
                "those surely below par (the top of the Wilson interval lowest) and those with "
                "an alert firing, worst first. Stores with too few ratings are left out.",
            )
        )
        .with_panel(
            kit.ranking(
                "Most negatives, 24 h",
                f"sort_desc(topk(10, {by_store('cxpulse_store_negatives', W24H)}))",
                unit="none",
                min_val=0,
                thresholds=steps((None, "blue")),
                description="The ten stores with the most negative experiences (low ratings, "
                "negative reviews and calls, complaints) over the last 24 hours.",
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
        .with_panel(
            kit.grid(
                "Stores with an alert firing",
                (listed("cxpulse_store_csat_ratio", W24H, "alert"), "CSAT 24 h", "percentunit"),
                (listed("cxpulse_store_negatives", W24H, "alert"), "negatives 24 h", "none"),
                (listed("cxpulse_store_crisis_score", "", "alert"), "crisis score", "none"),
                description="Every store where an alert fires now, lowest CSAT first. Pick one "
                "in the Store variable to follow it on every board.",
                width=12,
            )
        )
    )
    return db
