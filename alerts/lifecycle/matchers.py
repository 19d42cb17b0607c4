r"""Alertmanager's label matchers: ``name="value"``, ``!=``, ``=~`` and ``!~``.

Regular expressions run on RE2, whose matching time is linear in the label's length: a silence
comes from a person over the API, and a backtracking engine on ``(\w+)+X`` would hold the
lifecycle for seconds per alert. RE2 has no backreferences or lookaround (nor has Alertmanager's
Go regexp), so such a pattern is refused as a bad regular expression.

Regular expressions are anchored at both ends (a full match), as in Alertmanager, so
``store_id=~"S00"`` does not match ``S003``. A label that is absent matches as the empty
string, so ``region!=""`` means "has a region".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from alerts.model import Alert, Matcher, MatchOp

_SYNTAX = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(".*"|[^"]*?)\s*$')


def parse(text: str) -> Matcher:
    """``severity=~"critical|warning"`` (quotes optional) -> Matcher; ValueError names the text."""
    m = _SYNTAX.match(text)
    if m is None:
        raise ValueError(
            f"matcher {text!r} is not 'label=value', 'label!=value', "
            "'label=~regex' or 'label!~regex'"
        )
    name, op, raw = m.groups()
    value = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
    matcher = Matcher(name=name, value=value, op=_op(op))
    compile_one(matcher)  # a bad regex is a config error, not a runtime surprise
    return matcher


def _op(op: str) -> MatchOp:
    match op:
        case "=" | "!=" | "=~" | "!~":
            return op
    raise ValueError(f"unknown matcher operator {op!r}")


def render(matcher: Matcher) -> str:
    value = matcher.value.replace('"', '\\"')
    return f'{matcher.name}{matcher.op}"{value}"'


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the caller, not to stderr


def _reason(exc: Exception) -> str:
    msg = exc.args[0] if exc.args else exc
    return msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)


@dataclass(frozen=True)
class Compiled:
    matcher: Matcher
    regex: Any  # an RE2 pattern (the binding ships no type hints)

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.matcher.name, "")
        op = self.matcher.op
        if self.regex is not None:
            return (self.regex.fullmatch(value) is not None) == (op == "=~")
        return (value == self.matcher.value) == (op == "=")


def compile_one(matcher: Matcher) -> Compiled:
    regex = None
    if matcher.op in ("=~", "!~"):
        try:
            regex = re2.compile(matcher.value, _OPTIONS)
        except re2.error as e:
            reason = _reason(e)
            raise ValueError(f"matcher {render(matcher)}: bad regular expression: {reason}") from e
    return Compiled(matcher, regex)


def compile_all(matchers: Iterable[Matcher | str]) -> tuple[Compiled, ...]:
    return tuple(compile_one(parse(m) if isinstance(m, str) else m) for m in matchers)


def match_all(compiled: Sequence[Compiled], labels: Mapping[str, str]) -> bool:
    """Every matcher must match; no matchers match everything."""
    return all(c.matches(labels) for c in compiled)


def label_set(alert: Alert) -> dict[str, str]:
    """The labels routes, silences and inhibit rules see: the entity labels plus the alert's
    own kind, severity and rule (also as Alertmanager's ``alertname``), which win over a label
    of the same name so a producer cannot disguise a crisis as something else."""
    return {
        **alert.labels,
        "alertname": alert.rule,
        "rule": alert.rule,
        "kind": alert.kind,
        "severity": alert.severity,
    }
