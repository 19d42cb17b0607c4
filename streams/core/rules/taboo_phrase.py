"""``taboo_phrase``: staff taboo phrases (服务禁言, domain.md) in the agent's side of a call.

A coaching alert per call, naming the agent, the phrase and the call. Never the customer's words
— a customer who says "你弄错了" is not being coached. Coaching is not an incident: the alert is
``info`` and fires once per call (the fingerprint is rule + agent + call); the alert lifecycle
closes it when a supervisor acknowledges it.
"""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from schemas.events import Call
from streams.core import alerting
from streams.core.rules.base import Facts, Rule
from streams.core.signals.text import TextTools


def _texts(firing: bool, f: Facts) -> Summary:
    sid, agent, call, phrases = f["store_id"], f["agent_id"], f["call_id"], f["phrases"]
    if not firing:
        return Summary(
            zh=f"门店 {sid} 坐席 {agent} 通话 {call} 的服务禁语提醒已处理",
            en=f"Store {sid} agent {agent}: the taboo-phrase note on call {call} is closed",
        )
    quoted = "、".join(f"“{p}”" for p in phrases)
    return Summary(
        zh=f"门店 {sid} 坐席 {agent} 在通话 {call} 中使用了服务禁语：{quoted}",
        en=f"Store {sid} agent {agent} used taboo phrases on call {call}: "
        + ", ".join(f'"{p}"' for p in phrases),
    )


RULE: Rule = Rule(
    name=RuleName.TABOO_PHRASE,
    kind="coaching",
    severity="info",
    about=Summary(zh="坐席在通话中使用服务禁语", en="an agent used a taboo phrase on a call"),
    texts=_texts,
    example={"store_id": "S001", "agent_id": "AG017", "call_id": "C1", "phrases": ["不知道"]},
)


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
    said = _texts(
        True,
        {"store_id": call.store_id, "agent_id": agent, "call_id": call.call_id, "phrases": phrases},
    )
    return [
        alerting.make(
            rule=RULE.name,
            kind=RULE.kind,
            severity=RULE.severity,
            status="firing",
            identity={"store_id": call.store_id, "agent_id": agent, "call_id": call.call_id},
            labels=labels,
            since=now,
            now=now,
            zh=said.zh,
            en=said.en,
            values={"phrases": float(len(phrases))},
            source_event_id=call.event_id,
        )
    ]
