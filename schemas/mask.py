"""Mask personal data in anything a person will read: phones, e-mail, ID cards, names.

Alert texts go to group chats that many people (and their phones' lock screens) see, so the
rule is "mask by default": a pattern that looks like personal data is masked even when it
might be something harmless (an 18-digit number with a valid birth date in it is taken for an
ID card). Free text cannot be searched for names reliably, so names are masked only in label
values under known keys (``NAME_KEYS``); producers should put names there, not in summaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Label keys whose value is a person's name. Store and brand names are not personal: listing
# keys beats guessing from a ``_name`` suffix.
NAME_KEYS = frozenset(
    {
        "customer_name",
        "agent_name",
        "staff_name",
        "employee_name",
        "contact_name",
        "complainant_name",
        "reporter_name",
        "author_name",
        "manager_name",
    }
)
# Label keys whose whole value is personal even when no pattern below recognises it.
SECRET_KEYS = frozenset(
    {"phone", "mobile", "customer_phone", "contact_phone", "email", "id_card", "id_number"}
)

_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
# Resident ID: 6-digit region, birth date 19xx/20xx, 3-digit sequence, check digit (or X).
# The old 15-digit form has a 2-digit year.
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID_CARD = re.compile(
    rf"(?<![0-9A-Za-z])(\d{{6}}(?:(?:19|20)\d{{2}}{_DATE}\d{{3}}[0-9Xx]|\d{{2}}{_DATE}\d{{3}}))"
    r"(?![0-9A-Za-z])"
)
# Mainland mobile: 1[3-9]x xxxx xxxx, grouped 3-4-4 with spaces or dashes, optional +86/86.
_MOBILE = re.compile(r"(?<![\d+])((?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
# Landline: area code 0xx/0xxx (optionally in brackets), a local number that starts 2-9,
# optional extension. 400/800 service numbers have no leading 0 and are not personal.
_LANDLINE = re.compile(
    r"(?<!\d)(\(0\d{2,3}\)|0\d{2,3})([\s-]?)([2-9]\d{2,3}[\s-]?\d{4})((?:-|转)\d{1,6})?(?!\d)"
)
_CJK = re.compile(r"^[\u3400-\u9fff·•]+$")
# Two-character surnames, so 欧阳娜娜 keeps 欧阳 and not only 欧.
_PAIRS = "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文司徒夏侯令狐端木呼延澹台轩辕独孤南宫"
_COMPOUND_SURNAMES = frozenset(_PAIRS[i : i + 2] for i in range(0, len(_PAIRS), 2))


def _digits_masked(digits: str, keep_head: int, keep_tail: int) -> str:
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


def _prefix(country: str | None) -> str:
    return country.strip(" -") + " " if country else ""


def mask_text(text: str) -> str:
    """Mask e-mail addresses, ID-card numbers, mobiles and landlines anywhere in ``text``."""
    # E-mail first: a mobile number is a common mailbox name in China (13812345678@163.com).
    text = _EMAIL.sub(lambda m: f"{m[1]}***{m[2]}", text)
    text = _ID_CARD.sub(lambda m: _digits_masked(m[1], 3, 4), text)
    text = _MOBILE.sub(lambda m: f"{_prefix(m[1])}{m[2]}****{m[4]}", text)

    def landline(m: re.Match[str]) -> str:
        local = re.sub(r"[\s-]", "", m[3])
        return f"{m[1]}{m[2] or ''}{'*' * (len(local) - 4)}{local[-4:]}"

    return _LANDLINE.sub(landline, text)


def mask_name(name: str) -> str:
    """张三 → 张*, 张三丰 → 张**, 欧阳娜娜 → 欧阳**, John Smith → J*** S***."""
    name = name.strip()
    if not name or "*" in name:
        return name  # empty, or masked already (labels may arrive masked: stay idempotent)
    if _CJK.match(name):
        keep = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
        return name[:keep] + "*" * max(1, len(name) - keep)
    return " ".join(word[0] + "***" for word in name.split())


def mask_value(key: str, value: str) -> str:
    """One label value: a name under a name key, any value under a secret key, else patterns."""
    if key in NAME_KEYS:
        return mask_name(value)
    masked = mask_text(value)
    if key in SECRET_KEYS and masked == value and value:
        # Nothing recognised, but the key says it is personal: keep only a hint of it.
        return "*" * max(0, len(value) - 2) + value[-2:] if len(value) > 4 else "****"
    return masked


def mask_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: mask_value(k, v) for k, v in labels.items()}
