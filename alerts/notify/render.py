"""A ``Notification`` as a duty manager reads it on a phone, in markdown, plain text or HTML.

``compose`` decides *what* to say (title, facts, alerts, playbook, links), already masked;
``markdown``/``text``/``html`` decide *how*. Receivers pick a format and, where a platform
caps the size, ``fit_utf8`` cuts the body but keeps the links and mentions that follow it.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alerts.notify import texts
from alerts.notify.base import AlertView, Lang, Notification
from schemas.alerts import AlertStatus, Severity
from schemas.mask import mask_labels, mask_text

Dialect = Literal["dingtalk", "wecom", "feishu", "slack"]
DEFAULT_TZ = "Asia/Shanghai"
_RANK = {"critical": 0, "warning": 1, "info": 2}
# Labels that make up the store line; the rest of the group labels are shown as they are.
_STORE_KEYS = ("store_id", "brand", "city")
# Labels with their own line, or of no use to a person on call.
_HIDDEN = frozenset({*_STORE_KEYS, "region", "timezone", "tier", "customer_tier", "cycle"})


@dataclass(frozen=True)
class Doc:
    lang: Lang
    status: AlertStatus
    severity: Severity  # the worst of the firing alerts (of all, once resolved)
    store: str  # "S003 禾风小馆 上海", or "" when the group is not one store
    title: str
    facts: tuple[tuple[str, str], ...]
    alerts: tuple[str, ...]
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


def _zone(name: str | None, default: str) -> tzinfo:
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


def _local(t: datetime, zone: tzinfo) -> str:
    return t.astimezone(zone).strftime("%m-%d %H:%M")


def _order(a: AlertView) -> tuple[int, int, datetime]:
    return (a.status != "firing", _RANK[a.severity], a.starts_at)


def _alert_line(a: AlertView, lang: Lang, w: dict[str, str]) -> str:
    summary = mask_text(a.summary.zh if lang == "zh" else a.summary.en)
    extra = [texts.value_text(k, v, lang) for k, v in a.values.items()]
    if a.count > 1:
        extra.append(w["repeat"].format(n=a.count))
    if a.acked_by:
        extra.append(w["acked"].format(who=mask_text(a.acked_by)))
    if a.status == "resolved":
        extra.append(w["resolved"])
    mark = texts.RESOLVED_MARK if a.status == "resolved" else texts.SEVERITY_MARK[a.severity]
    tail = f"{w['open']}{w['comma'].join(extra)}{w['close']}" if extra else ""
    return f"{mark} {summary}{tail}"


EXCERPT_CHARS = 40  # of the newest event's text, on a phone's lock screen


def _evidence_line(alerts: list[AlertView], lang: Lang, zone: tzinfo) -> str:
    """One line of what made the first alert that carries evidence: its complaint's SLA clock,
    or its newest triggering event (masked again: a message is the last place to catch it)."""
    w, ev = texts.WORDS[lang], next((a.evidence for a in alerts if a.evidence), None)
    if ev is None:
        return ""
    if ev.timeline is not None:
        tl = ev.timeline
        parts = [tl.complaint_id]
        if tl.opened_at is not None:
            parts.append(w["opened_at"].format(t=_local(tl.opened_at, zone)))
        if tl.deadline is not None and tl.clock:
            clock = texts.CLOCKS[lang].get(tl.clock, tl.clock)
            parts.append(w["due"].format(clock=clock, t=_local(tl.deadline, zone)))
        return " · ".join(parts) + (w["calendar"].format(c=tl.calendar) if tl.calendar else "")
    if not ev.events:
        return ""
    e = ev.events[0]
    parts = [e.platform or e.kind]
    if e.rating is not None:
        parts.append(f"★{e.rating}")
    if e.tier:
        parts.append("/".join([e.tier, *e.tags]))
    if e.excerpt:
        parts.append(f"“{cut_chars(mask_text(e.excerpt), EXCERPT_CHARS)}”")
    more = w["more_events"].format(n=len(ev.events) - 1) if len(ev.events) > 1 else ""
    return " ".join(parts) + more


def _playbook(n: Notification, firing: list[AlertView]) -> tuple[str, ...]:
    def complaint(a: AlertView) -> bool:
        return a.kind in ("sla", "complaint") or "complaint" in a.rule

    lang = n.lang
    if not firing:
        return (texts.FOLLOW_UP[lang],) if any(complaint(a) for a in n.alerts) else ()
    if any(a.kind == "crisis" for a in firing):
        return texts.CRISIS_STEPS[lang]
    if any(complaint(a) for a in firing):
        return texts.COMPLAINT_STEPS[lang]
    if any(a.kind == "coaching" for a in firing):
        return (texts.COACHING_HINT[lang],)
    for kind in ("word_of_mouth", "calls", "satisfaction"):
        if any(a.kind == kind for a in firing):
            return (texts.KIND_HINTS[kind][lang],)
    return ()


def _when(alerts: list[AlertView], firing: bool, now: datetime, zone: tzinfo, lang: Lang) -> str:
    """Since when, in the store's local time, and for how long."""
    w = texts.WORDS[lang]
    start = min(a.starts_at for a in alerts)
    if firing:
        lasting = w["lasting"].format(d=texts.duration((now - start).total_seconds(), lang))
        return f"{_local(start, zone)}{w['open']}{lasting}{w['close']}"
    end = max((a.ends_at or now) for a in alerts)
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    until = end.astimezone(zone).strftime("%H:%M") if same_day else _local(end, zone)
    lasted = w["lasted"].format(d=texts.duration((end - start).total_seconds(), lang))
    return f"{_local(start, zone)} – {until}{w['open']}{lasted}{w['close']}"


def _details(group: dict[str, str], shared: list[dict[str, str]], lang: Lang) -> str:
    """Labels every alert shares (all of them when there is one): which complaint, which agent."""
    names = texts.LABELS[lang]
    return " ".join(
        f"{names.get(k, k)}={v}"
        for k, v in (shared[0] if shared else {}).items()
        if k not in _HIDDEN and k not in group and all(s.get(k) == v for s in shared)
    )


def compose(
    n: Notification,
    *,
    now: datetime | None = None,
    tz: str = DEFAULT_TZ,
    max_alerts: int = 5,
) -> Doc:
    """Everything a person should see, masked. ``tz``: the stores' zone unless an alert has a
    ``timezone`` label."""
    lang, w = n.lang, texts.WORDS[n.lang]
    alerts = sorted(n.alerts, key=_order)
    firing = [a for a in alerts if a.status == "firing"]
    group = mask_labels(n.group_labels)
    shared = [mask_labels(a.labels) for a in alerts]
    where = {
        **{k: v for k, v in (shared[0] if shared else {}).items() if k in _STORE_KEYS},
        **group,
    }
    store = " ".join(where[k] for k in _STORE_KEYS if k in where)
    worst: Severity = min(
        (a.severity for a in firing or alerts), key=_RANK.__getitem__, default="info"
    )

    if n.status == "firing":
        head = f"{texts.SEVERITY_MARK[worst]} {w['firing'].format(sev=w[worst])}"
    else:
        head = f"{texts.RESOLVED_MARK} {w['resolved']}"
    title = " · ".join(
        [head + (w["alerts"].format(n=len(alerts)) if len(alerts) > 1 else "")]
        + ([f"{w['store']} {store}"] if store else [])
        + ([w["escalation"].format(n=n.escalation_step)] if n.escalation_step > 0 else [])
    )

    names = texts.LABELS[lang]
    other = " ".join(f"{names.get(k, k)}={v}" for k, v in group.items() if k not in _STORE_KEYS)
    since = evidence = ""
    if alerts:
        zone = _zone(alerts[0].labels.get("timezone"), tz)
        since = _when(firing or alerts, bool(firing), now or datetime.now(UTC), zone, lang)
        evidence = _evidence_line(alerts, lang, zone)
    tiers = [a.labels.get("customer_tier") or a.labels.get("tier") for a in alerts]
    tier = next((t for t in ("vip", "gold", "silver", "regular") if t in tiers), None)
    tier_text = ""
    if tier:
        tier_text = texts.TIERS[lang][tier]
        tier_text += w["serve_first"] if tier in texts.PRIORITY_TIERS else ""
    facts = [
        (w["store"], store),
        (w["group"], other),
        (w["details"], _details(group, shared, lang)),
        (w["evidence"], evidence),  # before the rest: a card shows its first six rows only
        (w["severity"], w[worst]),
        (w["since"], since),
        (w["tier"], tier_text),
    ]

    lines = [_alert_line(a, lang, w) for a in alerts[:max_alerts]]
    if len(alerts) > max_alerts:
        lines.append(w["more"].format(n=len(alerts) - max_alerts))
    links = [(w["dashboard"], n.dashboard_url)] if n.dashboard_url else []
    if n.ack_url and n.status == "firing":
        links.insert(0, (w["ack"], n.ack_url))
    return Doc(
        lang=lang,
        status=n.status,
        severity=worst,
        store=store,
        title=title,
        facts=tuple((k, v) for k, v in facts if v),
        alerts=tuple(lines),
        steps=_playbook(n, firing),
        notes=(w["folded"].format(n=n.folded),) if n.folded > 0 else (),
        links=tuple(links),
    )


# Markdown: content must not become markup. Masked digits are "****", which would turn into
# bold between two masked numbers, so "*" becomes the full-width "＊" (looks the same and no
# platform reads it as syntax); brackets and angle brackets could forge links, <font>/<at>
# tags (WeCom, Feishu) or Slack's <url|text>, so they become full-width too.
_MD_SAFE = str.maketrans({"*": "＊", "`": "'", "[": "［", "]": "］", "<": "＜", ">": "＞"})
_SLACK_SAFE = str.maketrans(
    {"*": "＊", "`": "'", "~": "～", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def markdown(doc: Doc, dialect: Dialect, *, title: bool = True, links: bool = True) -> str:
    """The whole message in the platform's markdown."""
    body, tail = markdown_parts(doc, dialect, title=title, links=links)
    return body + tail


def markdown_parts(
    doc: Doc, dialect: Dialect, *, title: bool = True, links: bool = True
) -> tuple[str, str]:
    """(body, links) apart, so a size cut (``fit_utf8``) can spare the links: on a phone the
    ack link matters more than the fifth alert."""
    w = texts.WORDS[doc.lang]
    slack = dialect == "slack"

    def esc(s: str) -> str:
        return s.translate(_SLACK_SAFE if slack else _MD_SAFE)

    def bold(s: str) -> str:
        return f"*{s}*" if slack else f"**{s}**"

    def link(text: str, url: str) -> str:
        return f"<{url}|{text}>" if slack else f"[{text}]({url})"

    # DingTalk's clients drop a bare "\n" in places; two spaces before it force the break.
    nl = "  \n" if dialect == "dingtalk" else "\n"
    parts: list[str] = []
    if title:
        parts.append(bold(esc(doc.title)) if slack else f"#### {esc(doc.title)}")
    parts.append(nl.join(f"- {bold(k)}{w['sep']}{esc(v)}" for k, v in doc.facts))
    parts.append(nl.join([bold(w["what"]), *(f"- {esc(line)}" for line in doc.alerts)]))
    if doc.steps:
        steps = [f"{i}. {s}" for i, s in enumerate(doc.steps, 1)]
        parts.append(nl.join([bold(w["todo"]), *steps]))
    parts.extend(f"> {esc(note)}" for note in doc.notes)
    tail = ""
    if links and doc.links:
        tail = "\n\n" + " | ".join(link(t, u) for t, u in doc.links)
    return "\n\n".join(parts), tail


def text(doc: Doc) -> str:
    w = texts.WORDS[doc.lang]
    out = [doc.title, ""]
    out += [f"{k}{w['sep']}{v}" for k, v in doc.facts]
    out += ["", w["what"] + w["sep"].rstrip()]
    out += [f"  - {line}" for line in doc.alerts]
    if doc.steps:
        out += ["", w["todo"] + w["sep"].rstrip()]
        out += [f"  {i}. {s}" for i, s in enumerate(doc.steps, 1)]
    if doc.notes:
        out += ["", *doc.notes]
    if doc.links:
        out += ["", *(f"{t}{w['sep']}{u}" for t, u in doc.links)]
    return "\n".join(out) + "\n"


def html(doc: Doc) -> str:
    w, e = texts.WORDS[doc.lang], _html.escape
    rows = "".join(f"<tr><th align=left>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in doc.facts)
    items = "".join(f"<li>{e(line)}</li>" for line in doc.alerts)
    out = [f"<h3>{e(doc.title)}</h3>", f"<table>{rows}</table>", f"<h4>{e(w['what'])}</h4>"]
    out.append(f"<ul>{items}</ul>")
    if doc.steps:
        steps = "".join(f"<li>{e(s)}</li>" for s in doc.steps)
        out.append(f"<h4>{e(w['todo'])}</h4><ol>{steps}</ol>")
    out += [f"<p><i>{e(note)}</i></p>" for note in doc.notes]
    if doc.links:
        anchors = " | ".join(f'<a href="{e(u)}">{e(t)}</a>' for t, u in doc.links)
        out.append(f"<p>{anchors}</p>")
    return f'<html><body lang="{doc.lang}">' + "".join(out) + "</body></html>"


def cut_chars(text: str, limit: int) -> str:
    """At most ``limit`` characters (the card platforms count characters, not bytes)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def cut_marker(lang: Lang) -> str:
    return texts.WORDS[lang]["truncated"]


def fit_utf8(body: str, max_bytes: int, *, tail: str = "", marker: str = "…") -> str:
    """``body + tail`` within ``max_bytes`` of UTF-8. Cuts the body only, never inside a
    character (nor, when close by, inside a line), and marks the cut."""
    if len((body + tail).encode()) <= max_bytes:
        return body + tail
    room = max_bytes - len((marker + tail).encode())
    if room < 0:  # the tail alone does not fit: cut everything, tail included
        if tail:
            return fit_utf8(body + tail, max_bytes, marker=marker)
        return marker.encode()[:max_bytes].decode("utf-8", "ignore")
    cut = body.encode()[:room].decode("utf-8", "ignore")
    newline = cut.rfind("\n")
    if newline >= len(cut) * 3 // 4:
        cut = cut[: newline + 1]
    return cut + marker + tail
