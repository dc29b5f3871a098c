"""Find labelled rows and section headings in a Stream, in printed order.

Every label comes from templates/template.yaml; matching is tolerant of whitespace,
full-width forms, traditional characters and the listed aliases, but a row is only
taken where its label is printed: nothing is inferred from position alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .stream import CELLS
from .templates import TEMPLATE
from .textnorm import loose_pattern

# 1. / 1、 / (一) / 一、 numbering printed before a row label
_NUMBERING = ""  # item numbers are part of each canonical label in template.yaml


@lru_cache(maxsize=None)
def label_regex(labels: tuple[str, ...], numbered: bool = True) -> re.Pattern[str]:
    """One regex for a row: its aliases, longest first, optionally after an item number."""
    alts = sorted({loose_pattern(label, optional_tail=numbered) for label in labels}, key=len, reverse=True)
    prefix = _NUMBERING if numbered else ""
    return re.compile(prefix + "(?:" + "|".join(alts) + ")")


@dataclass
class Hit:
    key: str  # metric code, group name or section number
    start: int
    end: int


def find_rows(text: str, rows: list[tuple[str, tuple[str, ...]]], start: int, end: int) -> list[Hit]:
    """Match rows in order between start and end.

    A row whose first match lies beyond the next row's first match is treated as
    missing (so one absent label cannot swallow the rows after it).
    """
    hits: list[Hit] = []
    pos = start

    def first(i: int, at: int) -> re.Match[str] | None:
        return label_regex(rows[i][1]).search(text, at, end)

    for i, (key, _labels) in enumerate(rows):
        m = first(i, pos)
        if m is None:
            continue
        # look ahead: if the next two rows' labels both start before this one, this row is absent here
        later = [first(j, pos) for j in range(i + 1, min(i + 3, len(rows)))]
        if later and all(lm is not None and lm.start() < m.start() for lm in later):
            continue
        hits.append(Hit(key, m.start(), m.end()))
        pos = m.end()
    return hits


def segment_values(text: str, start: int, end: int, normed: str | None = None) -> tuple[str, list[str]]:
    """The values printed after a row label: ('cells', exact cells) or ('text', tokens).

    Tokens are found in the normalised text (so U+2212/U+FF0D minus signs are signs)
    and returned as printed.
    """
    seg = text[start:end]
    stripped = seg.lstrip(" \t")
    if stripped.startswith(CELLS):
        line = stripped[1:].split("\n", 1)[0]
        return "cells", line.split("\x1f")
    # a grid row whose value cells come after further label text on the same line
    line = seg.split("\n", 1)[0]
    if CELLS in line:
        return "cells", line.split(CELLS, 1)[1].split("\x1f")
    return "text", [text[a:b] for a, b in value_spans(normed if normed is not None else text, start, end)]


# values as printed in text: signed/decimal/unit numbers, and null markers standing alone.
# A number glued to a hedge or a unit it cannot carry ("约12", "12%", "12万", ".5", "1.") is
# taken whole, so it becomes one unreadable cell instead of its digits; so is a Chinese
# numeral word standing alone ("一百").
_NUMBER = r"(?:(?:增加|减少|[增减減])\s?|[+\-])?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:万元|亿元|元))?"
VALUE_TOKEN = re.compile(
    rf"(?:[约近逾超]\s?|(?<![\d.])\.)?{_NUMBER}(?:\s?[%‰万千百亿余多](?!元)|\.(?![\d\w]))?"
    r"|(?<![\S])(?:-|—|/|无)(?![\S])"
    r"|(?<![\S])[零〇一二三四五六七八九十百千万两](?:\s?[零〇一二三四五六七八九十百千万两]){0,7}(?![\S])"
)


def value_spans(normed: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of every value token between start and end of the normalised text."""
    return [m.span() for m in VALUE_TOKEN.finditer(normed, start, end)]


_SECTION_NUMERALS = "一二三四五六"


@lru_cache(maxsize=1)
def section_regexes() -> list[tuple[int, re.Pattern[str]]]:
    out = []
    for sec in TEMPLATE["sections"]:
        n = sec["section"]
        alts = "|".join(sorted((loose_pattern(label) for label in sec["labels"]), key=len, reverse=True))
        numeral = _SECTION_NUMERALS[n - 1]
        out.append((n, re.compile(rf"(?<![(（第]){numeral}\s*[、.,:：]\s*(?:{alts})")))
    return out


def find_sections(text: str) -> list[Hit]:
    """Section headings 一…六 in order (the bare "四、" of 结转下年度 never matches)."""
    hits: list[Hit] = []
    pos = 0
    for n, rx in section_regexes():
        # a heading starts a line in every format we read; prefer such a match
        best = None
        for m in rx.finditer(text, pos):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if not text[line_start : m.start()].strip() or best is None:
                best = m
                if not text[line_start : m.start()].strip():
                    break
        if best is not None:
            hits.append(Hit(str(n), best.start(), best.end()))
            pos = best.end()
    return hits
