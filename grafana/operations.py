"""The operations dashboards: the alerts and their delivery, and the pipeline's health."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as d

from grafana import kit
from grafana.kit import board, steps

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


def alerts() -> d.Dashboard:
    return (
        board(
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
        board(
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
                # A restart shows as the worker's counters starting over: one reset per
                # process, whatever the event types.
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
                "Worker CPU by part",
                (
                    "sum by (part) (rate(cxpulse_worker_busy_seconds_total[$__rate_interval]))",
                    "{{part}}",
                ),
                (
                    'sum(rate(process_cpu_seconds_total{job="cxpulse"}[$__rate_interval]))',
                    "whole process",
                ),
                unit="none",
                min_val=0,
                description="Cores in use. The parts are cxpulse's own work on the event "
                "loop (events: the store agent's batches); the whole process less the parts is "
                "Faust and the Kafka client. A whole process near 1 is a worker at its limit: "
                "add partitions and workers.",
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
