"""The incident page (``/incidents/<fingerprint>``): what the alert says and why (evidence,
the values compared, the SLA clock on its business calendar), who was and will be notified
(the escalation chain, the outbox), what people did (the audit trail), and the action forms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from alerts.auth.identity import User, may
from alerts.console.i18n import Words
from alerts.console.page import (
    CONSOLE,
    Console,
    call,
    countdown,
    csrf_field,
    e,
    flash,
    guarded,
    masked,
    shell,
    summary_of,
    when,
)
from alerts.lifecycle import escalation
from alerts.lifecycle import matchers as m
from alerts.model import Alert, Change, Matcher, OutboxItem, tab_of
from schemas.mask import mask_labels, mask_text
from streams.core.calendar import BusinessCalendar

# The ack-until choices: (form value, label); the engine bounds them by alerts.ack_max.
ACK_UNTIL = (("", "ack_default"), ("1h", "h1"), ("4h", "h4"), ("tomorrow", "tomorrow"),
             ("custom", "custom"))  # fmt: skip
FLASHES = ("acked", "resolved", "silenced", "escalated", "assigned")


def _kv(pairs: list[tuple[str, str]]) -> str:
    return '<dl class="kv">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


def _summary(a: Alert, w: Words) -> str:
    ack = ""
    if a.state == "acknowledged":
        until = f" {e(w('until'))} {countdown(a.ack_until, w)}" if a.ack_until else ""
        ack = f"{e(a.acked_by or '')} {when(a.acked_at)}{until}"
    pairs = [
        (e(w("state")), f"<strong>{e(w(tab_of(a)))}</strong>"),
        (e(w("severity")), f'<span class="badge {e(a.severity)}">{e(w(a.severity))}</span>'),
        (e(w("rule")), e(f"{a.rule} ({a.kind})")),
        (e(w("since")), when(a.starts_at)),
        (e(w("last_seen")), when(a.last_seen)),
        (e(w("count")), e(a.count)),
        (e(w("assignee")), e(a.assignee or w("nobody_assigned"))),
    ]
    if ack:
        pairs.append((e(w("acked_by")), ack))
    if a.next_escalation_at:
        pairs.append((e(w("next_escalation")), countdown(a.next_escalation_at, w)))
    if a.silenced_by:
        pairs.append((e(w("muted_by")), e(a.silenced_by)))
    pairs.append((e(w("fingerprint")), f"<code>{e(a.fingerprint)}</code>"))
    return _kv(pairs)


def _labels(a: Alert, w: Words) -> str:
    shown = mask_labels(a.labels)
    body = _kv([(e(k), e(v)) for k, v in sorted(shown.items())])
    values = ""
    if a.values:
        values = f"<h2>{e(w('values'))}</h2>" + _kv(
            [(e(k), e(f"{v:g}")) for k, v in sorted(a.values.items())]
        )
    return f"<section><h2>{e(w('labels'))}</h2>{body}{values}</section>"


def _event(ev: Mapping[str, Any], w: Words) -> str:
    bits = [e(ev.get("kind", "")), when(_time(ev.get("occurred_at")))]
    if ev.get("rating") is not None:
        bits.append(e(f"{w('rating')} {ev['rating']}"))
    if ev.get("platform"):
        bits.append(e(f"{w('platform')} {ev['platform']}"))
    if ev.get("views") is not None:
        bits.append(e(f"{w('views')} {ev['views']}"))
    if ev.get("tier"):
        bits.append(e(f"{w('tier')} {ev['tier']}"))
    if ev.get("tags"):
        bits.append(e(f"{w('tags')} {', '.join(str(t) for t in ev['tags'])}"))
    excerpt = (
        f"<blockquote>{masked(str(ev.get('excerpt', '')))}</blockquote>"
        if ev.get("excerpt")
        else ""
    )
    return f'<li><div class="meta">{" · ".join(bits)}</div>{excerpt}</li>'


def _time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def _sla(timeline: Mapping[str, Any], c: Console, w: Words) -> str:
    deadline = _time(timeline.get("deadline"))
    pairs = [
        (e(w("complaint")), masked(str(timeline.get("complaint_id", "")))),
        (e(w("policy")), e(timeline.get("policy", ""))),
        (e(w("tier")), e(timeline.get("tier", ""))),
    ]
    if timeline.get("category"):
        pairs.append((e(w("category")), e(timeline["category"])))
    if timeline.get("opened_at"):
        pairs.append((e(w("opened")), when(_time(timeline["opened_at"]))))
    if timeline.get("clock"):
        pairs.append((e(w("sla")), e(timeline["clock"])))
    pairs.append((e(w("deadline")), countdown(deadline, w)))
    name = timeline.get("calendar")
    if isinstance(name, str) and name:
        cfg = c.calendars.get(name)
        state = ""
        if cfg is not None:
            is_open = BusinessCalendar(name, cfg).is_open(c.clock().timestamp())
            state = f" — {e(w('cal_open') if is_open else w('cal_closed'))}"
        pairs.append((e(w("calendar")), e(name) + state))
    steps = "".join(
        f"<li>{when(_time(s.get('at')))} {masked(str(s.get('action', '')))}</li>"
        for s in timeline.get("steps", [])
        if isinstance(s, Mapping)
    )
    trail = f"<h3>{e(w('timeline'))}</h3><ol>{steps}</ol>" if steps else ""
    return f"<h2>{e(w('sla'))}</h2>{_kv(pairs)}{trail}"


def _evidence(a: Alert, c: Console, w: Words) -> str:
    ev = a.evidence or {}
    events = [x for x in ev.get("events", []) if isinstance(x, Mapping)]
    timeline = ev.get("timeline")
    if not events and not isinstance(timeline, Mapping):
        return f"<section><h2>{e(w('evidence'))}</h2><p>{e(w('no_evidence'))}</p></section>"
    items = "".join(_event(x, w) for x in events)
    listed = f'<ul class="evidence">{items}</ul>' if items else ""
    sla = _sla(timeline, c, w) if isinstance(timeline, Mapping) else ""
    return f"<section><h2>{e(w('evidence'))}</h2>{listed}{sla}</section>"


def _chain(a: Alert, c: Console, history: list[Change], w: Words) -> str:
    head = f"<h2>{e(w('chain'))}</h2>"
    found = c.engine.chain_of(a)
    if found is None or not found[1].steps:
        return f"<section>{head}<p>{e(w('no_chain'))}</p></section>"
    route, chain = found
    labels = m.label_set(a)
    rows = []
    done = [ch for ch in history if ch.action == "escalated"]
    for i in range(escalation.total_steps(chain)):
        step = chain.steps[i % len(chain.steps)]
        receiver = step.receiver or route.receiver or ""
        role = step.role or ""
        if i < len(done):
            status = f"{e(w('done'))} {when(done[i].at)} — {masked(done[i].detail)}"
        elif i == a.escalation_step and a.next_escalation_at is not None:
            at = a.next_escalation_at
            people = c.engine.roster.lookup(role, labels, at) if role else []
            names = ", ".join(p.name for p in people) or (w("nobody") if role else "")
            status = f"<strong>{e(w('next'))}</strong> {countdown(at, w)} {e(names)}"
        else:
            status = ""
        wait = timedelta(seconds=step.wait)
        rows.append(
            f"<tr><td>{i + 1}</td><td>{e(wait)}</td><td>{e(receiver)}</td>"
            f"<td>{e(role)}</td><td>{status}</td></tr>"
        )
    stopped = ""
    if a.next_escalation_at is None:
        stopped = f"<p>{e(w('chain_stopped'))}</p>"
    table = (
        f'<div class="scroll"><table><thead><tr><th>{e(w("step"))}</th><th>{e(w("wait"))}</th>'
        f"<th>{e(w('receiver'))}</th><th>{e(w('role'))}</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return f"<section>{head}{stopped}{table}</section>"


def _notifications(items: list[OutboxItem], w: Words) -> str:
    head = f"<h2>{e(w('notifications'))}</h2>"
    if not items:
        return f"<section>{head}<p>{e(w('no_notifications'))}</p></section>"
    rows = "".join(
        f"<tr><td>{when(i.created_at)}</td><td>{e(i.receiver)}</td><td>{e(w(i.state))}"
        f"{' ' + when(i.sent_at) if i.sent_at else ''}</td><td>{e(i.attempts)}</td>"
        f"<td>{masked(i.last_error or '')}</td></tr>"
        for i in items
    )
    return (
        f'<section>{head}<div class="scroll"><table><tbody>{rows}</tbody></table></div></section>'
    )


def _audit(history: list[Change], w: Words) -> str:
    rows = "".join(
        f"<tr><td>{when(ch.at)}</td><td>{e(w('act_' + ch.action))}</td><td>{e(ch.actor)}</td>"
        f"<td>{masked(ch.detail)}</td></tr>"
        for ch in reversed(history)  # newest first: what just happened is on top
    )
    return (
        f"<section><h2>{e(w('audit'))}</h2>"
        f'<div class="scroll"><table><tbody>{rows}</tbody></table></div></section>'
    )


def _forms(request: web.Request, a: Alert, user: User, w: Words) -> str:
    if not may(user, "act"):
        return f"<p>{e(w('viewer_note'))}</p>"
    fp = e(a.fingerprint)
    hidden = csrf_field(request) + f'<input type="hidden" name="version" value="{a.version}">'

    def form(action: str, inner: str, button: str, cls: str = "") -> str:
        klass = f' class="{cls}"' if cls else ""
        return (
            f'<form method="post" action="/incidents/{fp}/{action}">{hidden}{inner}'
            f'<button type="submit"{klass}>{e(w(button))}</button></form>'
        )

    parts = []
    if a.state != "resolved":
        until = "".join(f'<option value="{v}">{e(w(k))}</option>' for v, k in ACK_UNTIL)
        parts.append(
            form(
                "ack",
                f'<label for="ack-until">{e(w("ack_until"))}</label>'
                f'<select id="ack-until" name="until">{until}</select>'
                f'<label for="ack-custom">{e(w("custom_time"))}</label>'
                '<input id="ack-custom" name="custom" type="datetime-local">',
                "ack",
            )
        )
        parts.append(
            form(
                "resolve",
                f'<label for="resolve-note">{e(w("note"))}</label>'
                '<textarea id="resolve-note" name="note" rows="2" maxlength="1000"></textarea>',
                "resolve",
            )
        )
        parts.append(form("escalate", "", "escalate", "secondary"))
    parts.append(
        form(
            "assign",
            f'<label for="assignee">{e(w("assignee"))}</label>'
            f'<input id="assignee" name="assignee" value="{e(a.assignee or "")}" maxlength="200">',
            "reassign",
            "secondary",
        )
    )
    me = f'<input type="hidden" name="assignee" value="{e(user.name)}">'
    parts.append(form("assign", me, "take", "secondary"))
    if a.state != "resolved":
        parts.append(_silence_form(a, w))
    return f'<section class="actions"><h2>{e(w("actions"))}</h2>{"".join(parts)}</section>'


def default_matchers(a: Alert) -> list[Matcher]:
    """The silence the page offers first: this rule at this store, or for a brand's, region's
    or city's rollup this rule at this entity (or this exact alert)."""
    found = [Matcher("alertname", a.rule)]
    if a.labels.get("store_id"):
        found.append(Matcher("store_id", a.labels["store_id"]))
    elif a.labels.get("level"):
        found += [
            Matcher(k, a.labels[k]) for k in ("level", "brand", "region", "city") if k in a.labels
        ]
    return found


def _silence_form(a: Alert, w: Words) -> str:
    presets = "".join(
        f'<option value="{v}">{e(w(k))}</option>'
        for v, k in (("1h", "h1"), ("tomorrow", "tomorrow"), ("custom", "custom"))
    )
    lines = "\n".join(m.render(x) for x in default_matchers(a))
    return (
        '<form method="get" action="/silences/new">'
        f'<input type="hidden" name="fp" value="{e(a.fingerprint)}">'
        f'<label for="silence-preset">{e(w("silence_for"))}</label>'
        f'<select id="silence-preset" name="preset">{presets}</select>'
        f'<label for="silence-custom">{e(w("custom_time"))}</label>'
        '<input id="silence-custom" name="custom" type="datetime-local">'
        f'<label for="silence-matchers">{e(w("matchers"))}</label>'
        f'<textarea id="silence-matchers" name="matchers" rows="3">{e(lines)}</textarea>'
        f'<button type="submit">{e(w("silence_button"))}</button></form>'
    )


async def render(
    request: web.Request, user: User, w: Words, fp: str, note: str = "", status: int = 200
) -> web.Response:
    """The page, optionally with a flash line above it (also the answer to a refused action,
    with that action's status)."""
    c = request.app[CONSOLE]
    a = await call(c.ops.get, fp)
    if a is None:
        back = f'<p><a href="/">{e(w("incidents"))}</a></p>'
        return shell(request, w, w("not_found"), back, status=404)
    history = await call(c.ops.history, fp)
    sent = await call(c.ops.notifications, fp)
    body = (
        note
        + _summary(a, w)
        + '<div class="cols">'
        + _labels(a, w)
        + _evidence(a, c, w)
        + "</div>"
        + _forms(request, a, user, w)
        + _chain(a, c, history, w)
        + _notifications(sent, w)
        + _audit(history, w)
    )
    # The shell escapes the title; personal data is masked here.
    return shell(request, w, mask_text(summary_of(a, w)), body, status=status)


@guarded("view")
async def incident(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    shown = request.query.get("done", "")
    note = flash(w(f"flash_{shown}")) if shown in FLASHES else ""
    return await render(request, user, w, request.match_info["fingerprint"], note)
