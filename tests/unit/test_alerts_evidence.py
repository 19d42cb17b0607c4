"""Evidence in the alerts service: kept with the alert (memory and SQL stores), returned by the
API's alert detail, carried through the outbox, and one masked line in every message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from alerts.db import SqlStore
from alerts.lifecycle import AlertsConfig, payload
from alerts.notify import render
from alerts.notify.configs import DingTalkConfig, EmailConfig, FeishuConfig, WeComConfig
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.email import EmailReceiver
from alerts.notify.feishu import FeishuReceiver
from alerts.notify.wecom import WeComReceiver
from schemas.alerts import AlertEvent, Evidence
from tests.integration.notify_fakes import complaint_alert, csat_alert, notification
from tests.lifecycle_helpers import T0, Run, event, minutes, receivers
from tests.unit.test_api import AUTH, alert, seeded
from tests.unit.test_api import run as run_api
from tests.unit.test_outbox_fakes import Clock, FakeStore

CFG = AlertsConfig.model_validate(
    {"receivers": receivers("duty"), "route": {"receiver": "duty", "group_by": ["store_id"]}}
)
REVIEW = {
    "events": [
        {
            "event_id": "rv-9",
            "kind": "review",
            "occurred_at": "2026-11-23T04:10:00Z",
            "rating": 1,
            "excerpt": "吃完拉肚子，电话13812345678没人接，再也不来了，大家小心这家店的海鲜，" * 2,
            "platform": "大众点评",
            "views": 52000,
        },
        {"event_id": "fb-3", "kind": "feedback", "occurred_at": "2026-11-23T04:05:00Z"},
    ]
}
TIMELINE = {
    "timeline": {
        "complaint_id": "TK-55120",
        "policy": "vip",
        "tier": "vip",
        "opened_at": "2026-11-23T04:00:00Z",
        "steps": [{"at": "2026-11-23T04:00:00Z", "action": "opened"}],
        "clock": "first_response",
        "deadline": "2026-11-23T05:00:00Z",
        "target_seconds": 3600.0,
        "calendar": "office",
    }
}


def with_evidence(e: AlertEvent, ev: dict[str, Any] | None) -> AlertEvent:
    return e.model_copy(update={"evidence": None if ev is None else Evidence.model_validate(ev)})


def test_the_alert_keeps_its_latest_evidence() -> None:
    run = Run(CFG)
    first = with_evidence(event(at=T0), REVIEW)
    run.apply(first)
    want = Evidence.model_validate(REVIEW).model_dump(mode="json", exclude_none=True)
    assert run.alert(first).evidence == want
    # an event from a worker that sends none leaves what is known
    run.apply(event(at=T0 + minutes(1), starts_at=T0))
    assert run.alert(first).evidence == want
    newer = {"events": REVIEW["events"][1:]}
    run.apply(with_evidence(event(at=T0 + minutes(2), starts_at=T0), newer))
    as_json = Evidence.model_validate(newer).model_dump(mode="json", exclude_none=True)
    assert run.alert(first).evidence == as_json and as_json["events"][0]["event_id"] == "fb-3"
    page = run.sent()[0]  # queued once group_wait had passed, with the evidence of then
    assert page.alerts[0].evidence == Evidence.model_validate(REVIEW)


def test_sql_store_round_trips_the_evidence(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        kept = replace(alert("fp-e"), evidence={"events": [], "timeline": TIMELINE["timeline"]})
        store.save([kept, alert("fp-none")], [])
        got, old = store.get("fp-e"), store.get("fp-none")
        assert got is not None and got.evidence == kept.evidence
        assert old is not None and old.evidence is None
    finally:
        store.close()


def test_the_api_alert_detail_returns_the_evidence_and_the_list_leaves_it_out() -> None:
    store = seeded()
    a = store.get("fp-a")
    assert a is not None
    store.save([replace(a, evidence=REVIEW)], [])

    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        r = await client.get("/api/alerts/fp-a", headers=AUTH)
        body = await r.json()
        assert r.status == 200 and body["alert"]["evidence"] == REVIEW
        r = await client.get("/api/alerts", headers=AUTH)
        listed = (await r.json())["alerts"]
        assert "fp-a" in [a["fingerprint"] for a in listed]
        assert all("evidence" not in a for a in listed)  # a list stays light; detail has it

    run_api(test, store)


def test_the_outbox_payload_carries_the_evidence_and_reads_old_items() -> None:
    n = notification(replace(csat_alert(), evidence=Evidence.model_validate(REVIEW)))
    assert payload.decode(payload.encode(n)) == n
    old = payload.encode(notification(csat_alert())).replace('"evidence":null,', "")
    assert '"evidence"' not in old and payload.decode(old).alerts[0].evidence is None


REVIEW_ZH = (
    "大众点评 ★1 “吃完拉肚子，电话138＊＊＊＊5678没人接，"
    "再也不来了，大家小心这家店的海鲜…”（另 1 条）"
)


def test_a_review_is_one_masked_line_in_every_message() -> None:
    n = notification(replace(csat_alert(), evidence=Evidence.model_validate(REVIEW)))
    doc = render.compose(n, now=T0 + minutes(35))
    assert ("依据", REVIEW_ZH.replace("＊", "*")) in doc.facts
    ding = DingTalkReceiver(DingTalkConfig(type="dingtalk", name="d", url="http://127.0.0.1:1/r"))
    assert f"**依据**：{REVIEW_ZH}" in ding.payload(n)["actionCard"]["text"]
    feishu = FeishuReceiver(FeishuConfig(type="feishu", name="f", url="http://127.0.0.1:1/h"))
    assert f"**依据**：{REVIEW_ZH}" in str(feishu.card(n))
    wecom = WeComReceiver(WeComConfig(type="wecom", name="w", url="http://127.0.0.1:1/x?key=k"))
    rows = wecom.payload(n)["template_card"]["horizontal_content_list"]
    assert {"keyname": "依据", "value": REVIEW_ZH.replace("＊", "*")[:25] + "…"} in rows
    mail = EmailReceiver(
        EmailConfig(type="email", name="m", host="127.0.0.1", sender="a@b.c", to=["d@e.f"])
    ).message(n)
    assert "13812345678" not in mail.as_string()
    assert f"依据：{REVIEW_ZH.replace('＊', '*')}" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_webhook_carries_the_whole_evidence() -> None:
    from alerts.notify.webhook import cxpulse_payload

    n = notification(replace(csat_alert(), evidence=Evidence.model_validate(REVIEW)))
    sent = cxpulse_payload(n, "Asia/Shanghai")["alerts"][0]["evidence"]
    assert [e["event_id"] for e in sent["events"]] == ["rv-9", "fb-3"]
    assert "138****5678" in sent["events"][0]["excerpt"] and "13812345678" not in str(sent)
    assert cxpulse_payload(notification(csat_alert()), "UTC")["alerts"][0]["evidence"] is None


def test_an_sla_alert_says_its_clock_and_calendar() -> None:
    sla = replace(complaint_alert(), evidence=Evidence.model_validate(TIMELINE))
    doc = render.compose(notification(sla), now=T0 + minutes(35))
    assert (
        "依据",
        "TK-55120 · 11-23 12:00 受理 · 首次响应截止 11-23 13:00（office 日历）",
    ) in doc.facts
    en = render.compose(notification(sla, lang="en"), now=T0 + minutes(35))
    line = "TK-55120 · opened 11-23 12:00 · first response due 11-23 13:00 (office calendar)"
    assert ("Evidence", line) in en.facts


def test_alerts_without_evidence_render_as_before() -> None:
    doc = render.compose(notification(), now=T0 + minutes(35))
    assert all(k != "依据" for k, _ in doc.facts)
