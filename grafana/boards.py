"""The dashboards behind the wall: complaints and SLA, calls, reviews, alerts, pipeline health."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as d

from grafana import kit
from grafana.kit import W24H, by_store, ratio, rollup, steps

# Served by the alert service (`cxpulse alerts serve`, its own scrape job), not by the stream
# worker. The outbox's are defined in alerts/outbox.py, the lifecycle's in alerts/api/metrics.py
# (unit tests keep the names in step); the live test scrapes both processes.
OUTBOX_METRICS = frozenset(
    {
        "cxpulse_notifications_sent_total",  # {receiver}
        "cxpulse_notifications_retried_total",  # {receiver}
        "cxpulse_notifications_failed_total",  # {receiver, reason}
        "cxpulse_outbox_pending",  # {receiver}
    }
)
LIFECYCLE_METRICS = frozenset(
    {
        "cxpulse_alerts_open",  # gauge {state=firing|acknowledged, severity}
        "cxpulse_alert_escalations_total",  # counter {step}
    }
)
ALERT_SERVICE_METRICS = OUTBOX_METRICS | LIFECYCLE_METRICS


def _board(title: str, uid: str, description: str, tags: list[str]) -> d.Dashboard:
    return (
        d.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["cxpulse", *tags])
        .refresh(kit.REFRESH)
        .time("now-6h", "now")
        .timezone("browser")
        .variables(kit.variables())
    )


def sla_breaches(window: str = "24h") -> str:
    return f'sum(increase(cxpulse_sla_events_total{{transition="breached"}}[{window}]))'


def complaints() -> d.Dashboard:
    return (
        _board(
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
        _board(
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
        _board(
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


def alerts() -> d.Dashboard:
    return (
        _board(
            "Alerts",
            "cxpulse-alerts",
            "What has been raised, what is firing or acknowledged, escalations, and "
            "notifications that did not get through.",
            ["alerts"],
        )
        .with_row(d.Row("Now"))
        .with_panel(
            kit.big_stat(
                "Firing",
                'sum(cxpulse_alerts_open{state="firing"})',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Alerts firing and not acknowledged.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Acknowledged",
                'sum(cxpulse_alerts_open{state="acknowledged"})',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=steps((None, "blue")),
                description="Someone has taken them; still open.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Escalations 24 h",
                "sum(increase(cxpulse_alert_escalations_total[24h]))",
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=steps((None, "green"), (1, "orange")),
                description="Chains that moved on because nobody acknowledged in time.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Delivery failures 24 h",
                "sum(increase(cxpulse_notifications_failed_total[24h]))",
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Notifications given up: rejected by the receiver or out of attempts.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Retries 24 h",
                "sum(increase(cxpulse_notifications_retried_total[24h]))",
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=steps((None, "green"), (1, "orange")),
                description="Deliveries that failed once and were scheduled again.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Outbox pending",
                "sum(cxpulse_outbox_pending)",
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=steps((None, "green"), (10, "orange"), (50, "red")),
                description="Notifications due and not yet delivered (rate limits, retries).",
            )
        )
        .with_row(d.Row("Raised"))
        .with_panel(
            kit.ranking(
                "Raised by rule, 24 h",
                'sort_desc(sum by (rule) (increase(cxpulse_alert_events_total{status="firing"}'
                "[24h])))",
                legend="{{rule}}",
                unit="none",
                thresholds=steps((None, "blue")),
                description="Alert events published by the worker, by rule.",
            )
        )
        .with_panel(
            kit.trend(
                "Alert events per hour",
                (
                    "sum by (status) (rate(cxpulse_alert_events_total[$__rate_interval])) * 3600",
                    "{{status}}",
                ),
                unit="none",
                min_val=0,
                description="firing and resolved.",
            )
        )
        .with_panel(
            kit.trend(
                "Notifications per hour",
                *(
                    (
                        f"sum by (receiver) (rate(cxpulse_notifications_{what}_total"
                        "[$__rate_interval])) * 3600",
                        f"{what} {{{{receiver}}}}",
                    )
                    for what in ("sent", "retried", "failed")
                ),
                unit="none",
                min_val=0,
                description="By receiver (DingTalk, WeCom, Feishu, e-mail, …). Robots take "
                "about 20 messages a minute; the overflow is folded into digests.",
                width=24,
            )
        )
    )


def pipeline() -> d.Dashboard:
    return (
        _board(
            "Pipeline health",
            "cxpulse-pipeline",
            "Is the data on the wall fresh? Workers up, events/s, dead letters, latency, "
            "event-time lag, restarts.",
            ["pipeline"],
        )
        .with_row(d.Row("Now"))
        .with_panel(
            kit.big_stat(
                "Workers up",
                'sum(up{job="cxpulse"})',
                unit="none",
                decimals=0,
                thresholds=steps((None, "red"), (1, "green")),
                description="Workers Prometheus can scrape.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Events/s",
                "sum(cxpulse:events_consumed:rate1m)",
                unit="none",
                decimals=1,
                thresholds=steps((None, "blue")),
                description="Valid events taken in.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Dead letters/s",
                "sum(cxpulse:events_invalid:rate1m)",
                unit="none",
                decimals=2,
                thresholds=steps((None, "green"), (0.01, "orange"), (1, "red")),
                description="Rejected messages: fix the producer (see the DLQ headers).",
            )
        )
        .with_panel(
            kit.big_stat(
                "Latency p99",
                "cxpulse:event_latency_seconds:p99_1m",
                unit="s",
                decimals=2,
                thresholds=steps((None, "green"), (5, "orange"), (30, "red")),
                description="Kafka timestamp to processed. It grows when the worker falls "
                "behind its topics.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Event-time lag",
                "time() - max(cxpulse_event_time_watermark_seconds)",
                unit="s",
                decimals=0,
                thresholds=steps((None, "green"), (600, "orange"), (3600, "red")),
                description="Now minus the newest event time processed. Quiet nights raise it too.",
            )
        )
        .with_panel(
            kit.big_stat(
                "Restarts 1 h",
                # The worker's registry has no process collector, so a restart shows as its
                # counters starting over (one reset per process, whatever the event types).
                'sum(max by (instance) (resets(cxpulse_events_consumed_total{job="cxpulse"}[1h])))',
                unit="none",
                decimals=0,
                no_value="0",
                thresholds=kit.zero_is_good(),
                description="Worker processes that started over in the last hour.",
            )
        )
        .with_row(d.Row("Flow"))
        .with_panel(
            kit.trend(
                "Events/s by type",
                ("cxpulse:events_consumed:rate1m", "{{event_type}}"),
                unit="none",
                min_val=0,
                description="feedback, call, review, complaint.",
            )
        )
        .with_panel(
            kit.trend(
                "Rejected, duplicate and late per second",
                ("cxpulse:events_invalid:rate1m", "dead letter {{reason}}"),
                (
                    "sum by (event_type) (rate(cxpulse_events_duplicate_total[$__rate_interval]))",
                    "duplicate {{event_type}}",
                ),
                (
                    "sum by (event_type) (rate(cxpulse_events_late_total[$__rate_interval]))",
                    "late {{event_type}}",
                ),
                unit="none",
                min_val=0,
                description="Duplicates are re-sent events (counted once); late events are "
                "older than the allowed lateness and kept out of the windows.",
            )
        )
        .with_panel(
            kit.trend(
                "Latency",
                ("cxpulse:event_latency_seconds:p50_1m", "p50"),
                ("cxpulse:event_latency_seconds:p99_1m", "p99"),
                unit="s",
                min_val=0,
                description="Publish to processed.",
            )
        )
        .with_panel(
            kit.trend(
                "Signal snapshots per second",
                ("sum(rate(cxpulse_signal_snapshots_total[$__rate_interval]))", "snapshots"),
                unit="none",
                min_val=0,
                description="Store snapshots on the signals topic: flat zero means the gauge "
                "timer stopped.",
            )
        )
    )
