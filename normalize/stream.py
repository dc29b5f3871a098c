"""Linearise a Document into one text stream the mapper can search.

Paragraphs are lines.  A grid row is rendered as its label cells, then — when the row
ends in value cells — "\\x1e" followed by the value cells joined by "\\x1f".  So cell
boundaries from HTML/DOCX survive (a blank cell stays a blank cell) while text from
PDFs and page dumps stays as printed; one locator serves both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Document, Paragraph
from .textnorm import norm
from .values import is_value_text

_VALUE_WORDS = frozenset("增减減无無空")
CELLS = "\x1e"  # start of a row's value cells
SEP = "\x1f"  # between value cells


@dataclass
class Stream:
    text: str  # as printed
    norm: str  # normalised, same length
    grid_spans: list[tuple[int, int]] = field(default_factory=list)


def _row(cells) -> str:
    k = len(cells)
    for t, copy, _ in reversed(cells):  # Cell(text, span_copy, confidence), unpacked: grids are big
        if not copy:
            if t and "\u4e00" <= t[0] <= "\u9fff" and t[0] not in _VALUE_WORDS:
                break  # starts with an ideograph: a label (fast path for the common case)
            if not is_value_text(t):
                break
        k -= 1
    labels = " ".join([t for t, copy, _ in cells[:k] if t and not copy])
    values = [t for t, copy, _ in cells[k:] if not copy]  # a merged cell counts once
    line = f"{labels}{CELLS}{SEP.join(values)}" if values else labels  # blank cells are still cells
    return line.replace("\n", " ") if "\n" in line else line


def build(doc: Document) -> Stream:
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            piece = block.text + "\n"
        else:
            lines = [_row(r) for r in block.rows]
            piece = "\n".join(ln for ln in lines if ln) + "\n"
            spans.append((pos, pos + len(piece)))
        parts.append(piece)
        pos += len(piece)
    text = "".join(parts)
    return Stream(text=text, norm=norm(text), grid_spans=spans)
