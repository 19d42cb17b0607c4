"""The incident list through HTTP: tabs, filters, free-text search, the live rows endpoint,
masking, the language switch, and who may see it. On the in-memory store and on SQLite, whose
filters are SQL."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from alerts.db import SqlStore
from alerts.memory import MemoryStore
from alerts.model import Alert
from alerts.ports import AlertStore
from tests.console_helpers import PHONE, Bench, run
from tests.lifecycle_helpers import T0


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> AlertStore:
    if request.param == "memory":
        return MemoryStore()
    return SqlStore(f"sqlite:///{tmp_path / 'alerts.db'}")


sample = Alert("0", "csat_low", "satisfaction", "warning", {}, "旧告警", "old", T0, T0)


def shown(page: str, fps: dict[str, str]) -> set[str]:
    return {name for name, fp in fps.items() if f"/incidents/{fp}" in page}


def test_tabs_filters_and_search(store: AlertStore) -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page("/")
        assert shown(page, fps) == {"crisis", "csat", "north"}  # firing is the first tab
        assert '<span id="count-firing">3</span>' in page
        assert shown(await b.page("/?tab=resolved"), fps) == {"gone"}
        assert shown(await b.page("/?tab=acknowledged"), fps) == set()
        assert shown(await b.page("/?store=S001"), fps) == {"crisis", "csat"}
        assert shown(await b.page("/?region=north"), fps) == {"north"}
        assert shown(await b.page("/?severity=critical"), fps) == {"crisis", "north"}
        assert shown(await b.page("/?rule=csat_low"), fps) == {"csat"}
        assert shown(await b.page("/?q=%E5%8D%B1%E6%9C%BA"), fps) == {"crisis"}  # 危机
        assert shown(await b.page("/?q=S002"), fps) == {"north"}
        assert shown(await b.page("/?q=nothing-like-this"), fps) == set()
        assert shown(await b.page("/?store=S001&region=east"), fps) == {"crisis", "csat"}
        assert shown(await b.page("/?store=S001&region=north"), fps) == set()
        assert shown(await b.page("/?store=S001&q=csat"), fps) == {"csat"}
        assert shown(await b.page("/?tab=resolved&store=S003&q=S003"), fps) == {"gone"}
        filtered = await b.page("/?store=S001&severity=critical")
        assert shown(filtered, fps) == {"crisis"}
        # The tab links keep the filters, and count under them.
        assert 'href="/?tab=resolved&amp;severity=critical&amp;store=S001"' in filtered
        assert '<span id="count-firing">1</span>' in filtered

    run(test, store)


def test_what_is_open_is_listed_most_severe_first(store: AlertStore) -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page("/")
        order = sorted(("crisis", "csat", "north"), key=lambda n: page.index(fps[n]))
        # Both criticals (the newer first) before the newer warning.
        assert order == ["north", "crisis", "csat"]

    run(test, store)


def test_assignee_and_silenced_tabs(store: AlertStore) -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        r = await b.post(f"/incidents/{fps['csat']}/assign", {"assignee": "li"})
        assert r[0] == 303
        assert shown(await b.page("/?assignee=li"), fps) == {"csat"}
        r = await b.post("/silences", {"matchers": 'store_id="S002"', "preset": "1h"})
        assert r[0] == 303
        assert shown(await b.page("/?tab=silenced"), fps) == {"north"}
        assert shown(await b.page("/"), fps) == {"crisis", "csat"}

    run(test, store)


def test_live_rows_endpoint_follows_the_same_filters() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page("/?store=S001")
        assert 'data-poll="/console/rows?tab=firing&amp;store=S001"' in page
        r = await b.client.get("/console/rows?tab=firing&store=S001")
        data = json.loads(await r.text())
        assert r.status == 200 and data["counts"]["firing"] == 2
        assert shown(data["rows"], fps) == {"crisis", "csat"}
        await b.post(f"/incidents/{fps['csat']}/ack", {})
        data = json.loads(await (await b.client.get("/console/rows?store=S001")).text())
        assert shown(data["rows"], fps) == {"crisis"} and data["counts"]["acknowledged"] == 1

    run(test)


def test_phone_numbers_are_masked() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        for path in ("/", f"/incidents/{fps['crisis']}", "/console/rows"):
            page = await b.page(path)
            assert PHONE not in page, path
            assert "138****5678" in page, path
        # The search looks in the masked text: the raw number confirms nothing.
        assert shown(await b.page(f"/?q={PHONE}"), fps) == set()
        assert shown(await b.page("/?q=138****5678"), fps) == {"crisis"}

    run(test)


def test_chinese_by_default_english_on_request_and_remembered() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page("/")
        assert '<html lang="zh-CN">' in page and "告警中" in page and ">筛选<" in page
        page = await b.page("/?lang=en")
        assert '<html lang="en">' in page and "Firing" in page and ">Filter<" in page
        page = await b.page(f"/incidents/{fps['crisis']}")  # the cookie keeps the choice
        assert '<html lang="en">' in page and ">Acknowledge<" in page
        page = await b.page("/?lang=zh")
        assert '<html lang="zh-CN">' in page

    run(test)


def test_no_session_is_sent_to_sign_in_and_the_api_still_needs_its_token() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        b.as_user(None)
        for path in ("/", f"/incidents/{fps['crisis']}"):
            r = await b.client.get(path, allow_redirects=False)
            assert r.status == 303 and r.headers["Location"].startswith("/login?next=")
        r = await b.client.get("/api/alerts")
        assert r.status == 401  # the console's routes opened nothing of the API

    run(test)


def test_resolved_alerts_are_listed_but_not_counted(store: AlertStore) -> None:
    # Resolved alerts are kept for ever: counting them on every refresh would grow without end.
    old = [
        replace(sample, fingerprint=f"{i:016x}", state="resolved", labels={"store_id": "S9"})
        for i in range(60)
    ]
    store.save(old, [])

    async def test(b: Bench, fps: dict[str, str]) -> None:
        page = await b.page("/")
        assert 'id="count-resolved"' not in page and '<span id="count-firing">3</span>' in page
        page = await b.page("/?tab=resolved")
        assert page.count('<a class="title"') == 50 and "下一页" in page
        page = await b.page("/?tab=resolved&offset=50")
        assert page.count('<a class="title"') == 11 and "下一页" not in page

    run(test, store)
