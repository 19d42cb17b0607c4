"""The store-facing dashboards behind the wall: complaints and SLA, calls, reviews."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as d

from grafana import kit
from grafana.kit import W24H, board, by_store, ratio, rollup, steps


def sla_breaches(window: str = "24h") -> str:
    return f'sum(increase(cxpulse_sla_events_total{{transition="breached"}}[{window}]))'


def complaints() -> d.Dashboard:
    return (
        board(
            "Complaints & SLA",
            "cxpulse-complaints-sla",
            "Complaint clocks (first response, next response, periodic update, resolution, "
            "follow-up): what is open, what is late, how fast the worker notices.",
            ["complaints", "sla"],
        )
        .with_row(d.Row("Now"))
        .with_panel(
            kit.big_stat(
                "Complaints on the clock",
                "sum(cxpulse_sla_open_deadlines)",
                unit="none",
                decimals=0,
                thresholds=steps((None, "green"), (20, "orange"), (50, "red")),
                description="Open complaints with an SLA deadline still ahead; one whose "
                "deadlines have all passed counts under breaches.",
                width=6,
            )
        )
        .with_panel(
            kit.big_stat(
                "Breaches 24 h",
                sla_breaches(),
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Clocks past their deadline in the last 24 hours.",
                width=6,
            )
        )
        .with_panel(
            kit.big_stat(
                "Warnings 24 h",
                'sum(increase(cxpulse_sla_events_total{transition="warned"}[24h]))',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=steps((None, "green"), (1, "orange")),
                description="Clocks that reached their warning point (warn_before).",
                width=6,
            )
        )
        .with_panel(
            kit.big_stat(
                "Special-customer complaints 24 h",
                "sum(increase(cxpulse_alert_events_total"
                '{rule="special_customer_complaint",status="firing"}[24h]))',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Complaints by media, government or lawyer customers: crisis risk, "
                "escalated at once.",
                width=6,
            )
        )
        .with_row(d.Row("Clocks"))
        .with_panel(
            kit.ranking(
                "Breaches by clock, 24 h",
                'sum by (clock) (increase(cxpulse_sla_events_total{transition="breached"}[24h]))',
                legend="{{clock}}",
                unit="none",
                thresholds=kit.zero_is_good(),
                description="Which promise is broken most: first response, resolution, ...",
            )
        )
        .with_panel(
            kit.trend(
                "Clock changes per minute",
                (
                    "sum by (transition) (rate(cxpulse_sla_events_total[$__rate_interval])) * 60",
                    "{{transition}}",
                ),
                unit="none",
                min_val=0,
                description="activated, paused, resumed, warned, breached, fulfilled, cancelled.",
            )
        )
        .with_panel(
            kit.trend(
                "Deadline detection lag p99",
                (
                    "histogram_quantile(0.99, sum by (le) "
                    "(rate(cxpulse_sla_detection_lag_seconds_bucket[$__rate_interval])))",
                    "p99",
                ),
                unit="s",
                min_val=0,
                description="From a deadline instant to the worker acting on it: a breach "
                "pages this late at worst.",
                width=24,
            )
        )
    )


def _calls(numerator: str, denominator: str) -> str:
    """A call ratio of the selected regions from summed counts, e.g. calls answered within the
    service level over calls offered (at the stores with enough calls for rates)."""
    return ratio(
        rollup("region", f"call_{numerator}", W24H), rollup("region", f"call_{denominator}", W24H)
    )


CALL_COLUMNS = (
    ("service_level_ratio", "service level", "percentunit"),
    ("abandonment_ratio", "abandonment", "percentunit"),
    ("asa_seconds", "ASA", "s"),
    ("aht_seconds", "AHT", "s"),
    ("transfer_ratio", "transfers", "percentunit"),
    ("repeat_ratio", "repeat callers", "percentunit"),
    ("offered", "offered", "none"),
)


def calls() -> d.Dashboard:
    # Rates need min_offered calls in a window; the day has them where the hour often has not.
    return (
        board(
            "Calls",
            "cxpulse-calls",
            "The call centre by store over the last 24 hours: service level, abandonment, "
            "speed of answer, handle time, transfers, repeat calls, taboo phrases.",
            ["calls"],
        )
        .with_row(d.Row("Last 24 hours"))
        .with_panel(
            kit.big_stat(
                "Service level",
                _calls("in_service_level", "rated_offered"),
                unit="percentunit",
                decimals=0,
                thresholds=steps((None, "red"), (0.7, "orange"), (0.8, "green")),
                description="Share of calls answered within 20 s at the selected regions' "
                "stores with enough calls for a rate; the target is 80/20.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Abandonment",
                _calls("abandoned", "offered"),
                unit="percentunit",
                decimals=1,
                thresholds=steps((None, "green"), (0.05, "orange"), (0.10, "red")),
                description="Abandoned / offered, every call of the selected regions.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Speed of answer",
                _calls("wait_seconds", "rated_answered"),
                unit="s",
                decimals=0,
                thresholds=steps((None, "green"), (20, "orange"), (40, "red")),
                description="Average wait of answered calls (ASA), selected regions.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Handle time",
                _calls("handle_seconds", "rated_answered"),
                unit="s",
                decimals=0,
                thresholds=steps((None, "blue")),
                description="Talk + hold + wrap-up per handled call (AHT), selected regions.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Calls offered",
                f"sum({rollup('region', 'call_offered', W24H)})",
                unit="none",
                decimals=0,
                thresholds=steps((None, "blue")),
                description="Calls that reached the queue, selected regions.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Taboo phrases 24 h",
                'sum(increase(cxpulse_alert_events_total{rule="taboo_phrase",status="firing"}'
                "[24h]))",
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Calls where an agent said a 服务禁言 phrase.",
            )
        )
        .with_row(d.Row("Stores"))
        .with_panel(
            kit.grid(
                "Calls by store, 24 h",
                *(
                    (by_store(f"cxpulse_store_call_{m}", W24H), header, unit)
                    for m, header, unit in CALL_COLUMNS
                ),
                description="The stores listed for their abandonment or an alert (and every "
                "store of a small worker), worst service level first. A store below "
                "min_offered calls has no rates.",
            )
        )
    )


def reviews() -> d.Dashboard:
    return (
        board(
            "Reviews & sentiment",
            "cxpulse-reviews",
            "What customers say: ratings, NPS, effort, expectation, negative word of mouth, "
            "crisis signals.",
            ["reviews"],
        )
        .with_row(d.Row("Last hour"))
        .with_panel(
            kit.big_stat(
                "Reviews per hour",
                'sum(rate(cxpulse_events_consumed_total{event_type="review"}[10m])) * 3600',
                unit="none",
                decimals=0,
                thresholds=steps((None, "blue")),
                description="Reviews scraped from the platforms, whole network.",
                width=6,
            )
        )
        .with_panel(
            kit.big_stat(
                "Negatives 24 h",
                f"sum({rollup('region', 'negatives', W24H)})",
                unit="none",
                decimals=0,
                thresholds=steps((None, "blue")),
                description="Low ratings, negative reviews and calls, complaints.",
                width=6,
            )
        )
        .with_panel(
            kit.big_stat(
                "Repair debt 24 h",
                f"sum({rollup('region', 'repair_debt', W24H)})",
                unit="none",
                decimals=0,
                thresholds=steps((None, "blue")),
                description="Good experiences still needed to make up for the bad ones "
                "(12 per unhappy customer).",
                width=6,
            )
        )
        .with_panel(
            kit.big_stat(
                "Negative spikes & crises 24 h",
                "sum(increase(cxpulse_alert_events_total"
                '{rule=~"negative_spike|crisis|negative_reach_high",status="firing"}[24h]))',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Alerts raised from what customers said.",
                width=6,
            )
        )
        .with_row(d.Row("Stores"))
        .with_panel(
            kit.grid(
                "Sentiment by store, 24 h",
                (by_store("cxpulse_store_mean_rating", W24H), "mean rating", "none"),
                (by_store("cxpulse_store_nps", W24H), "NPS", "none"),
                (by_store("cxpulse_store_ces", W24H), "effort (CES)", "none"),
                (by_store("cxpulse_store_expectation_gap", W24H), "vs expectation", "none"),
                (by_store("cxpulse_store_negative_reach", W24H), "negative reach", "short"),
                (by_store("cxpulse_store_crisis_score"), "crisis score", "none"),
                description="The listed stores (worst CSAT, most negatives, highest crisis "
                "score, alert firing), lowest mean rating first. Expectation gap below 0: the "
                "store falls short of what customers expected.",
            )
        )
        .with_panel(
            kit.trend(
                "Negative reach per store",
                (by_store("cxpulse_store_negative_reach", W24H), "{{store_id}} {{city}}"),
                unit="short",
                min_val=0,
                description="People who heard of a bad experience in the last 24 hours.",
                width=24,
            )
        )
    )
