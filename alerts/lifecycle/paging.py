"""Paging: which routes an alert takes, its aggregation groups and when they flush, the
escalation chain's steps, and the notifications all of them queue. The engine decides *that*
an alert (re)pages; the ``Pager`` decides where, when and with what message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from alerts.lifecycle import escalation, grouping, messages
from alerts.lifecycle import matchers as m
from alerts.lifecycle.config import AlertsConfig, Chain, Person
from alerts.lifecycle.roster import Roster, mentions
from alerts.lifecycle.routing import Route, Router
from alerts.lifecycle.work import Effects, Work
from alerts.model import Alert, AlertState, Group
from alerts.notify.base import Notification
from alerts.ports import AlertStore

OPEN: list[AlertState] = ["firing", "acknowledged"]
EVERYTHING = 1_000_000  # "no limit" for store.find
FIELD_LABELS = frozenset({"alertname", "rule", "kind", "severity"})


class Pager:
    def __init__(
        self,
        cfg: AlertsConfig,
        router: Router,
        roster: Roster,
        ack_url: messages.AckUrl | None,
    ) -> None:
        self.cfg = cfg
        self.router = router
        self.roster = roster
        self.ack_url = ack_url

    def routes(self, alert: Alert) -> list[Route]:
        """The routes that page for this alert (a route without a receiver pages no one)."""
        return [r for r in self.router.match(m.label_set(alert)) if r.receiver]

    def chain_of(self, alert: Alert) -> tuple[Route, Chain] | None:
        """An alert runs one chain: that of the first of its routes that has one."""
        for r in self.routes(alert):
            if r.chain is not None:
                return r, self.cfg.escalation[r.chain]
        return None

    def repage(self, w: Work, alert: Alert) -> None:
        """Page this alert again at its groups' next tick, as if it had never been paged."""
        for r in self.routes(alert):
            self.schedule(w, alert, r, forget=True)

    def schedule(self, w: Work, alert: Alert, r: Route, *, forget: bool) -> None:
        labels = m.label_set(alert)
        assert r.receiver is not None  # routes() only returns routes that page
        g = w.group(r.group_key(labels), r.receiver, r.group_labels(labels))
        if forget:
            g = grouping.forget(g, alert.fingerprint)
        w.put_group(grouping.schedule(g, w.now, r.group_wait, r.group_interval))

    def flush_due(self, store: AlertStore, now: datetime) -> Effects:
        """After an input: send what is due now (group_wait 0, or a tick running late)."""
        if not store.due_groups(now):
            return Effects()
        w = Work(store, now)
        self.flush(w)
        return w.commit()

    def flush(self, w: Work) -> None:
        for g in w.due_groups():
            self.flush_group(w, g, self.members(w, g))

    def members(self, w: Work, g: Group) -> list[Alert]:
        """The open alerts of group ``g``: looked up by its label values (the label index),
        then kept if one of their routes puts them in this very group."""
        wanted = {k: v for k, v in g.labels.items() if k not in FIELD_LABELS}
        found = (
            w.store.find(states=OPEN, labels=wanted, limit=EVERYTHING)
            if wanted
            else w.store.open_alerts()
        )
        pool = {a.fingerprint: a for a in found}
        pool.update(w.alerts)  # this work's versions win, and its new alerts count too
        members = []
        for a in pool.values():
            if a.state == "resolved":
                continue
            labels = m.label_set(a)
            if any(r.group_key(labels) == g.key for r in self.routes(a)):
                members.append(a)
        members.sort(key=lambda a: (a.last_seen, a.fingerprint), reverse=True)  # as listed
        return members

    def flush_group(self, w: Work, g: Group, members: list[Alert]) -> None:
        assert g.next_flush_at is not None
        due = g.next_flush_at
        route = self.router.by_id.get(g.key.split("|", 1)[0]) or self.router.root
        present = {a.fingerprint for a in members}
        departed = {
            fp: w.get(fp) for fp in grouping.parse_codes(g.last_digest) if fp not in present
        }
        f = grouping.plan(g, members, departed, due, route.group_interval, route.repeat_interval)
        if f.send:
            key = f"{g.key}|{due.isoformat()}|{f.digest}"
            chain = self.cfg.escalation.get(route.chain) if route.chain else None
            who = chain.mention if chain else None
            people = (
                self.roster.lookup(who, m.label_set(f.firing[0]), w.now) if who and f.firing else []
            )
            n = self.notification(key, g.receiver, g.key, g.labels, f.firing, f.resolved, people)
            if w.enqueue(n):
                for a in (*f.firing, *f.resolved):
                    w.change(a, "notified", "notify", f"{g.receiver} {key}")
        for a in f.newly_paged:
            found = self.chain_of(a)
            if found is not None and found[0].id == route.id:
                escalation.start(a, found[1], due)
                w.touch(a)
        w.put_group(f.group)

    def escalate(self, w: Work, open_alerts: Sequence[Alert]) -> None:
        now = w.now
        for a in open_alerts:
            if a.next_escalation_at is None or a.next_escalation_at > now:
                continue
            found = self.chain_of(a)
            if found is None or a.state != "firing" or grouping.muted(a):
                escalation.stop(a)  # a later re-page (unmute, re-arm) starts it again
                w.touch(a)
                continue
            route, chain = found
            labels = m.label_set(a)
            while (d := escalation.due(a, chain, now)) is not None:
                receiver = d.step.receiver or route.receiver
                assert receiver is not None
                people = self.roster.lookup(d.step.role, labels, now) if d.step.role else []
                key = f"esc|{a.fingerprint}|{d.due_at.isoformat()}|{d.number}"
                n = self.notification(
                    key,
                    receiver,
                    route.group_key(labels),
                    route.group_labels(labels),
                    (a,),
                    (),
                    people,
                    step=d.number,
                )
                if w.enqueue(n):
                    names = ", ".join(p.name for p in people) or "nobody on duty"
                    role = f" {d.step.role}: {names}" if d.step.role else ""
                    w.change(a, "escalated", "escalation", f"step {d.number} -> {receiver}{role}")
                    w.change(a, "notified", "notify", f"{receiver} {key}")
                escalation.advance(a, chain, d)
            w.touch(a)

    def notification(
        self,
        key: str,
        receiver: str,
        group_key: str,
        group_labels: dict[str, str],
        firing: Sequence[Alert],
        resolved: Sequence[Alert],
        people: Sequence[Person],
        step: int = 0,
    ) -> Notification:
        return messages.notification(
            key=key,
            receiver=receiver,
            group_key=group_key,
            group_labels=group_labels,
            firing=firing,
            resolved=resolved,
            lang=self.cfg.lang,
            public_url=self.cfg.public_url,
            ack_url=self.ack_url,
            mention=mentions(people),
            escalation_step=step,
        )
