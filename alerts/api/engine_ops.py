"""``Operations`` bound to the lifecycle engine: an ack stops the escalation chain, a resolve
queues the resolved notification, a silence re-mutes the open alerts, all in the engine's
rules. The engine's errors become the API's (unknown -> 404, resolved -> 409, else 400)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from alerts.api.ops import BadRequest, Conflict, NotFound, StoreReads
from alerts.lifecycle.engine import (
    AlreadyResolved,
    Engine,
    LifecycleError,
    Outdated,
    StaleEpisode,
    UnknownAlert,
    UnknownSilence,
)
from alerts.model import Alert, Matcher, Silence
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
