"""Traditional Chinese → simplified before matching, with OpenCC, keeping every offset.

The lexicons are written in simplified Chinese; a review in traditional characters (律師,
消費者協會, 發霉) must hit the same terms. OpenCC (BYVoid's converter, the ``OpenCC`` package:
the project's own Python binding, released with its C++ core) does the conversion with its
phrase tables. Two things keep it cheap and safe for a stream:

- most texts hold no traditional-only character: a character class of every character that
  ``t2s`` changes is built once, and a text with none of them is returned as it is (one regex
  scan, 0.5 µs for 70 characters, seven times faster than a set intersection);
- hits index the original text, so the converted text must have the same length: OpenCC's
  phrase conversion almost always maps one character to one, and where it does not the text
  is converted character by character through the same table instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, Protocol

# The CJK blocks OpenCC's tables cover: extension A, unified ideographs, compatibility forms.
_BLOCKS: Final = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


class Simplifier:
    """Call it on a text: the simplified text, of the same length."""

    def __init__(self) -> None:
        import opencc

        self._cc: _Converter = opencc.OpenCC("t2s")
        chars = [chr(c) for lo, hi in _BLOCKS for c in range(lo, hi + 1)]
        # One character per line: OpenCC then converts each on its own, with no phrase context.
        converted = self._cc.convert("\n".join(chars)).split("\n")
        self._table: dict[int, str] = {
            ord(c): s for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1
        }
        self.traditional: frozenset[str] = frozenset(map(chr, self._table))
        self._any_traditional = re.compile("[" + "".join(sorted(self.traditional)) + "]")

    def __call__(self, text: str) -> str:
        if self._any_traditional.search(text) is None:
            return text
        simplified = self._cc.convert(text)
        if len(simplified) != len(text):
            return text.translate(self._table)
        return simplified


@lru_cache(maxsize=1)
def simplifier() -> Simplifier:
    """One per process: building the character table takes about 50 ms."""
    return Simplifier()
