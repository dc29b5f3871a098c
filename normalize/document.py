"""The one shape every reader returns: an ordered list of paragraphs and grids.

After extraction the file format is forgotten; mapping works on this alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Cell(NamedTuple):
    text: str
    span_copy: bool = False  # a copy made by expanding rowspan/colspan/gridSpan/vMerge
    confidence: float | None = None  # 0–1 when the text came from OCR, None for a text layer


@dataclass
class Grid:
    rows: list[list[Cell]]


@dataclass
class Paragraph:
    text: str


Block = Paragraph | Grid


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    format: str = "unknown"
    encoding: str | None = None
    title: str | None = None  # from page metadata (HTML <title>, ArticleTitle), if any
    published: str | None = None  # from page metadata (PubDate, 发布时间), if any
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR, not a text layer

    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]


_new_cell = tuple.__new__  # Cell(text) without NamedTuple's keyword handling: grids hold many cells


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Expand (text, rowspan, colspan) cells into a rectangular grid of Cells.

    Copies are marked `span_copy` so a merged label or value is counted once.
    """
    grid: list[list[Cell]] = []
    carried: dict[int, dict[int, Cell]] = {}  # row → {column: copy} carried down by rowspan
    for r, row in enumerate(rows):
        held = carried.pop(r, None)
        out: list[Cell] = []
        c = 0
        for text, rs, cs in row:
            if held:
                while c in held:
                    out.append(held.pop(c))
                    c += 1
            out.append(_new_cell(Cell, (text, False, None)))
            if cs > 1:
                cs = min(cs, 100)
                copy = _new_cell(Cell, (text, True, None))
                out.extend([copy] * (cs - 1))
            if rs > 1:
                copy = _new_cell(Cell, (text, True, None))
                for dr in range(1, min(rs, 500)):
                    below = carried.setdefault(r + dr, {})
                    for dc in range(cs):
                        below[c + dc] = copy
            c += cs
        if held:  # carried cells at the end of this row (or past a short row)
            for col in sorted(held):
                while len(out) < col:
                    out.append(_new_cell(Cell, ("", False, None)))
                out.append(held[col])
        grid.append(out)
    return grid
