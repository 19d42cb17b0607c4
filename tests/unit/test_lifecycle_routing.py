"""The routing tree (Alertmanager's walk, ``continue``, inheritance), matchers, the config's
reference checks, the outbox payload and ``cxpulse alerts route``."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from alerts import cli
from alerts.lifecycle import AlertsConfig, payload
from alerts.lifecycle import matchers as m
from alerts.lifecycle.routing import Router
from alerts.model import Matcher
from tests.lifecycle_helpers import T0, Run, event, receivers

TREE: dict[str, Any] = {
    "receivers": receivers("duty", "crisis-desk", "ops", "east", "quiet"),
    "route": {
        "receiver": "duty",
        "group_by": ["store_id"],
        "routes": [
            {
                "matchers": ['kind="crisis"'],
                "receiver": "crisis-desk",
                "group_wait": "0s",
                "continue": True,
            },
            {"matchers": ['severity="critical"'], "receiver": "ops", "group_by": ["region"]},
            {
                "matchers": ['region=~"east|north"'],
                "receiver": "east",
                "routes": [{"matchers": ['store_id="S009"'], "receiver": "quiet"}],
            },
        ],
    },
}
CFG = AlertsConfig.model_validate(TREE)


def routed(labels: dict[str, str]) -> list[tuple[str, str | None]]:
    return [(r.id, r.receiver) for r in Router(CFG).match(labels)]


def test_first_matching_child_wins_and_continue_goes_on_to_the_siblings() -> None:
    crisis = {"kind": "crisis", "severity": "critical", "region": "east", "store_id": "S001"}
    assert routed(crisis) == [("root.0", "crisis-desk"), ("root.1", "ops")]  # stops at ops
    assert routed({**crisis, "severity": "warning"}) == [
        ("root.0", "crisis-desk"),
        ("root.2", "east"),
    ]
    assert routed({"kind": "sla", "region": "east", "store_id": "S009"}) == [("root.2.0", "quiet")]
    assert routed({"kind": "sla", "region": "west"}) == [("root", "duty")]  # no child: the root


def test_regex_matchers_match_the_whole_value() -> None:
    assert routed({"region": "eastern"}) == [("root", "duty")]
    assert not m.compile_one(m.parse('store_id=~"S00"')).matches({"store_id": "S003"})
    assert m.compile_one(m.parse('store_id!~"S00."')).matches({"store_id": "S103"})
    assert m.compile_one(m.parse('region!=""')).matches({"region": "east"})
    assert not m.compile_one(m.parse('region!=""')).matches({})  # absent = empty string
    assert m.parse("severity = critical") == Matcher("severity", "critical", "=")


def test_children_inherit_receiver_group_by_and_timers() -> None:
    router = Router(CFG)
    crisis, east_child = router.by_id["root.0"], router.by_id["root.2.0"]
    assert (crisis.group_by, crisis.group_wait, crisis.group_interval) == (("store_id",), 0, 300)
    assert east_child.repeat_interval == 4 * 3600
    assert router.by_id["root.1"].group_key({"region": "east", "store_id": "S1"}) == (
        'root.1|ops|{region="east"}'
    )


def test_continue_sends_one_alert_to_two_receivers() -> None:
    run = Run(CFG)
    fx = run.apply(event("crisis_burst", kind="crisis", severity="critical", at=T0))
    assert [payload.decode(i.payload).receiver for i in fx.outbox] == ["crisis-desk"]  # wait 0
    assert [n.receiver for n in run.tick(T0 + timedelta(seconds=30))] == ["ops"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"route": {"receiver": "nobody"}}, "alerts.route names receiver 'nobody'"),
        (
            {"route": {"receiver": "duty", "routes": [{"escalation": "nope"}]}},
            "alerts.route.routes[0] uses escalation chain 'nope'",
        ),
        ({"route": {"matchers": ["a=b"]}}, "root route matches every alert"),
        ({"route": {"routes": [{"matchers": ["a=~("]}]}}, "bad regular expression"),
        ({"route": {"routes": [{"matchers": ["a~b"]}]}}, "is not 'label=value'"),
        ({"receivers": receivers("x", "x")}, "name 'x' is used twice"),
        (
            {
                "escalation": {"c": {"steps": [{"role": "boss"}]}},
                "roster": [{"name": "a", "role": "clerk"}],
            },
            "names role 'boss', which nobody in alerts.roster has",
        ),
        ({"escalation": {"c": {"steps": [{"wait": "5m"}]}}}, "needs a receiver, a role"),
        ({"escalation": {"c": {"steps": [{"role": "x"}], "repeat": 2}}}, "needs a wait"),
        ({"route": {"group_wait": "soon"}}, "is not a duration"),
        ({"roster": [{"name": "a", "role": "r", "weekly": {"mon": ["18:00-09:00"]}}]}, "ends"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_configs_are_refused_naming_both_ends(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("(", r"\(")):
        AlertsConfig.model_validate({"receivers": receivers("duty"), **change})


def test_roster_calendars_are_checked_against_the_sla_calendars() -> None:
    cfg = AlertsConfig.model_validate({"roster": [{"name": "a", "role": "r", "calendar": "shop"}]})
    cfg.check_calendars(["shop", "office"])
    with pytest.raises(ValueError, match="calendar 'shop', which is not defined"):
        cfg.check_calendars(["office"])


def test_the_default_config_keeps_alerts_visible_and_pages_no_one() -> None:
    cfg = AlertsConfig()
    assert (cfg.lang, cfg.ack_timeout) == ("zh", 1800)
    sources = [r.source_matchers for r in cfg.inhibit_rules]
    assert sources[0] == ['kind="crisis"']
    assert sources[1] == ['alertname="csat_drop"', 'comparison="hours_vs_week"']
    assert {m[1] for m in sources[2:]} == {'level="brand"', 'level="region"', 'level="city"'}
    run = Run(cfg)
    run.apply(event(at=T0))
    assert run.tick(T0 + timedelta(seconds=3600)) == []
    assert len(run.store.open_alerts()) == 1


def test_the_payload_round_trips() -> None:
    run = Run(CFG)
    run.apply(event("crisis_burst", kind="crisis", severity="critical", at=T0))
    item = run.store.outbox()[0]
    n = payload.decode(item.payload)
    assert payload.encode(n) == item.payload
    assert n.alerts[0].starts_at == T0 and n.alerts[0].values == {"csat": 0.42}


def test_the_route_command_shows_path_receiver_group_and_chain() -> None:
    crisis_chain = {"mention": "duty_manager", "steps": [{"wait": "10m", "role": "area"}]}
    cfg = AlertsConfig.model_validate(
        {
            **TREE,
            "route": {**TREE["route"], "escalation": "crisis"},
            "escalation": {"crisis": crisis_chain},
            "roster": [
                {"name": "王店长", "role": "duty_manager", "scope": {"store_ids": ["S001"]}},
                {"name": "赵", "role": "area"},
            ],
        }
    )
    labels = cli.parse_labels("store_id=S001, kind=crisis,severity=critical,region=east")
    out = cli.describe(cfg, labels, T0)
    assert 'route: root {} > root.0 {kind="crisis"}' in out
    assert "receiver: crisis-desk  (continue)" in out
    assert 'group key: root.0|crisis-desk|{store_id="S001"}' in out
    assert "timers: group_wait 0s, group_interval 5m, repeat_interval 4h" in out
    assert "first page: @duty_manager (王店长)" in out
    assert "step 1 after 10m: crisis-desk @area (赵)" in out
    assert "receiver: ops" in out  # the continue
    sla = cli.describe(cfg, {"kind": "sla", "store_id": "S001"}, T0)
    assert 'inhibited while an open alert matches {kind="crisis"} with the same store_id' in sla
    with pytest.raises(ValueError, match="not label=value"):
        cli.parse_labels("store_id")


def test_the_route_command_registers_on_a_subparser() -> None:
    p = argparse.ArgumentParser()
    cli.add_route_parser(p.add_subparsers(dest="cmd"))
    args = p.parse_args(["route", "--labels", "kind=crisis"])
    assert (args.labels, args.func) == ("kind=crisis", cli.run_route)


def test_the_readme_example_config_is_valid() -> None:
    text = (Path(__file__).parents[2] / "alerts/lifecycle/README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    cfg = AlertsConfig.model_validate(yaml.safe_load(block.group(1))["alerts"])
    cfg.check_calendars(["office", "24x7"])
    crisis = Router(cfg).match({"kind": "crisis", "store_id": "S003"})
    assert [(r.id, r.receiver, r.chain, r.group_wait) for r in crisis] == [
        ("root.0", "duty-ding", "crisis", 0)
    ]
    assert Router(cfg).match({"severity": "info"})[0].chain is None
