"""The console's actions through HTTP: each goes through the lifecycle engine under the user's
name and ends in a redirect with a flash line; a stale form gets the current state and 409; a
viewer gets 403 and changes nothing; every form carries the CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from alerts.model import Alert
from tests.console_helpers import VIEWER, Bench, run
from tests.lifecycle_helpers import T0

NOW = T0 + timedelta(minutes=5)


def got(b: Bench, fp: str) -> Alert:
    a = b.store.get(fp)
    assert a is not None
    return a


def trail(b: Bench, fp: str) -> list[tuple[str, str, str]]:
    return [(c.action, c.actor, c.detail) for c in b.store.history(fp)]


def test_every_form_carries_the_csrf_token() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page(f"/incidents/{fps['crisis']}")
        forms = re.findall(r'<form method="post".*?</form>', page, re.S)
        assert len(forms) >= 5
        assert b.csrf and all(f'name="csrf" value="{b.csrf}"' in f for f in forms)

    run(test)


def test_acknowledge_until_an_hour_under_the_users_name() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        form = {"version": await b.version(fp), "until": "1h"}
        status, where, _ = await b.post(f"/incidents/{fp}/ack", form)
        assert status == 303 and where == f"/incidents/{fp}?done=acked"
        assert "已确认告警。" in await b.page(where)
        a = got(b, fp)
        assert a.state == "acknowledged" and a.acked_by == "wang"
        assert a.ack_until == NOW + timedelta(hours=1) and a.next_escalation_at is None
        assert trail(b, fp)[-1][:2] == ("acknowledged", "wang")

    run(test)


def test_an_ack_beyond_the_bound_is_refused_and_changes_nothing() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        form = {"version": await b.version(fp), "until": "custom", "custom": "9999-01-01T09:00"}
        status, _, page = await b.post(f"/incidents/{fp}/ack", form)
        assert status == 400 and "操作未执行" in page and "too far ahead" in page
        assert got(b, fp).state == "firing"

    run(test)


def test_a_stale_form_shows_the_current_state_and_changes_nothing() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        seen = await b.version(fp)
        # Someone else acknowledges first.
        await b.client.post(f"/api/alerts/{fp}/ack", json={"who": "li"},
                            headers={"Authorization": "Bearer console-api-token-1"})  # fmt: skip
        before = len(b.store.history(fp))
        for action, form in [
            ("resolve", {"note": "done"}),
            ("ack", {}),
            ("assign", {"assignee": "wang"}),
            ("escalate", {}),
        ]:
            status, _, page = await b.post(f"/incidents/{fp}/{action}", {"version": seen, **form})
            assert status == 409, action
            assert "该告警已被他人更改" in page and "li" in page and "已确认" in page
        assert len(b.store.history(fp)) == before and got(b, fp).acked_by == "li"

    run(test)


def test_resolve_with_a_note() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["csat"]
        form = {"version": await b.version(fp), "note": "已回访客户"}
        status, where, _ = await b.post(f"/incidents/{fp}/resolve", form)
        assert status == 303 and where.endswith("done=resolved")
        assert got(b, fp).state == "resolved" and got(b, fp).resolved_by == "wang"
        assert trail(b, fp)[-2:][0][:2] == ("resolved", "wang")
        assert ("commented", "wang", "已回访客户") in trail(b, fp)

    run(test)


def test_escalate_now_runs_the_next_step() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        status, where, _ = await b.post(f"/incidents/{fp}/escalate",
                                        {"version": await b.version(fp)})  # fmt: skip
        assert status == 303 and where.endswith("done=escalated")
        actions = [(a, who) for a, who, _ in trail(b, fp)]
        assert ("escalate_requested", "wang") in actions and ("escalated", "escalation") in actions
        a = got(b, fp)
        assert a.escalation_step == 1 and a.next_escalation_at == NOW + timedelta(minutes=20)
        assert any(i.receiver == "area" for i in b.store.outbox(limit=100))

    run(test)


def test_escalating_an_acknowledged_alert_is_a_clear_400() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        await b.post(f"/incidents/{fp}/ack", {})
        status, _, page = await b.post(f"/incidents/{fp}/escalate", {})
        assert status == 400 and "操作未执行" in page

    run(test)


def test_reassign_and_take_are_recorded() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["north"]
        form = {"version": await b.version(fp), "assignee": "li"}
        status, where, _ = await b.post(f"/incidents/{fp}/assign", form)
        assert status == 303 and got(b, fp).assignee == "li"
        page = await b.page(where)
        assert "已更新处理人" in page and 'name="assignee" value="li"' in page
        await b.post(f"/incidents/{fp}/assign", {"assignee": ""})
        assert got(b, fp).assignee is None
        assert [t for t in trail(b, fp) if t[0] == "assigned"] == [
            ("assigned", "wang", "li"),
            ("assigned", "wang", ""),
        ]

    run(test)


def test_silence_preview_changes_nothing_then_confirm_mutes() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        page = await b.page(f"/incidents/{fp}")
        assert "alertname=&quot;crisis&quot;\nstore_id=&quot;S001&quot;" in page  # offered first
        assert '<button type="submit">静默</button>' in page  # opens the preview
        writes = len(b.store.silences())
        preview = await b.page(
            f"/silences/new?fp={fp}&preset=tomorrow&matchers=store_id%3D%22S001%22"
        )
        assert '<span id="mute-count">2</span>' in preview
        assert (
            f"/incidents/{fps['csat']}" in preview and f"/incidents/{fps['north']}" not in preview
        )
        assert 'datetime="2026-11-24T01:00:00+00:00"' in preview  # tomorrow 09:00 Shanghai
        assert len(b.store.silences()) == writes and got(b, fp).silenced_by is None
        ends = re.search(r'name="ends_at" value="([^"]+)"', preview)
        assert ends
        form = {"fp": fp, "matchers": 'store_id="S001"', "ends_at": ends[1], "comment": "装修"}
        status, where, _ = await b.post("/silences", form)
        assert status == 303 and where == f"/incidents/{fp}?done=silenced"
        [s] = b.store.silences()
        assert s.created_by == "wang" and s.comment == "装修"
        assert s.ends_at == T0.replace(day=24, hour=1)
        assert got(b, fp).silenced_by == s.id and got(b, fps["csat"]).silenced_by == s.id

    run(test)


@pytest.mark.parametrize(
    "query",
    [
        "matchers=store_id%3D~%22(%22",
        "matchers=",
        "preset=custom&custom=2027-06-01T00:00&matchers=a%3Db",
    ],
)
def test_bad_silences_are_refused(query: str) -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page(f"/silences/new?{query}", 400)
        assert "操作未执行" in page and 'action="/silences"' not in page

    run(test)


def test_a_viewer_may_not_act() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        fp = fps["crisis"]
        b.as_user(VIEWER)
        for action in ("ack", "resolve", "escalate", "assign"):
            status, _, page = await b.post(f"/incidents/{fp}/{action}", {"assignee": "zhao"})
            assert status == 403 and "无权操作" in page, action
        await b.page(f"/silences/new?fp={fp}&matchers=a%3Db", 403)
        status, _, _ = await b.post("/silences", {"matchers": "a=b"})
        assert status == 403
        a = got(b, fp)
        assert a.state == "firing" and a.assignee is None and a.escalation_step == 0
        assert not b.store.silences()

    run(test)


def test_silences_are_listed_with_what_they_mute_and_can_be_ended() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        assert "当前没有生效或待生效的静默。" in await b.page("/silences")
        form = {"matchers": 'store_id="S001"', "ends_at": "2026-11-24T01:00:00+00:00"}
        form["comment"] = "装修"
        status, _, _ = await b.post("/silences", form)
        assert status == 303
        [s] = b.store.silences()
        page = await b.page("/silences")
        assert "store_id=&quot;S001&quot;" in page and "装修" in page and "wang" in page
        assert "当前静默的未解决告警: <strong>2</strong>" in page
        assert f'action="/silences/{s.id}/end"' in page and 'href="/silences"' in page
        status, where, _ = await b.post(f"/silences/{s.id}/end", {})
        assert status == 303 and where == "/silences?done=ended"
        assert "静默已结束" in await b.page(where)
        [ended] = b.store.silences()
        assert ended.expired_at == NOW
        assert got(b, fps["crisis"]).silenced_by is None
        assert "当前没有生效或待生效的静默。" in await b.page("/silences")
        status, where, _ = await b.post("/silences/no-such-id/end", {})
        assert status == 303 and where == "/silences?done=gone"

    run(test)


def test_a_viewer_sees_silences_but_may_not_end_them() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        form = {"matchers": 'store_id="S001"', "ends_at": "2026-11-24T01:00:00+00:00"}
        assert (await b.post("/silences", form))[0] == 303
        [s] = b.store.silences()
        b.as_user(VIEWER)
        page = await b.page("/silences")
        assert "store_id=&quot;S001&quot;" in page and "/end" not in page
        status, _, _ = await b.post(f"/silences/{s.id}/end", {})
        assert status == 403
        assert b.store.silences()[0].expired_at is None

    run(test)
