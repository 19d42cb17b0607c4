"""Faust's queues are emptied when the flow resumes after a rebalance, and only then."""

from __future__ import annotations

from mode.utils.queues import FlowControlQueue

from streams.worker.flow import FlowControl


def queue(flow: FlowControl) -> FlowControlQueue[str]:
    return FlowControlQueue(flow_control=flow, clear_on_resume=True)


def test_a_resume_after_a_suspension_empties_the_queues() -> None:
    flow = FlowControl()
    q = queue(flow)
    flow.resume()
    q.put_nowait("fetched before the rebalance")
    flow.suspend()
    flow.resume()
    assert q.qsize() == 0


def test_a_resume_while_flowing_keeps_what_was_fetched() -> None:
    # Faust's recovery resumes twice; what came between the two is this assignment's and
    # nothing would fetch it again.
    flow = FlowControl()
    q = queue(flow)
    flow.resume()
    q.put_nowait("fetched after the seek")
    flow.resume()
    assert q.qsize() == 1
    assert flow.is_active()


def test_the_worker_s_app_uses_it() -> None:
    from streams.config import StreamSettings
    from streams.worker import main

    app = main.build(StreamSettings()).app
    assert isinstance(app.flow_control, FlowControl)
    changelogs = getattr(app.tables, "changelog_queue")  # noqa: B009 (not in Faust's types)
    assert changelogs._flow_control is app.flow_control
