"""The ``cxpulse`` command. Each subcommand is a thin wrapper; the work lives in the packages."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxpulse import config

if TYPE_CHECKING:
    from alerts.settings import Loaded as AlertsLoaded
    from streams.replay import ReplayResult
    from streams.simulate import ChainGenerator, RegionBurst, Scenario


def _settings(args: argparse.Namespace) -> config.Settings:
    return config.load(getattr(args, "config", None))


def _aware(text: str) -> datetime:
    if text == "now":
        return datetime.now(UTC).replace(microsecond=0)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs an offset, e.g. +08:00")
    return dt


def cmd_kafka(args: argparse.Namespace) -> int:
    from cxpulse import localkafka

    broker = localkafka.Broker()
    if args.action == "start":
        localkafka.start(broker)
        print(f"Kafka is up on {broker.bootstrap}")
    elif args.action == "stop":
        print("stopped" if localkafka.stop(broker) else "no broker started from this folder")
    else:
        print(localkafka.status(broker))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from streams.topics import ensure_topics

    kafka = _settings(args).kafka
    done = ensure_topics(kafka)
    print("created: " + (", ".join(done.created) if done.created else "nothing (all topics exist)"))
    if done.restamped:
        print("now stamped by the broker (LogAppendTime): " + ", ".join(done.restamped))
    for topic, count in sorted(done.grown.items()):
        print(
            f"{topic} has {count} partitions, kafka.partitions says {kafka.partitions}: the "
            "worker moves the events of the extra partitions to their stores' partitions; give "
            "the topic back its count (README, Operations)"
        )
    if done.not_restamped:
        print(f"could not switch the event and tick topics to LogAppendTime: {done.not_restamped}")
    return 1 if done.not_restamped or done.grown else 0


def cmd_worker(args: argparse.Namespace) -> int:
    from streams.worker.main import run

    run(_settings(args), loglevel=args.loglevel)
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from streams.replay import ReplayResult, read_events, replay

    settings = _settings(args)
    path = Path(args.file)
    result = ReplayResult()
    size = path.stat().st_size
    with (
        path.open("rb") as fh,
        tqdm(total=size, unit="B", unit_scale=True, desc="read", disable=size < 5_000_000) as bar,
    ):

        def lines() -> Iterator[bytes]:
            for line in fh:
                bar.update(len(line))
                yield line

        events = read_events(lines(), result, source=str(path))
    until = _aware(args.until).timestamp() if args.until else None
    with tqdm(total=len(events), unit="ev", desc="replay", disable=len(events) < 50_000) as bar:
        replay(
            events,
            settings,
            result,
            progress=_updater(bar),
            until=until,
        )
    if args.alerts_out:
        with open(args.alerts_out, "w", encoding="utf-8") as out:
            for alert in result.alerts:
                out.write(alert.model_dump_json() + "\n")
    if args.sla_out:
        with open(args.sla_out, "w", encoding="utf-8") as out:
            for ev in result.sla_events:
                out.write(ev.model_dump_json() + "\n")
    if args.dlq_out:
        with open(args.dlq_out, "w", encoding="utf-8") as out:
            for dead in result.dead_letters:
                out.write(dead.model_dump_json() + "\n")
    _print_replay_summary(result, settings)
    return 0


def _updater(bar: Any) -> Callable[[int], None]:
    def update(n: int) -> None:
        bar.update(n)

    return update


def _print_replay_summary(result: ReplayResult, settings: config.Settings) -> None:
    from streams.core.store import csat_view

    print(f"events: {sum(result.consumed.values())} " + json.dumps(dict(result.consumed)))
    print(
        f"duplicates: {sum(result.duplicates.values())}  late: {sum(result.late.values())}  "
        f"invalid: {len(result.dead_letters)}"
    )
    for dead in result.dead_letters[:10]:
        print(f"  line {dead.offset}: {dead.code}: {dead.reason}")
    breaches = sum(1 for e in result.sla_events if e.transition == "breached")
    print(
        f"SLA clock events: {len(result.sla_events)} ({breaches} breaches) over "
        f"{len(result.complaints)} complaints"
    )
    firing = [a for a in result.alerts if a.status == "firing"]
    print(f"alert events: {len(result.alerts)} ({len(firing)} firing)")
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.spikes.timezone)  # the stores' local time, as the pages say it
    for alert in result.alerts[:20]:
        local = alert.observed_at.astimezone(zone)
        print(f"  {local:%Y-%m-%d %H:%M%z} {alert.status:8} {alert.summary.zh}")
    views = []
    for st in result.stores.values():
        v = csat_view(st, None, settings.satisfaction)
        if v.csat is not None:
            views.append((v.csat, st.store_id, v.ratings))
    if views:
        print("lowest rolling CSAT at the end of the file:")
        for csat, store, n in sorted(views)[:5]:
            print(f"  {store}: {csat:.0%} ({n} ratings)")


def cmd_produce(args: argparse.Namespace) -> int:
    from streams.produce import ProduceReport, Routed, Unroutable, publish, route, sort_key
    from streams.topics import Topics, ensure_topics

    settings = _settings(args)
    ensure_topics(settings.kafka)
    topics = Topics.from_config(settings.kafka)
    report = ProduceReport()
    with open(args.file, "rb") as fh:
        if args.topic:  # raw mode: every line as it is, e.g. to test the dead-letter path
            records = [Routed(args.topic, args.key.encode(), ln.rstrip(b"\n")) for ln in fh]
        else:
            records = []
            for r in route(fh, topics):
                if isinstance(r, Unroutable):
                    report.skipped.append(r)
                else:
                    records.append(r)
            records.sort(key=sort_key)
    publish(records, settings.kafka, report)
    for topic, n in sorted(report.sent.items()):
        print(f"{topic}: {n}")
    for bad in report.skipped[:20]:
        print(f"line {bad.lineno} skipped: {bad.reason}", file=sys.stderr)
    return 1 if report.skipped else 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from streams.simulate import (
        RegionBurst,
        SimConfig,
        Simulator,
        parse_chain_scenario,
        write_jsonl,
    )

    parsed = [parse_chain_scenario(s) for s in args.scenario]
    scenarios = tuple(s for s in parsed if not isinstance(s, RegionBurst))
    bursts = tuple(s for s in parsed if isinstance(s, RegionBurst))
    if args.chain or args.stores > 999 or bursts or args.events_per_store_day is not None:
        return _simulate_chain(args, scenarios, bursts)
    sim = Simulator(SimConfig(stores=args.stores, seed=args.seed, scenarios=scenarios))
    start = args.start
    if not args.kafka:
        from datetime import timedelta

        end = start + timedelta(hours=args.hours)
        out = open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout  # noqa: SIM115
        try:
            n = write_jsonl(sim, start, end, out)
        finally:
            if out is not sys.stdout:
                out.close()
        print(f"wrote {n} events ({args.hours} h, {args.stores} stores)", file=sys.stderr)
        return 0
    return _simulate_live(sim, start, args)


def _simulate_chain(
    args: argparse.Namespace, scenarios: tuple[Scenario, ...], bursts: tuple[RegionBurst, ...]
) -> int:
    """The chain generator: any size up to 100,000 stores, to a file or to Kafka."""
    from datetime import timedelta

    from streams.simulate import ChainConfig, ChainGenerator, write_chain_jsonl

    cfg = ChainConfig(stores=args.stores, seed=args.seed, scenarios=scenarios, bursts=bursts)
    if args.events_per_store_day is not None:
        from dataclasses import replace

        cfg = replace(cfg, events_per_store_day=args.events_per_store_day)
    gen = ChainGenerator(cfg)
    start = args.start
    # Live without --hours runs for as long as anyone lets it (ten simulated years).
    end = start + timedelta(hours=args.hours if args.hours is not None else 24 * 3650)
    began = time.monotonic()
    if args.kafka:
        n = _chain_to_kafka(gen, start, end, args)
    else:
        out = open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout  # noqa: SIM115
        try:
            n = write_chain_jsonl(gen, start, end, out)
        finally:
            if out is not sys.stdout:
                out.close()
    took = time.monotonic() - began
    print(
        f"wrote {n} events ({args.hours} h, {args.stores} stores, chain) in {took:.1f} s "
        f"({n / max(took, 1e-9):,.0f} events/s)",
        file=sys.stderr,
    )
    return 0


def _chain_to_kafka(
    gen: ChainGenerator, start: datetime, end: datetime, args: argparse.Namespace
) -> int:
    import asyncio

    from streams.simulate.publish import publish_chain
    from streams.topics import Topics, ensure_topics

    settings = _settings(args)
    ensure_topics(settings.kafka)
    topics = Topics.from_config(settings.kafka).events
    return asyncio.run(publish_chain(gen, start, end, settings.kafka.bootstrap, topics, args.speed))


def _simulate_live(sim: object, start: datetime, args: argparse.Namespace) -> int:
    """Publish simulated events as simulated time passes, `speed` times faster than real."""
    from datetime import timedelta

    from streams.produce import Routed, producer
    from streams.simulate import Simulator
    from streams.topics import Topics, ensure_topics

    assert isinstance(sim, Simulator)
    settings = _settings(args)
    ensure_topics(settings.kafka)
    topics = Topics.from_config(settings.kafka)
    prod = producer(settings.kafka)
    t0, sim_t = time.monotonic(), start
    deadline = None if args.hours is None else start + timedelta(hours=args.hours)
    try:
        while deadline is None or sim_t < deadline:
            time.sleep(0.5)  # pacing of a live generator, not a wait for a condition
            nxt = start + timedelta(seconds=(time.monotonic() - t0) * args.speed)
            if deadline is not None:
                nxt = min(nxt, deadline)
            for ev in sim.events_between(sim_t, nxt):
                r = Routed(
                    topics.events[str(ev["event_type"])],
                    str(ev["store_id"]).encode(),
                    json.dumps(ev, ensure_ascii=False).encode(),
                )
                prod.send(r.topic, key=r.key, value=r.value)
            prod.flush()
            sim_t = nxt
    except KeyboardInterrupt:
        pass
    finally:
        prod.close()
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from cxpulse.live import up

    return up(args)


def cmd_schemas(args: argparse.Namespace) -> int:
    from schemas.export import main

    return main()


def alerts_settings(settings: config.Settings) -> AlertsLoaded:
    """What ``cxpulse alerts`` needs from the whole configuration: its own section, the SLA
    calendars a roster may name, and where the stream worker publishes alert events."""
    from alerts.settings import AlertsTopic, Loaded
    from streams.topics import Topics

    topics = Topics.from_config(settings.kafka)
    topic = AlertsTopic(
        bootstrap=settings.kafka.bootstrap,
        topic=topics.alerts,
        dead_letter_topic=topics.dlq,
        group_id=f"{settings.worker.app_id}-alerts",
    )
    return Loaded(settings.alerts, settings.sla.calendars, topic)


def load_alerts_settings(path: str | None) -> AlertsLoaded:
    return alerts_settings(config.load(path))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cxpulse", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("--config", help="YAML config file (default: $CXPULSE_CONFIG)")
        return sp

    sp = add("up", "Run the local system: Kafka, worker, simulator, live view (Ctrl-C stops)")
    sp.add_argument("--stores", type=int, default=20)
    sp.add_argument("--speed", type=float, default=60.0, help="simulated seconds per second")
    sp.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    sp.set_defaults(func=cmd_up)

    sp = add("kafka", "Start, stop or show the local Kafka broker")
    sp.add_argument("action", choices=["start", "stop", "status"])
    sp.set_defaults(func=cmd_kafka)

    add("topics", "Create the topics (idempotent)").set_defaults(func=cmd_topics)

    sp = add("worker", "Run the stream worker (Faust) until Ctrl-C")
    sp.add_argument("--loglevel", default="warning")
    sp.set_defaults(func=cmd_worker)

    sp = add("replay", "Run the core over a JSON-lines file in event-time order, no Kafka")
    sp.add_argument("file")
    sp.add_argument("--alerts-out", help="write the alert events here (JSON lines)")
    sp.add_argument("--sla-out", help="write the SLA clock events here (JSON lines)")
    sp.add_argument("--dlq-out", help="write rejected lines here with their reason")
    sp.add_argument(
        "--until",
        help="run SLA deadlines up to this time (ISO with offset, or "
        "'now'); default: the last event's time",
    )
    sp.set_defaults(func=cmd_replay)

    sp = add("produce", "Publish a JSON-lines file to the event topics, keyed by store_id")
    sp.add_argument("file")
    sp.add_argument("--topic", help="send every line as it is to this topic (testing)")
    sp.add_argument("--key", default="", help="message key with --topic")
    sp.set_defaults(func=cmd_produce)

    sp = add("simulate", "Generate realistic events to a file or, live, to Kafka")
    sp.add_argument("--out", default="-", help="JSON-lines file (default stdout)")
    sp.add_argument("--kafka", action="store_true", help="publish live instead of to a file")
    sp.add_argument("--start", type=_aware, default=_aware("now"), help="ISO time with offset")
    sp.add_argument(
        "--hours",
        type=float,
        default=None,
        help="simulated hours (file default 24; live default: forever)",
    )
    sp.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="live: simulated s per real s (with --chain, 0 publishes as fast as it can)",
    )
    sp.add_argument("--stores", type=int, default=20, help="up to 999, or 100000 with --chain")
    sp.add_argument("--seed", type=int, default=7)
    sp.add_argument(
        "--chain",
        action="store_true",
        help="the chain generator: brand/region/city hierarchy, heavy-tailed store sizes, "
        "streamed in 10 s batches (implied above 999 stores or with a burst scenario)",
    )
    sp.add_argument(
        "--events-per-store-day",
        type=float,
        default=None,
        help="chain: events per store per weekday (default 1000: 10M a day at 10,000 stores)",
    )
    sp.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="e.g. drop:S003@2026-11-23T12:00+08:00/2h or (chain) "
        "burst:华东@2026-11-23T19:00+08:00/1h,factor=100 (repeatable)",
    )
    sp.set_defaults(func=cmd_simulate)

    add("schemas", "Rewrite the JSON Schema files under schemas/json").set_defaults(
        func=cmd_schemas
    )

    from cxpulse import sentiment_cmd

    sentiment_cmd.add_parser(sub)

    from alerts import cli as alerts_route
    from alerts import ops_cli
    from alerts.db import cli as alerts_db

    alerts_sub = ops_cli.add_parser(sub, load_alerts_settings)
    alerts_route.add_route_parser(alerts_sub, load_alerts_settings)
    alerts_db.add_db_parser(alerts_sub)

    from grafana import cli as grafana_cli

    grafana_cli.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "simulate" and not args.kafka and args.hours is None:
        args.hours = 24.0
    try:
        return int(args.func(args))
    except config.ConfigError as exc:
        print(f"cxpulse: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # clear one-line errors for known failures
        from cxpulse.localkafka import BrokerError
        from streams.topics import TopicError

        if isinstance(exc, BrokerError | TopicError | FileNotFoundError):
            print(f"cxpulse: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
