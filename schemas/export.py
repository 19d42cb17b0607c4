"""Write the contract as JSON Schema files under ``schemas/json/``.

``python -m schemas.export`` rewrites them; a test fails when the committed files are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.alerts import AlertEvent
from schemas.deadletter import DeadLetter
from schemas.events import EVENT_ADAPTER, Call, Complaint, Feedback, Review
from schemas.signals import SignalSnapshot
from schemas.sla import SlaEvent

OUT = Path(__file__).parent / "json"
MODELS: dict[str, type[BaseModel]] = {
    "feedback": Feedback,
    "call": Call,
    "review": Review,
    "complaint": Complaint,
    "alert": AlertEvent,
    "deadletter": DeadLetter,
    "sla": SlaEvent,
    "signals": SignalSnapshot,
}


def rendered() -> dict[str, str]:
    docs = {name: model.model_json_schema() for name, model in MODELS.items()}
    docs["event"] = EVENT_ADAPTER.json_schema()
    out = {}
    for name, doc in docs.items():
        doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", **doc}
        out[f"{name}.schema.json"] = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return out


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for fname, text in rendered().items():
        (OUT / fname).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / fname}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
