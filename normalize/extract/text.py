"""Plain-text extractions → Document.

Three shapes are recognised:
* one cell per line (a DOCX dumped to text, like the seed): a cell starts with a tab,
  a blank line ends a table row, a line without a tab continues the previous cell;
* "a | b | c" rows: one grid row per line;
* anything else (web-page dumps whose cell borders were lost): lines as paragraphs;
  the mapper then splits run-together digits only where the identities allow.
"""
from __future__ import annotations

from ..document import Cell, Document, Grid, Paragraph
from .encoding import decode_html


def _decode(data: bytes) -> tuple[str, str]:
    return decode_html(data)


def read_text(data: bytes) -> Document:
    text, encoding = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    blocks: list = []
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    last_was_cell = False

    def end_row() -> None:
        nonlocal row
        if row:
            rows.append(row)
            row = []

    def end_grid() -> None:
        end_row()
        if rows:
            blocks.append(Grid(list(rows)))
            rows.clear()

    for line in lines:
        if line.startswith("\t"):
            row.append(Cell(line.strip()))
            last_was_cell = True
        elif not line.strip():
            end_row()
            last_was_cell = False
        elif last_was_cell and row:
            row[-1] = Cell((row[-1].text + line.strip()))  # continuation of a wrapped cell
        elif line.count("|") >= 2 and not line.strip().startswith("#"):
            end_row()
            cells = line.rstrip().split("|")
            if line.startswith("|") and line.rstrip().endswith("|"):
                cells = cells[1:-1]  # "| a | b |" borders at column 0; " | 4" is a blank cell then 4
            rows.append([Cell(c.strip()) for c in cells])
        else:
            end_grid()
            blocks.append(Paragraph(line.strip()))
            last_was_cell = False
    end_grid()
    return Document(blocks=blocks, format="txt", encoding=encoding)
