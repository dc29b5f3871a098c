"""The one shape every reader returns: an ordered list of paragraphs and grids.

After extraction the file format is forgotten; mapping works on this alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    text: str
    span_copy: bool = False  # a copy made by expanding rowspan/colspan/gridSpan/vMerge


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

    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Expand (text, rowspan, colspan) cells into a rectangular grid of Cells.

    Copies are marked `span_copy` so a merged label or value is counted once.
    """
    grid: list[list[Cell | None]] = []
    pending: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(rows):
        out: list[Cell | None] = []
        c = 0
        cells = iter(row)
        while True:
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            try:
                text, rowspan, colspan = next(cells)
            except StopIteration:
                break
            rowspan = max(1, min(rowspan, 500))
            colspan = max(1, min(colspan, 100))
            for dc in range(colspan):
                out.append(Cell(text, span_copy=dc > 0))
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = Cell(text, span_copy=True)
            c += colspan
        # cells still pending for this row past its last real cell
        for key in sorted(k for k in pending if k[0] == r):
            while len(out) < key[1]:
                out.append(Cell(""))
            out.append(pending.pop(key))
        grid.append(out)
    return [[c if c is not None else Cell("") for c in row] for row in grid]
