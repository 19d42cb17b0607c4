"""The alert lifecycle as a functional core: (store, input, clock) -> new records + effects.

Inputs are alert events from the streams, people's actions (acknowledge, resolve, silence) and
the clock (``tick``). Every call reads and writes only through ``AlertStore``, takes ``now``
explicitly and keeps no state of its own between calls but the time of its last tick (a new
``Engine`` checks every open alert against the silences on its first tick), so a new ``Engine``
over the same store (a restart, a second replica) carries on exactly where the last one stopped.
Where an alert pages, when and with what message is ``paging.Pager``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from alerts.lifecycle import escalation, grouping, messages
from alerts.lifecycle import matchers as m
from alerts.lifecycle.config import AlertsConfig, Chain
from alerts.lifecycle.inhibit import InhibitIndex, Inhibitor
from alerts.lifecycle.paging import EVERYTHING, FIELD_LABELS, OPEN, Pager
from alerts.lifecycle.roster import Roster
from alerts.lifecycle.routing import Route, Router
from alerts.lifecycle.silences import ActiveSilences, new_id
from alerts.lifecycle.work import Effects, Work
from alerts.model import Alert, Matcher, Silence
from alerts.ports import AlertStore
from schemas.alerts import AlertEvent
from streams.core.calendar import CalendarConfig


class LifecycleError(Exception):
    """A request that cannot apply (the API answers 404/409 with this message)."""


class UnknownAlert(LifecycleError):
    pass


class UnknownSilence(LifecycleError):
    pass


class AlreadyResolved(LifecycleError):
    pass


class Outdated(LifecycleError):
    """The caller acted on a version of the alert that is no longer current."""


class StaleEpisode(LifecycleError):
    """The alert resolved and fired again since the caller looked: a new episode."""


class Engine:
    def __init__(
        self,
        cfg: AlertsConfig,
        *,
        ack_url: messages.AckUrl | None = None,
        calendars: Mapping[str, CalendarConfig] | None = None,
    ) -> None:
        self.cfg = cfg
        self.router = Router(cfg)
        self.inhibitor = Inhibitor(cfg.inhibit_rules)
        self.roster = Roster(cfg.roster, calendars, cfg.fallback_role)
        self.pager = Pager(cfg, self.router, self.roster, ack_url)
        # When this engine last ticked: silences that started or ended since then re-mute the
        # open alerts. None: no tick yet, so the first one checks every open alert.
        self._last_tick: datetime | None = None

    # --- inputs ------------------------------------------------------------------------------

    def apply_event(self, store: AlertStore, event: AlertEvent, now: datetime) -> Effects:
        old = store.get(event.fingerprint)
        if old is not None and (
            old.last_event_id == event.alert_event_id
            or event.observed_at < old.last_seen
            or (event.status == "firing" and event.starts_at < old.starts_at)
        ):
            return Effects()  # re-delivered, or older than what we know: already applied
        w = Work(store, now)
        if event.status == "firing":
            if old is None or old.state == "resolved":
                alert = _new_episode(event)
                alert.version = old.version if old is not None else 0
                w.change(alert, "fired", "streams", f"{event.severity} {event.rule}")
                opened = True
            else:
                alert, opened = old, False
                alert.count += 1
                alert.severity, alert.values = event.severity, dict(event.values)
                alert.summary_zh, alert.summary_en = event.summary.zh, event.summary.en
                alert.evidence = _evidence(event) or alert.evidence
                w.change(alert, "refired", "streams", f"count {alert.count}")
        else:
            if old is None or old.state == "resolved":
                return Effects()  # nothing open to resolve
            alert, opened = old, False
            alert.evidence = _evidence(event) or alert.evidence
            self._close(w, alert, "streams", event.ends_at or event.observed_at)
        alert.last_event_id = event.alert_event_id
        alert.last_seen = max(alert.last_seen, event.observed_at)
        w.touch(alert)
        if opened:
            self._mute_one(w, alert)
            self.pager.repage(w, alert)
        if opened or alert.state == "resolved":
            self._reinhibit_around(w, alert)
        effects = w.commit()
        effects += self.pager.flush_due(store, now)
        return effects

    def acknowledge(
        self,
        store: AlertStore,
        fingerprint: str,
        who: str,
        now: datetime,
        until: datetime | None = None,
        *,
        episode: datetime | None = None,
        version: int | None = None,
    ) -> Effects:
        """Stops the chain until ``until`` (default: ``ack_timeout`` from now; with a timeout of
        0, until resolved). Acknowledging again extends it. ``episode``: only if the alert's
        current episode began then (an ack link made for an earlier one must not ack this)."""
        alert = self._open_alert(store, fingerprint, version)
        if episode is not None and alert.starts_at != episode:
            raise StaleEpisode(
                f"alert {fingerprint} fired again at {alert.starts_at.isoformat()}; "
                f"this acknowledgement was for the episode of {episode.isoformat()}"
            )
        if until is not None and until <= now:
            raise LifecycleError(f"ack until {until.isoformat()} is not in the future")
        if until is not None and until > now + timedelta(seconds=self.cfg.ack_max):
            # Re-arming is what pages again if nobody acts; an ack for years would end it.
            raise LifecycleError(
                f"ack until {until.isoformat()} is too far ahead: at most "
                f"{self.cfg.ack_max / 86400:g} days (alerts.ack_max)"
            )
        if until is None and self.cfg.ack_timeout > 0:
            until = now + timedelta(seconds=self.cfg.ack_timeout)
        w = Work(store, now)
        alert.state, alert.acked_by, alert.acked_at = "acknowledged", who, now
        alert.ack_until = until
        escalation.stop(alert)
        detail = f"until {until.isoformat()}" if until else "until resolved"
        w.change(alert, "acknowledged", who, detail)
        return w.commit()

    def resolve(
        self,
        store: AlertStore,
        fingerprint: str,
        who: str,
        now: datetime,
        *,
        version: int | None = None,
    ) -> Effects:
        alert = self._open_alert(store, fingerprint, version)
        w = Work(store, now)
        self._close(w, alert, who, now)
        self._reinhibit_around(w, alert)
        effects = w.commit()
        effects += self.pager.flush_due(store, now)
        return effects

    def comment(
        self, store: AlertStore, fingerprint: str, who: str, text: str, now: datetime
    ) -> Effects:
        alert = store.get(fingerprint)
        if alert is None:
            raise UnknownAlert(f"no alert with fingerprint {fingerprint!r}")
        w = Work(store, now)
        w.change(alert, "commented", who, text)
        return w.commit()

    def silence(
        self,
        store: AlertStore,
        *,
        matchers: Sequence[Matcher | str],
        ends_at: datetime,
        created_by: str,
        now: datetime,
        starts_at: datetime | None = None,
        comment: str = "",
    ) -> tuple[Silence, Effects]:
        try:  # before anything is stored: a bad regex saved would fail every later tick
            parsed = tuple(m.parse(x) if isinstance(x, str) else x for x in matchers)
            m.compile_all(parsed)
        except ValueError as exc:
            raise LifecycleError(str(exc)) from exc
        if not parsed:
            raise LifecycleError("a silence needs at least one matcher (it would mute everything)")
        start = starts_at or now
        if ends_at <= start:
            raise LifecycleError("a silence must end after it starts")
        s = Silence(
            new_id(parsed, start, ends_at, created_by), parsed, start, ends_at, created_by, comment
        )
        store.save_silence(s)
        return s, self._remute_now(store, now)

    def expire_silence(
        self, store: AlertStore, silence_id: str, who: str, now: datetime
    ) -> Effects:
        s = next((x for x in store.silences() if x.id == silence_id), None)
        if s is None:
            raise UnknownSilence(f"no silence with id {silence_id!r}")
        if s.expired_at is None or s.expired_at > now:
            s.expired_at = now
            s.comment = (s.comment + f" [ended by {who}]").strip()
            store.save_silence(s)
        return self._remute_now(store, now)

    def tick(self, store: AlertStore, now: datetime) -> Effects:
        """Re-arm timed-out acks, apply silences that started or ended, send due groups, run
        due escalation steps. Call it every few seconds; calling it late or twice is harmless.

        It reads what is due only (the alerts' indexed due time, the groups' next flush), so
        its cost follows the work to do, not the number of open alerts. Each phase works on
        the same objects, so the next phase sees what the previous one changed."""
        w = Work(store, now)
        due = store.due_alerts(now)
        for a in due:
            if a.state == "acknowledged" and a.ack_until is not None and a.ack_until <= now:
                who = a.acked_by or "?"
                a.state, a.acked_by, a.acked_at, a.ack_until = "firing", None, None, None
                w.change(a, "ack_expired", "escalation", f"acknowledged by {who}, still firing")
                self.pager.repage(w, a)
        if self._silences_changed(store, now):
            # Rare (a silence's start or end passed): every open alert, with this work's copies.
            current = {a.fingerprint: a for a in store.open_alerts()}
            current.update({fp: a for fp, a in w.alerts.items() if fp in current})
            self._remute(w, list(current.values()))
        self.pager.flush(w)
        self.pager.escalate(w, [w.alerts.get(a.fingerprint, a) for a in due])
        self._last_tick = now
        return w.commit()

    def _silences_changed(self, store: AlertStore, now: datetime) -> bool:
        """Whether a silence started or ended since the last tick. Made or ended through the
        API, a silence re-mutes at once (``silence``, ``expire_silence``); this catches those
        that start later, and those that simply run out."""
        last = self._last_tick
        if last is None:
            return True
        for s in store.silences():
            ends = min(s.ends_at, s.expired_at) if s.expired_at else s.ends_at
            if last < s.starts_at <= now or last < ends <= now:
                return True
        return False

    # --- routing -----------------------------------------------------------------------------

    def routes(self, alert: Alert) -> list[Route]:
        """The routes that page for this alert (a route without a receiver pages no one)."""
        return self.pager.routes(alert)

    def chain_of(self, alert: Alert) -> tuple[Route, Chain] | None:
        """An alert runs one chain: that of the first of its routes that has one."""
        return self.pager.chain_of(alert)

    # --- internals ---------------------------------------------------------------------------

    def _open_alert(self, store: AlertStore, fingerprint: str, version: int | None = None) -> Alert:
        """``version``: the one the caller saw; another means someone acted in between."""
        alert = store.get(fingerprint)
        if alert is None:
            raise UnknownAlert(f"no alert with fingerprint {fingerprint!r}")
        if version is not None and alert.version != version:
            raise Outdated(
                f"alert {fingerprint} changed since version {version} (now {alert.version})"
            )
        if alert.state == "resolved":
            raise AlreadyResolved(f"alert {fingerprint} is already resolved")
        return alert

    def _close(self, w: Work, alert: Alert, who: str, at: datetime) -> None:
        alert.state, alert.ends_at, alert.resolved_by = "resolved", at, who
        escalation.stop(alert)
        w.change(alert, "resolved", who)
        for r in self.routes(alert):  # the resolved notice
            self.pager.schedule(w, alert, r, forget=False)

    # --- silences and inhibition -------------------------------------------------------------

    def _set_mutes(self, w: Work, a: Alert, active: ActiveSilences, index: InhibitIndex) -> None:
        if a.state == "resolved":
            return
        was_muted = grouping.muted(a)
        sid, src = active.silenced_by(m.label_set(a)), index.inhibited_by(a)
        if sid != a.silenced_by:
            if sid is not None:
                w.change(a, "silenced", f"silence:{sid}")
            else:
                w.change(a, "unsilenced", f"silence:{a.silenced_by}")
            a.silenced_by = sid
        if src != a.inhibited_by:
            if src is not None:
                w.change(a, "inhibited", "inhibition", f"by {src}")
            else:
                w.change(a, "uninhibited", "inhibition", f"was by {a.inhibited_by}")
            a.inhibited_by = src
        if was_muted and not grouping.muted(a) and a.state == "firing":
            self.pager.repage(w, a)  # the silence ended or the crisis is over: now it pages

    def _active(self, w: Work) -> ActiveSilences:
        return ActiveSilences.of(w.store.silences(active_at=w.now), w.now)

    def _mute_one(self, w: Work, alert: Alert) -> None:
        index = self.inhibitor.index(self._neighbours(w, alert))
        self._set_mutes(w, alert, self._active(w), index)

    def _reinhibit_around(self, w: Work, alert: Alert) -> None:
        """A source opened or closed: recheck the alerts it may inhibit."""
        if not self.inhibitor.is_source(m.label_set(alert)):
            return
        active = self._active(w)
        for t in self._neighbours(w, alert):
            if t.fingerprint != alert.fingerprint:
                self._set_mutes(w, t, active, self.inhibitor.index(self._neighbours(w, t)))

    def _neighbours(self, w: Work, alert: Alert) -> list[Alert]:
        """The open alerts sharing a rule's ``equal`` labels with ``alert`` (the only ones that
        can inhibit it or be inhibited by it), with this work's unsaved versions."""
        found: dict[str, Alert] = {}
        for rule in self.inhibitor.rules:
            keys = rule.equal
            if not keys or any(k in FIELD_LABELS or k not in alert.labels for k in keys):
                found = {a.fingerprint: a for a in w.store.open_alerts()}
                break
            eq = {k: alert.labels[k] for k in keys}
            for a in w.store.find(states=OPEN, labels=eq, limit=EVERYTHING):
                found[a.fingerprint] = a
        found.update({fp: a for fp, a in w.alerts.items() if fp in found or a is alert})
        return [a for a in found.values() if a.state != "resolved"]

    def _remute_now(self, store: AlertStore, now: datetime) -> Effects:
        w = Work(store, now)
        self._remute(w, store.open_alerts())
        return w.commit()

    def _remute(self, w: Work, open_alerts: Sequence[Alert]) -> None:
        active, index = self._active(w), self.inhibitor.index(open_alerts)
        for a in open_alerts:
            self._set_mutes(w, a, active, index)


def _new_episode(e: AlertEvent) -> Alert:
    return Alert(
        fingerprint=e.fingerprint,
        rule=e.rule,
        kind=e.kind,
        severity=e.severity,
        labels=dict(e.labels),
        summary_zh=e.summary.zh,
        summary_en=e.summary.en,
        starts_at=e.starts_at,
        last_seen=e.observed_at,
        values=dict(e.values),
        evidence=_evidence(e),
    )


def _evidence(e: AlertEvent) -> dict[str, Any] | None:
    return None if e.evidence is None else e.evidence.model_dump(mode="json", exclude_none=True)
