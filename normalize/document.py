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


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Expand (text, rowspan, colspan) cells into a rectangular grid of Cells.

    Copies are marked `span_copy` so a merged label or value is counted once.
    """
    if all(rs == 1 and cs == 1 for row in rows for _, rs, cs in row):
        return [[Cell(text) for text, _, _ in row] for row in rows]
    grid: list[list[Cell]] = []
    pending: dict[tuple[int, int], Cell] = {}  # cells carried down by rowspan
    for r, row in enumerate(rows):
        out: list[Cell] = []
        c = 0
        for text, rs, cs in row:
            while pending and (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            out.append(Cell(text))
            if cs > 1:
                cs = min(cs, 100)
                out.extend([Cell(text, True)] * (cs - 1))
            if rs > 1:
                copy = Cell(text, True)
                for dr in range(1, min(rs, 500)):
                    for dc in range(cs):
                        pending[(r + dr, c + dc)] = copy
            c += cs
        if pending:  # carried cells at the end of this row (or past a short row)
            for key in sorted(k for k in pending if k[0] == r):
                while len(out) < key[1]:
                    out.append(Cell(""))
                out.append(pending.pop(key))
        grid.append(out)
    return grid
