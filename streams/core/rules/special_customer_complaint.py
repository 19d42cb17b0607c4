"""``special_customer_complaint``: a complaint from a special customer (media, government,
lawyer ...) is critical from its opening until it is resolved: such complaints turn into
crises more easily (domain.md)."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rules.base import Facts, Rule


def _texts(firing: bool, f: Facts) -> Summary:
    cid, sid = f["complaint_id"], f["store_id"]
    if firing:
        return Summary(
            zh=f"特殊客户投诉 {cid}（门店 {sid}）：有转为危机的风险，请立即上报管理层并优先处理。",
            en=f"Complaint {cid} at {sid} from a special customer (media/government/lawyer): "
            "escalate to management now.",
        )
    return Summary(
        zh=f"特殊客户投诉 {cid}（门店 {sid}）已解决",
        en=f"Complaint {cid} at {sid} from a special customer is resolved",
    )


RULE: Rule = Rule(
    name=RuleName.SPECIAL_CUSTOMER_COMPLAINT,
    kind="sla",
    severity="critical",
    about=Summary(
        zh="特殊客户（媒体、政府、律师等）投诉", en="a complaint from a special customer"
    ),
    texts=_texts,
    example={"complaint_id": "TK-1", "store_id": "S001"},
)
