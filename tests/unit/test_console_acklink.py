"""The signed ack link of a page: its GET shows what the button will acknowledge and changes
nothing (chat apps prefetch links); its POST acknowledges every open alert of the link alert's
notification group, and the answer leads to the incident page."""

from __future__ import annotations

from tests.console_helpers import PHONE, Bench, run
from tests.lifecycle_helpers import T0


def test_get_shows_the_group_post_acknowledges_all_of_it() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        b.as_user(None)  # from a chat app on a phone: no session, the signature is enough
        url = f"/ack/{b.signer.sign(fps['crisis'], T0, b.clock())}"
        for _ in range(2):
            page = await b.page(url)
            assert "以下 2 条告警将被确认" in page and "确认全部 2 条告警" in page
            assert "S001 csat_low" in page and "S002" not in page  # the same store's group
            assert f'href="/incidents/{fps["crisis"]}"' in page
            assert PHONE not in page and "138****5678" in page
        assert [b.store.get(fp).state for fp in fps.values()] == [  # type: ignore[union-attr]
            "firing", "firing", "firing", "resolved"
        ]  # fmt: skip

        r = await b.client.post(url, allow_redirects=False)
        page = await r.text()
        assert r.status == 200 and "已确认告警" in page and "确认 2 条告警" in page
        assert f'href="/incidents/{fps["crisis"]}"' in page
        for name in ("crisis", "csat"):
            a = b.store.get(fps[name])
            assert a is not None and a.state == "acknowledged" and a.acked_by == "ack-link"
        assert b.store.get(fps["north"]).state == "firing"  # type: ignore[union-attr]

        page = await b.page(url)  # again: nothing left to do
        assert "此告警已由 ack-link 于" in page

    run(test)


def test_a_signed_in_user_acknowledges_under_their_name_in_english() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        north = b.store.get(fps["north"])
        assert north is not None
        url = f"/ack/{b.signer.sign(north.fingerprint, north.starts_at, b.clock())}"
        page = await b.page(url + "?lang=en")
        assert "Acknowledge?" in page and 'name="csrf"' in page
        r = await b.client.post(url)
        assert r.status == 200 and "1 alerts acknowledged" in await r.text()
        assert b.store.get(fps["north"]).acked_by == "wang"  # type: ignore[union-attr]

    run(test)


def test_a_link_needs_no_bearer_but_head_is_not_served() -> None:
    async def test(b: Bench, fps: dict[str, str]) -> None:
        url = f"/ack/{b.signer.sign(fps['crisis'], T0, b.clock())}"
        assert (await b.client.head(url)).status >= 400
        assert b.store.get(fps["crisis"]).state == "firing"  # type: ignore[union-attr]

    run(test)
