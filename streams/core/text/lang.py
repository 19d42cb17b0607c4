"""A cheap language guess: Chinese or English, by the share of CJK characters."""

from __future__ import annotations

import re
from typing import Final, Literal

Lang = Literal["zh", "en"]

# CJK Unified Ideographs with extension A, the compatibility block and extensions B-F.
CJK: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_LATIN: Final = re.compile("[A-Za-z]")
# A Chinese word is about 1.5 characters and an English one about 4.5 letters, so one CJK
# character weighs as much as three Latin letters: "这个product很好" is Chinese, "the 服务 was
# terrible" is English.
CJK_WEIGHT: Final = 3


def lang(text: str) -> Lang:
    """Chinese when the CJK characters weigh at least as much as the Latin letters.

    Text with neither (digits, emoji, punctuation) is "en": the English model scores emoticons,
    the Chinese one would only give its prior."""
    if text.isascii():
        return "en"
    latin = len(_LATIN.findall(text))
    if latin == 0:  # most Chinese text: no need to count the CJK characters
        return "zh" if CJK.search(text) else "en"
    return "zh" if len(CJK.findall(text)) * CJK_WEIGHT >= latin else "en"
