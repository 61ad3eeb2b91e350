"""An article's headline and date as a reader would write them: the first line that reads like a
headline (not a site menu, a breadcrumb, a rubric such as `EN DIRECT` or `MERCATO`), and the date in
ISO form (`2025-03-14`) whatever the page's own format."""
from __future__ import annotations

import re
from datetime import date

MIN_WORDS = 4
LOOK_AHEAD = 15  # lines of the text searched for a headline
SEPARATORS = re.compile(r"[|•›»>/·]")
LEADING_SYMBOLS = re.compile(r"^[^\w«“\"'(]+")
NOT_A_HEADLINE = re.compile(r"^(par|publié|mis à jour|modifié|le \d|crédit|source|photo)\b", re.I)
MONTHS = {"janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "août": 8,
          "aout": 8, "sept": 9, "oct": 10, "nov": 11, "déc": 12, "dec": 12}
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
WORDED_DATE = re.compile(r"\b(\d{1,2})(?:er)?\s+([a-zéû]+)\.?\s+(\d{4})\b", re.I)


def _clean(line: str) -> str:
    """The line without leading emoji or symbols and with single spaces."""
    return " ".join(LEADING_SYMBOLS.sub("", line).split())


def is_headline(line: str) -> bool:
    """Whether a line reads like a headline: four words or more, lower-case letters (not a rubric in
    capitals), not a menu or breadcrumb (two separators or more), not a by-line or a date line."""
    line = _clean(line)
    return (len(line.split()) >= MIN_WORDS and any(c.islower() for c in line)
            and len(SEPARATORS.findall(line)) < 2 and not NOT_A_HEADLINE.match(line))


def headline(title: str, text: str) -> str:
    """`title` if it reads like a headline, else the first line of `text` that does, else `title`."""
    if is_headline(title):
        return _clean(title)
    found = next((line for line in text.splitlines()[:LOOK_AHEAD] if is_headline(line)), "")
    return _clean(found or title)


def iso_date(value: str) -> str:
    """`14 mars 2025`, `12 févr. 2025`, `03/06/2025` or `2025-06-03` as `2025-06-03`; "" when no
    date can be read."""
    value = str(value or "")
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (NUMERIC_DATE, (2, 1, 0))):
        match = pattern.search(value)
        if match:
            return _iso(*(int(match.group(i + 1)) for i in order))
    match = WORDED_DATE.search(value)
    month = next((n for prefix, n in MONTHS.items() if match and match[2].lower().startswith(prefix)), None)
    return _iso(int(match[3]), month, int(match[1])) if match and month else ""


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def readable_meta(meta: dict, text: str) -> dict:
    """`meta` with its title as the article's headline and its date in ISO form (kept as it is when no
    date can be read): what profiles.csv and the Label Studio task list show."""
    meta = {**meta, "title": headline(str(meta.get("title") or ""), text)}
    if meta.get("date"):
        meta["date"] = iso_date(str(meta["date"])) or meta["date"]
    return meta
