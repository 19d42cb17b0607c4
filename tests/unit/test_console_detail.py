"""The incident page: summary, labels, the evidence rendered for a person (not raw JSON), the
SLA clock with its countdown and calendar, the escalation chain with who is next, the
notifications queued, the audit trail; and the on-duty page."""

from __future__ import annotations

import re
from datetime import timedelta

from alerts.model import Change
from tests.console_helpers import VIEWER, Bench, run
from tests.lifecycle_helpers import T0


def test_the_page_shows_evidence_sla_clock_chain_notifications_and_audit() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page(f"/incidents/{fps['crisis']}")
        assert "<title>门店 S001 危机：客户 138****5678 投诉" in page
        # Evidence: the review and the complaint, readably.
        assert "dianping" in page and "评分 1" in page and "浏览量 12000" in page
        assert "服务太差，打 138****5678 没人接" in page
        assert "客户等级 vip" in page and "media" in page and "要求退款" in page
        assert '"event_id"' not in page and "rv-1" not in page  # not a JSON dump
        # The SLA clock counts down in the browser towards the deadline, on its calendar.
        deadline = (T0 + timedelta(hours=2)).isoformat()
        assert f'data-deadline="{deadline}"' in page
        assert "营业日历" in page and "office" in page
        assert "当前营业时间内" in page  # Monday 12:05 in Shanghai
        # The chain: the first step is next, due 10 minutes after the page, to the area manager
        # of the east region.
        assert "升级链" in page and "下一步" in page and "赵总" in page
        assert 'data-deadline="2026-11-23T04:10:00+00:00"' in page
        # The first page went to "duty"; the trail says so.
        assert "已发送的通知" in page and ">duty<" in page and "待发送" in page
        assert "操作记录" in page and ">触发<" in page and ">streams<" in page
        assert "csat" in page and "0.42" in page  # the values the rule compared

    run(test)


def test_escalations_show_as_done_with_their_time() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        b.engine.tick(b.store, T0 + timedelta(minutes=11))
        page = await b.page(f"/incidents/{fps['crisis']}")
        done = re.search(r"<td>1</td>.*?</tr>", page, re.S)
        assert done and "已执行" in done[0] and "赵总" in done[0]
        nxt = re.search(r"<td>2</td>.*?</tr>", page, re.S)
        assert nxt and "下一步" in nxt[0]

    run(test)


def test_a_viewer_sees_the_page_without_action_forms() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        b.as_user(VIEWER)
        page = await b.page(f"/incidents/{fps['crisis']}")
        forms = re.findall(r'<form[^>]* method="post" action="([^"]+)"', page)
        assert "只读用户" in page and forms == ["/logout"]  # signing out is all a viewer posts
        await b.page("/incidents/0000000000000000", 404)

    run(test)


def test_audit_details_are_masked() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        note = Change(fps["csat"], T0, "commented", "wang", "回电 13912345678 已联系")
        b.store.save([], [note])
        page = await b.page(f"/incidents/{fps['csat']}")
        assert "回电 139****5678 已联系" in page and "13912345678" not in page

    run(test)


def test_on_duty_now_and_next() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page("/duty")  # Monday 12:05 in Shanghai
        duty = page.split("角色: duty_manager")[1]
        now, nxt = duty.split("下一班")
        assert "王经理" in now and "李经理" not in now
        # 李经理's evening shift starts at 18:00 Shanghai, 10:00 UTC.
        assert "李经理" in nxt and 'datetime="2026-11-23T10:00:00+00:00"' in nxt
        assert "赵总" in page and "east" in page

    run(test)


def test_the_silence_offered_first_is_the_rule_at_this_store_or_this_rollup_entity() -> None:
    from alerts.console.detail import default_matchers
    from alerts.lifecycle import matchers as m
    from alerts.model import Alert

    def offered(labels: dict[str, str]) -> list[str]:
        a = Alert("f", "r", "k", "warning", labels, "摘要", "summary", T0, T0)
        return [m.render(x) for x in default_matchers(a)]

    assert offered({"store_id": "S1", "region": "east"}) == ['alertname="r"', 'store_id="S1"']
    region = {"level": "region", "brand": "B", "region": "east"}
    assert offered(region) == ['alertname="r"', 'level="region"', 'brand="B"', 'region="east"']
