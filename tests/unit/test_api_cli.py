"""``cxpulse alerts ...`` against the real service (API + dispatcher) on 127.0.0.1, and its
errors when the service is down or the token is wrong."""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from alerts import ops_cli
from alerts.api.engine_ops import EngineOperations
from alerts.api.service import Service, run
from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.links import LinkSigner
from tests.unit.test_api import LINK_SECRET, TOKEN, seeded
from tests.unit.test_outbox_fakes import FakeStore, decode
from tests.waiting import free_port
from tests.waiting import wait_for as poll


@dataclass
class Api:
    url: str
    store: FakeStore


@pytest.fixture
def api() -> Iterator[Api]:
    store = seeded()
    svc = Service(
        store=store,
        receivers={},
        decode=decode,
        tokens={"duty": TOKEN},
        link_signer=LinkSigner(LINK_SECRET),
        ops=EngineOperations(store, Engine(AlertsConfig())),
        port=0,
    )
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ports: list[int] = []
    thread = threading.Thread(
        target=lambda: loop.run_until_complete(run(svc, stop, ports.append)), daemon=True
    )
    thread.start()
    poll(lambda: ports, 10, "the API to listen")
    try:
        yield Api(f"http://127.0.0.1:{ports[0]}", store)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(15)
        assert not thread.is_alive(), "the service did not stop"
        loop.close()


def cli(*argv: str) -> int:
    p = argparse.ArgumentParser(prog="cxpulse")
    ops_cli.add_parser(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["alerts", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ops_cli.TOKEN_ENV, TOKEN)


def test_list_show_ack_resolve(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("list", "--url", api.url, "--state", "firing") == 0
    out = capsys.readouterr().out
    assert "FINGERPRINT" in out and "fp-a" in out and "fp-b" in out and "fp-c" not in out
    assert "门店 S001 满意度下降" in out

    assert cli("list", "--url", api.url, "--store", "S002", "--json") == 0
    assert [a["fingerprint"] for a in json.loads(capsys.readouterr().out)["alerts"]] == ["fp-b"]

    assert cli("ack", "fp-a", "--url", api.url, "--who", "王经理", "--for", "30m") == 0
    assert "fp-a acknowledged by 王经理 until" in capsys.readouterr().out
    acked = api.store.get("fp-a")
    assert acked is not None and acked.state == "acknowledged" and acked.ack_until is not None

    assert cli("show", "fp-a", "--url", api.url) == 0
    out = capsys.readouterr().out
    assert "acknowledged" in out and "王经理" in out and "fired" in out

    assert cli("resolve", "fp-a", "--url", api.url, "--who", "王经理") == 0
    assert cli("resolve", "fp-a", "--url", api.url, "--who", "王经理") == 1
    assert "already resolved (HTTP 409)" in capsys.readouterr().err


def test_silence_add_list_rm(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli(
        "silence", "add", "--url", api.url, "--match", "store_id=~'S00[12]'", "--match",
        "kind!=sla", "--for", "2h", "--comment", "装修", "--json",
    )  # fmt: skip
    assert code == 0
    made = json.loads(capsys.readouterr().out)["silence"]
    assert made["matchers"] == [
        {"name": "store_id", "op": "=~", "value": "S00[12]"},
        {"name": "kind", "op": "!=", "value": "sla"},
    ]
    assert cli("silence", "--url", api.url) == 0  # list is the default
    assert made["id"] in capsys.readouterr().out
    assert cli("silence", "rm", made["id"], "--url", api.url) == 0
    assert cli("silence", "list", "--url", api.url) == 0
    assert "no silences" in capsys.readouterr().out
    assert cli("silence", "list", "--all", "--url", api.url, "--json") == 0
    assert len(json.loads(capsys.readouterr().out)["silences"]) == 1


def test_the_service_runs_the_dispatcher_and_serves_metrics(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    # No receiver named "ding" in this service: the dispatcher gives its item up, visibly.
    poll(lambda: api.store.items["k0001"].state == "failed", 10, "the dispatcher's round")
    assert cli("outbox", "--url", api.url) == 0
    out = capsys.readouterr().out
    assert "k0001" in out and "failed" in out and "no receiver named 'ding'" in out
    with urllib.request.urlopen(f"{api.url}/metrics", timeout=5) as r:
        text = r.read().decode()
    assert 'cxpulse_notifications_failed_total{reason="rejected",receiver="ding"} 1.0' in text


def test_wrong_or_missing_token(
    api: Api, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("ack", "fp-a", "--url", api.url, "--token", "nope") == 1
    err = capsys.readouterr().err
    assert "refused the token (invalid bearer token)" in err and "nope" not in err
    monkeypatch.delenv(ops_cli.TOKEN_ENV)
    assert cli("list", "--url", api.url) == 2
    assert "no API token: set CXPULSE_ALERTS__TOKEN or pass --token" in capsys.readouterr().err
    assert api.store.get("fp-a").state == "firing"  # type: ignore[union-attr]


def test_service_down(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    assert cli("list", "--url", url) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the alerts API at {url}" in err
    assert "cxpulse alerts serve" in err and TOKEN not in err


def test_bad_arguments_are_refused_before_any_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (
        ["silence", "add", "--match", "no operator", "--for", "1h"],
        ["silence", "add", "--match", "a=b", "--for", "soon"],
        ["ack", "fp", "--until", "2026-11-24T10:00"],
    ):
        with pytest.raises(SystemExit) as exc:
            cli(*argv)
        assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "is not a matcher" in err and "not a duration" in err and "needs an offset" in err


def test_duration_and_matcher_parsing() -> None:
    assert ops_cli._duration("1h30m") == timedelta(minutes=90)
    assert ops_cli._matcher('region =~ "east|north"') == {
        "name": "region",
        "op": "=~",
        "value": "east|north",
    }
