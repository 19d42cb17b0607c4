"""The /metrics page is built on the worker's loop while someone scrapes, and a scrape serves
that build while it is fresh; with no fresh build the scrape builds the page itself."""

from __future__ import annotations

from streams.metrics import PAGE_FRESH, SCRAPED_WITHIN, Metrics
from tests.helpers import Clock


def _consumed(page: bytes) -> float:
    for line in page.decode().splitlines():
        if line.startswith('cxpulse_events_consumed_total{event_type="feedback"}'):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no feedback counter on the page")


def test_no_build_on_the_loop_until_someone_scrapes() -> None:
    clock = Clock()
    m = Metrics(clock=clock)
    m.prepare()
    assert m._page is None  # nobody asked: the loop pays nothing


def test_a_scrape_serves_the_loops_build_while_it_is_fresh() -> None:
    clock = Clock()
    m = Metrics(clock=clock)
    m.consumed.labels("feedback").inc()
    assert _consumed(m.render()) == 1  # the first scrape builds in its own thread
    m.prepare()
    m.consumed.labels("feedback").inc()
    clock.now += PAGE_FRESH - 1
    assert _consumed(m.render()) == 1  # the build of a moment ago, not a new one
    m.prepare()
    assert _consumed(m.render()) == 2
    assert m.page_build._value.get() > 0


def test_a_stale_build_is_not_served() -> None:
    clock = Clock()
    m = Metrics(clock=clock)
    m.render()
    m.prepare()
    m.consumed.labels("feedback").inc()
    clock.now += PAGE_FRESH + 1  # the loop stopped building: a stuck batch, say
    assert _consumed(m.render()) == 1


def test_the_loop_stops_building_when_scrapes_stop() -> None:
    clock = Clock()
    m = Metrics(clock=clock)
    m.render()
    m.prepare()
    assert m._page is not None
    clock.now += SCRAPED_WITHIN + 1
    m.prepare()
    assert m._page is None
