"""Plain-text extractions → Document.

Shapes recognised, line by line:
* one cell per line (a DOCX dumped to text, like the seed): a cell starts with a tab,
  a blank line ends a table row, a line without a tab continues the previous cell;
* pipe and tab tables (Markdown and what PDF-to-Markdown converters print): pipes and
  tabs are cell borders, so `| a | 3 |  |` is three cells and the empty one stays a
  cell; `|---|` rules are dropped; a table goes on across page footers and headers;
* anything else (web-page dumps whose cell borders were lost): lines as paragraphs;
  the mapper then splits run-together digits only where the identities allow.
Page furniture (`— 5 —`, `第 3 页 共 9 页`) is dropped: it is never a value.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..document import Cell, Document, Grid, Paragraph
from ..templates import TEMPLATE
from .encoding import decode_html

_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


@lru_cache(maxsize=1)
def page_noise() -> re.Pattern[str]:
    """Page numbers and running footers, from templates/template.yaml `page_noise`."""
    return re.compile("|".join(f"(?:{p})" for p in TEMPLATE["page_noise"]))


def is_page_noise(line: str) -> bool:
    return page_noise().fullmatch(line.strip()) is not None


def _cells(line: str) -> list[Cell] | None:
    """The cells of a pipe or tab table row, or None for an ordinary line."""
    s = line.rstrip(" \r\n")  # trailing tabs are blank cells
    if "|" in s and not s.lstrip().startswith("#"):
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            s = s[1:-1]  # "| a | b |" at the margin: borders; " |  | 4 |": blank cells
        return [Cell(c.strip()) for c in s.split("|")]
    if "\t" in s.strip(" "):
        return [Cell(c.strip()) for c in s.split("\t")]
    return None


def read_text(data: bytes) -> Document:
    text, encoding = decode_html(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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

    for line in text.split("\n"):
        if line.startswith("\t") and line.count("\t") == 1 and "|" not in line:
            row.append(Cell(line.strip()))
            last_was_cell = True
        elif not line.strip():
            end_row()
            last_was_cell = False
        elif last_was_cell and row:
            row[-1] = Cell((row[-1].text + line.strip()))  # continuation of a wrapped cell
        elif _RULE.match(line) or is_page_noise(line):
            continue  # a Markdown rule or a page footer inside (or outside) a table
        elif (cells := _cells(line)) is not None:
            end_row()
            rows.append(cells)
        else:
            end_grid()
            blocks.append(Paragraph(line.strip()))
            last_was_cell = False
    end_grid()
    return Document(blocks=blocks, format="txt", encoding=encoding)
