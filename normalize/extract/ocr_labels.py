"""Snap OCR'd labels to the template's own words, tolerating a misread character or two.

OCR misreads a character now and then ("申请" → "甲请"); the mapper matches labels
exactly, so one wrong character would lose a row or a section.  A label is replaced by
the template's canonical label only when it is close (similarity ≥ MIN_RATIO) and the
choice is anchored on template order: section headings by their printed numeral,
table rows by preferring the first close label at or after the previous row's.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from ..document import Cell, Grid, Paragraph
from ..templates import TEMPLATE
from ..textnorm import norm

MIN_RATIO = 0.8
_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(r"^\s*([一二三四五六七八九十])\s*[、.,，．]\s*(\S.*)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", norm(text))


@lru_cache(maxsize=1)
def _row_labels() -> tuple[str, ...]:
    """Row labels of tables 二 and 三 in printed order (canonical spellings only)."""
    rows = TEMPLATE["active"]["rows"] + TEMPLATE["requests"]["rows"]
    return tuple(r["labels"][0] for r in rows)


@lru_cache(maxsize=1)
def _section_labels() -> dict[int, tuple[str, ...]]:
    return {s["section"]: tuple(s["labels"]) for s in TEMPLATE["sections"]}


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def snap_heading(text: str) -> str:
    """ "三、收到和处理政府信息公开甲请情况" → the section's template label (numeral kept)."""
    m = _HEADING.match(text)
    if not m or len(m[2]) > 40:
        return text
    section = _NUMERALS.index(m[1]) + 1
    labels = _section_labels().get(section, ())
    key = _key(m[2])
    if any(_key(label) == key for label in labels):
        return text
    best = max(labels, key=lambda label: _ratio(key, _key(label)), default=None)
    if best is not None and _ratio(key, _key(best)) >= MIN_RATIO:
        return f"{m[1]}、{best}"
    return text


def snap_grid(grid: Grid) -> Grid:
    """Label cells close to a template row label get that label (text only; confidence kept)."""
    labels = _row_labels()
    keys = [_key(label) for label in labels]
    anchor = 0
    rows = []
    for row in grid.rows:
        out = []
        for cell in row:
            text = cell.text
            if cell.span_copy or not _CJK.search(text) or len(text) > 60:
                out.append(cell)
                continue
            key = _key(text)
            if key in keys:
                anchor = keys.index(key)
                out.append(cell)
                continue
            scored = [(_ratio(key, k), i) for i, k in enumerate(keys)]
            best = max(s for s, _ in scored)
            if best < MIN_RATIO:
                out.append(cell)
                continue
            close = [i for s, i in scored if s >= best - 0.02]
            pick = next((i for i in close if i >= anchor), close[0])
            anchor = pick
            out.append(Cell(labels[pick], cell.span_copy, cell.confidence))
        rows.append(out)
    # span copies follow their origin's new text
    fixed = _follow_spans(grid.rows, rows)
    return Grid(fixed)


def _follow_spans(before: list[list[Cell]], after: list[list[Cell]]) -> list[list[Cell]]:
    """A merged cell's copies carry the same text as its origin (left, else above)."""
    changed = {
        b.text: a.text
        for rb, ra in zip(before, after)
        for b, a in zip(rb, ra)
        if not b.span_copy and a.text != b.text
    }
    if not changed:
        return after
    return [
        [Cell(changed.get(c.text, c.text), True, c.confidence) if c.span_copy else c for c in row]
        for row in after
    ]


def snap(blocks: list[Paragraph | Grid]) -> list[Paragraph | Grid]:
    return [snap_grid(b) if isinstance(b, Grid) else Paragraph(snap_heading(b.text)) for b in blocks]
