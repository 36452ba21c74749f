"""Word-level differences between two texts (what an amendment changes)."""

from __future__ import annotations

import difflib
import re

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in "same", "del", "ins"; joining the "same" and "del" parts
    gives ``old`` back, the "same" and "ins" parts give ``new``."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("del", "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(("ins", "".join(after[j1:j2])))
    return parts
