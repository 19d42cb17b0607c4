"""The incident list (``/``): one tab per state, filters, free-text search, and the rows
refreshed every few seconds from ``/console/rows`` (same query, JSON) without a reload."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import get_args

from aiohttp import web

from alerts.api.ops import ConsoleOperations
from alerts.auth.identity import User
from alerts.console.i18n import Words
from alerts.console.page import CONSOLE, call, e, guarded, href, local, masked, shell, when
from alerts.model import TABS, Alert, AlertQuery, Tab
from schemas.alerts import RuleName, Severity

PAGE_SIZE = 50
MAX_TEXT = 100
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
FILTERS = ("severity", "store", "region", "rule", "assignee", "q")


def query_of(params: Mapping[str, str], limit: int = PAGE_SIZE) -> AlertQuery:
    """The filters of a list URL; values that cannot match anything are dropped, not refused
    (a stale bookmark still opens)."""
    tab_raw = params.get("tab", "firing")
    tab: Tab | None = next((t for t in TABS if t == tab_raw), None)
    sev_raw = params.get("severity", "")
    severity: Severity | None = next((s for s in SEVERITIES if s == sev_raw), None)
    labels = tuple(
        (name, params[key].strip())
        for key, name in (("store", "store_id"), ("region", "region"))
        if params.get(key, "").strip()
    )
    try:
        offset = max(0, min(int(params.get("offset", "0")), 1_000_000))
    except ValueError:
        offset = 0
    return AlertQuery(
        tab=tab,
        severity=severity,
        labels=labels,
        rule=params.get("rule", "").strip() or None,
        assignee=params.get("assignee", "").strip() or None,
        text=params.get("q", "").strip()[:MAX_TEXT] or None,
        limit=limit,
        offset=offset,
    )


async def _page_and_counts(
    ops: ConsoleOperations, q: AlertQuery
) -> tuple[list[Alert], dict[Tab, int]]:
    # Two reads on two connections at once: the database works on both while Python waits.
    return await asyncio.gather(call(ops.search, q), call(ops.tab_counts, q))


def _row(a: Alert, w: Words) -> str:
    summary = a.summary_en if w.lang == "en" and a.summary_en else a.summary_zh
    where = " · ".join(
        e(f"{w(k)} {a.labels[n]}")
        for k, n in (("store", "store_id"), ("region", "region"))
        if a.labels.get(n)
    )
    who = f" · {e(w('assignee'))} {e(a.assignee)}" if a.assignee else ""
    return (
        f'<li><span class="badge {e(a.severity)}">{e(w(a.severity))}</span> '
        f'<a class="title" href="/incidents/{e(a.fingerprint)}">{masked(summary)}</a>'
        f'<div class="meta">{e(a.rule)} · {where} · {e(w("since"))} {when(a.starts_at)}'
        f" · {e(w('last_seen'))} {e(local(a.last_seen))}{who}</div></li>"
    )


def rows(found: list[Alert], w: Words) -> str:
    if not found:
        return f"<li>{e(w('none_found'))}</li>"
    return "".join(_row(a, w) for a in found)


def _filters_form(params: Mapping[str, str], q: AlertQuery, w: Words) -> str:
    def text(key: str, label: str, kind: str = "text") -> str:
        return (
            f'<div><label for="f-{key}">{e(label)}</label>'
            f'<input id="f-{key}" name="{key}" type="{kind}" value="{e(params.get(key, ""))}">'
            "</div>"
        )

    def select(key: str, label: str, options: list[tuple[str, str]]) -> str:
        chosen = params.get(key, "")
        opts = "".join(
            f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e(t)}</option>'
            for v, t in [("", w("all")), *options]
        )
        return (
            f'<div><label for="f-{key}">{e(label)}</label>'
            f'<select id="f-{key}" name="{key}">{opts}</select></div>'
        )

    tab = f'<input type="hidden" name="tab" value="{e(q.tab)}">' if q.tab else ""
    return (
        f'<form method="get" action="/" class="filters" role="search">{tab}'
        + text("q", w("search"), "search")
        + select("severity", w("severity"), [(s, w(s)) for s in SEVERITIES])
        + text("store", w("store"))
        + text("region", w("region"))
        + select("rule", w("rule"), [(r.value, r.value) for r in RuleName])
        + text("assignee", w("assignee"))
        + f'<div><button type="submit">{e(w("filter"))}</button> '
        f'<a href="{href("/", tab=q.tab)}">{e(w("clear"))}</a></div></form>'
    )


def _tabs(params: Mapping[str, str], q: AlertQuery, counts: Mapping[Tab, int], w: Words) -> str:
    keep = {k: params[k] for k in FILTERS if params.get(k)}
    items = []
    for t in TABS:
        current = ' aria-current="page"' if t == q.tab else ""
        count = f'<span id="count-{t}">{counts[t]}</span>' if t in counts else ""
        items.append(
            f'<li><a href="{href("/", tab=t, **keep)}"{current}>{e(w(t))} {count}</a></li>'
        )
    return f'<ul class="tabs">{"".join(items)}</ul>'


@guarded("view")
async def incident_list(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    c = request.app[CONSOLE]
    params = request.query
    q = query_of(params)
    found, counts = await _page_and_counts(c.ops, q)
    keep = {k: params[k] for k in FILTERS if params.get(k)}
    poll = href("/console/rows", tab=q.tab, offset=q.offset or None, **keep)
    more = (
        f'<p><a href="{href("/", tab=q.tab, offset=q.offset + q.limit, **keep)}">'
        f"{e(w('more'))}</a></p>"
        if len(found) == q.limit
        else ""
    )
    # Folded unless in use: on a phone the incidents, not six empty fields, fill the screen.
    opened = " open" if keep else ""
    body = (
        f'<nav aria-label="{e(w("state"))}">{_tabs(params, q, counts, w)}</nav>'
        + f"<details{opened}><summary>{e(w('filters'))}</summary>"
        + _filters_form(params, q, w)
        + "</details>"
        + f'<p class="meta">{e(w("live"))} · {e(w("updated"))} '
        f'<span id="updated" aria-live="polite">{e(local(c.clock(), with_date=False))}</span></p>'
        + f'<ul class="incidents" data-poll="{poll}">{rows(found, w)}</ul>'
        + more
    )
    return shell(request, w, w("incidents"), body)


@guarded("view")
async def incident_rows(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    """The list's rows and tab counts for the page's poll: HTML rendered here, so the page
    and its updates look the same."""
    c = request.app[CONSOLE]
    q = query_of(request.query)
    found, counts = await _page_and_counts(c.ops, q)
    data = {
        "rows": rows(found, w),
        "counts": counts,
        "updated": local(c.clock(), with_date=False),
    }
    return web.json_response(
        text=json.dumps(data, ensure_ascii=False), headers={"Cache-Control": "no-store"}
    )
