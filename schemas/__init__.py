"""The cxpulse contract: pydantic v2 models of every event and alert, exported as JSON Schema."""
