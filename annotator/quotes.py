"""Quotations: pair « », “ ” and straight double quotes explicitly (spaCy's `is_quote` also
matches apostrophes), and keep the text inside, marks and inner spaces excluded."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .rules import Rules, fold

INNER_SPACE = " \t\u00a0\u202f\u2009\u2007\u200b"


class Quote(NamedTuple):
    """The marks at `open`/`close`; the quoted text at [start, end)."""

    open: int
    close: int
    start: int
    end: int


def find_quotes(text: str, rules: Rules) -> list[Quote]:
    """Pair the quotation marks of one paragraph; nested and unbalanced marks are tolerated."""
    pairs = {o: c for o, c in rules.quotes["pairs"]}
    marks = _marks("".join(o + c for o, c in pairs.items()))
    found, stack, i, n = [], [], 0, len(text)
    while i < n:
        mark = marks.search(text, i)  # only marks matter: jump from one to the next
        i = mark.start() if mark else n
        if mark:
            char = text[i]
            if stack and char == pairs[text[stack[-1]]]:
                opened = stack.pop()
                if not stack:
                    found.append(_inside(text, opened, i))
            elif stack and char == text[stack[-1]]:
                stack[-1] = i  # the same opening mark again: the first one was never closed
            elif char in pairs and not (char == pairs[char] and stack):
                stack.append(i)
            i += 1
        if i == n and stack:
            i, stack = stack[0] + 1, []  # an unclosed mark: read on as if it were not there
    return [q for q in found if q.end > q.start and any(c.isalnum() for c in text[q.start:q.end])]


@lru_cache(maxsize=8)
def _marks(chars: str) -> re.Pattern:
    return re.compile("[" + re.escape(chars) + "]")


def _inside(text: str, opened: int, closed: int) -> Quote:
    start, end = opened + 1, closed
    while start < end and text[start] in INNER_SPACE:
        start += 1
    while end > start and text[end - 1] in INNER_SPACE:
        end -= 1
    return Quote(opened, closed, start, end)


def is_title(text: str, quote: Quote, rules: Rules) -> bool:
    """True when the word before the opening mark announces a title ("le livre « ... »", "intitulé :");
    after a comma only a capitalised title ("un ouvrage, « Le Vin »", not "le parti, « très endetté »")."""
    before = text[max(0, quote.open - 40):quote.open].split()
    if not before or fold(before[-1]).strip(",:") not in rules.quotes["title_words"]:
        return False
    return not before[-1].endswith(",") or text[quote.start:quote.start + 1].isupper()


def is_single_word(text: str, quote: Quote) -> bool:
    return len(text[quote.start:quote.end].split()) == 1
