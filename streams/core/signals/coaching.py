"""Staff taboo phrases (服务禁言, domain.md) in the agent's side of a call: a coaching alert per
call, naming the agent, the phrase and the call. Never the customer's words — a customer who
says "你弄错了" is not being coached.

Coaching is not an incident: the alert is ``info`` and fires once per call (the fingerprint is
rule + agent + call); the alert lifecycle closes it when a supervisor acknowledges it.
"""

from __future__ import annotations

from schemas.alerts import AlertEvent
from schemas.events import Call
from streams.core import alerting
from streams.core.signals.text import TextTools

RULE = "taboo_phrase"


def evaluate(
    call: Call, text: TextTools | None, labels: dict[str, str], now: float
) -> list[AlertEvent]:
    if text is None:
        return []
    phrases: list[str] = []
    for u in call.transcript:
        if u.speaker == "agent":
            phrases += [p for p in text.taboo(u.text) if p not in phrases]
    if not phrases:
        return []
    agent = call.agent_id or "unknown"
    quoted = "、".join(f"“{p}”" for p in phrases)
    return [
        alerting.make(
            rule=RULE,
            kind="coaching",
            severity="info",
            status="firing",
            identity={"store_id": call.store_id, "agent_id": agent, "call_id": call.call_id},
            labels=labels,
            since=now,
            now=now,
            zh=f"门店 {call.store_id} 坐席 {agent} 在通话 {call.call_id} 中"
            f"使用了服务禁语：{quoted}",
            en=f"Store {call.store_id} agent {agent} used taboo phrases on call {call.call_id}: "
            + ", ".join(f'"{p}"' for p in phrases),
            values={"phrases": float(len(phrases))},
            source_event_id=call.event_id,
        )
    ]
