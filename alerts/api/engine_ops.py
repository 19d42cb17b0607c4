"""``Operations`` bound to the lifecycle engine: an ack stops the escalation chain, a resolve
queues the resolved notification, a silence re-mutes the open alerts, all in the engine's
rules. The engine's errors become the API's (unknown -> 404, resolved -> 409, else 400)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from alerts.api.ops import EVERYTHING, BadRequest, Conflict, NotFound, StoreReads
from alerts.lifecycle import escalation, grouping
from alerts.lifecycle import matchers as m
from alerts.lifecycle.engine import (
    AlreadyResolved,
    Engine,
    LifecycleError,
    Outdated,
    StaleEpisode,
    UnknownAlert,
    UnknownSilence,
)
from alerts.lifecycle.paging import FIELD_LABELS, OPEN
from alerts.lifecycle.work import Work
from alerts.model import Alert, Change, Group, Matcher, Silence
from alerts.ports import AlertStore, ConcurrentUpdate


@contextmanager
def _mapped(store: AlertStore, fingerprint: str | None = None) -> Iterator[None]:
    try:
        yield
    except (UnknownAlert, UnknownSilence) as exc:
        raise NotFound(str(exc)) from None
    except (AlreadyResolved, StaleEpisode, Outdated, ConcurrentUpdate) as exc:
        current = store.get(fingerprint) if fingerprint else None
        raise Conflict(str(exc), current) from None
    except LifecycleError as exc:
        raise BadRequest(str(exc)) from None


class EngineOperations(StoreReads):
    """Reads straight from the store (inherited); every write goes through the engine.

    ``lock``: the engine's calls must not interleave with the service's own tick on the same
    store (both read-modify-write alerts); pass the ``threading.Lock`` the tick holds."""

    def __init__(
        self,
        store: AlertStore,
        engine: Engine,
        lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        super().__init__(store)
        self.engine = engine
        self._lock = lock

    @contextmanager
    def _guard(self, fingerprint: str | None = None) -> Iterator[None]:
        if self._lock is None:
            with _mapped(self.store, fingerprint):
                yield
        else:
            with self._lock, _mapped(self.store, fingerprint):
                yield

    def _reload(self, fingerprint: str) -> Alert:
        alert = self.store.get(fingerprint)
        if alert is None:  # deleted under us: as if it never existed
            raise NotFound(f"no alert with fingerprint {fingerprint!r}")
        return alert

    def ack(
        self,
        fingerprint: str,
        who: str,
        now: datetime,
        until: datetime | None,
        episode: datetime | None = None,
        version: int | None = None,
    ) -> Alert:
        with self._guard(fingerprint):
            self.engine.acknowledge(
                self.store, fingerprint, who, now, until, episode=episode, version=version
            )
        return self._reload(fingerprint)

    def resolve(
        self, fingerprint: str, who: str, now: datetime, version: int | None = None
    ) -> Alert:
        with self._guard(fingerprint):
            self.engine.resolve(self.store, fingerprint, who, now, version=version)
        return self._reload(fingerprint)

    def add_silence(
        self,
        matchers: Sequence[Matcher],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
        now: datetime,
    ) -> Silence:
        with self._guard():
            silence, _ = self.engine.silence(
                self.store,
                matchers=matchers,
                ends_at=ends_at,
                created_by=created_by,
                now=now,
                starts_at=starts_at,
                comment=comment,
            )
        return silence

    def expire_silence(self, silence_id: str, who: str, now: datetime) -> Silence:
        with self._guard():
            self.engine.expire_silence(self.store, silence_id, who, now)
        found = next((s for s in self.store.silences(None) if s.id == silence_id), None)
        if found is None:
            raise NotFound(f"no silence with id {silence_id!r}")
        return found

    # --- the console's actions ----------------------------------------------------------------
    def _at_version(self, fingerprint: str, version: int | None) -> Alert:
        alert = self.store.get(fingerprint)
        if alert is None:
            raise UnknownAlert(f"no alert with fingerprint {fingerprint!r}")
        if version is not None and alert.version != version:
            raise Outdated(f"alert {fingerprint} changed since version {version}")
        return alert

    def comment(self, fingerprint: str, who: str, text: str, now: datetime) -> None:
        with self._guard(fingerprint):
            self.engine.comment(self.store, fingerprint, who, text, now)

    def assign(
        self, fingerprint: str, who: str, assignee: str | None, now: datetime, version: int | None
    ) -> Alert:
        with self._guard(fingerprint):
            alert = self._at_version(fingerprint, version)
            if alert.assignee != assignee:
                alert.assignee, alert.updated_at = assignee, now
                change = Change(fingerprint, now, "assigned", who, assignee or "")
                self.store.save([alert], [change])
        return self._reload(fingerprint)

    def escalate_now(self, fingerprint: str, who: str, now: datetime, version: int | None) -> Alert:
        with self._guard(fingerprint):
            alert = self._at_version(fingerprint, version)
            found = self.engine.chain_of(alert)
            if alert.state != "firing" or grouping.muted(alert):
                # An acknowledged or silenced alert has no running chain to advance.
                raise LifecycleError(f"alert {fingerprint} is {alert.state} or muted: no step runs")
            if found is None or alert.escalation_step >= escalation.total_steps(found[1]):
                raise LifecycleError(f"alert {fingerprint} has no escalation step left")
            w = Work(self.store, now)
            # Due now: the pager runs the step as the tick would, with the same message and
            # key scheme, and schedules the following steps from now.
            alert.next_escalation_at = now
            w.change(alert, "escalate_requested", who, f"step {alert.escalation_step + 1}")
            self.engine.pager.escalate(w, [alert])
            w.commit()
        return self._reload(fingerprint)

    def would_mute(self, matchers: Sequence[Matcher], now: datetime) -> list[Alert]:
        try:
            compiled = m.compile_all(matchers)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        # Equality on entity labels narrows through the label index; otherwise every open alert.
        eq = {x.name: x.value for x in matchers if x.op == "=" and x.name not in FIELD_LABELS}
        pool = (
            self.store.find(states=OPEN, labels=eq, limit=EVERYTHING)
            if eq
            else self.store.open_alerts()
        )
        hits = [a for a in pool if a.state != "resolved" and m.match_all(compiled, m.label_set(a))]
        hits.sort(key=lambda a: (a.last_seen, a.fingerprint), reverse=True)
        return hits

    def group_of(self, fingerprint: str, now: datetime) -> list[Alert]:
        alert = self.store.get(fingerprint)
        if alert is None:
            raise NotFound(f"no alert with fingerprint {fingerprint!r}")
        labels = m.label_set(alert)
        found: dict[str, Alert] = {}
        if alert.state != "resolved":
            found[fingerprint] = alert
        w = Work(self.store, now)  # read only: never committed
        for r in self.engine.routes(alert):
            assert r.receiver is not None
            key = r.group_key(labels)
            g = self.store.group(key) or Group(key, r.receiver, r.group_labels(labels), None)
            for a in self.engine.pager.members(w, g):
                found.setdefault(a.fingerprint, a)
        return list(found.values())
