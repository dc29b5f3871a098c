"""A Markdown/pipe renderer of DOCX reports in the styles PDF-to-Markdown converters print.

Styles: merged cells repeated (`repeat`) or printed empty (`empty`), rows closed by an
extra empty cell (`trailing`), tab-separated cells (`tabs`); with `noise`, page footers,
the agency's running header and the table's header rows repeated after each "page",
and a row of generic column names (数据1 … 数据6) are inserted inside the tables.
"""

from __future__ import annotations

import io

STYLES = ["repeat", "empty", "trailing", "tabs"]
PAGE_ROWS = 9  # a "page break" every this many table rows


def _rows(table) -> list[list[str]]:
    """Cell texts with merges resolved as the style wants later: (text, is_copy) pairs."""
    out = []
    above: list = []
    for _r, row in enumerate(table.rows):
        cells = []
        prev = None
        for c, cell in enumerate(row.cells):
            copy = cell._tc is prev or (c < len(above) and above[c] is cell._tc)
            cells.append((cell.text.replace("\n", ""), copy))
            prev = cell._tc
        above = [cell._tc for cell in row.cells]
        out.append(cells)
    return out


def _line(cells: list[tuple[str, bool]], style: str) -> str:
    texts = [("" if copy and style != "repeat" else text) for text, copy in cells]
    if style == "tabs":
        return "\t".join(texts)
    if style == "trailing":
        texts.append("")
    return "| " + " | ".join(texts) + " |"


def to_markdown(docx_bytes: bytes, style: str = "repeat", noise: bool = False, agency: str = "") -> bytes:
    """The DOCX's paragraphs and tables, in order, as Markdown text."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(io.BytesIO(docx_bytes))
    lines: list[str] = []
    page = 1
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, d).text.strip()
            if text:
                lines.append(text)
        elif tag == "tbl":
            rows = _rows(Table(child, d))
            width = len(rows[0])
            heads = rows[:3] if width == 10 else []  # table 三's three header rows
            lines.append("")
            for i, row in enumerate(rows):
                lines.append(_line(row, style))
                if i == 0 and style != "tabs":
                    lines.append("|" + "---|" * (width + (style == "trailing")))
                if noise and i and i % PAGE_ROWS == 0 and i < len(rows) - 1:
                    page += 1
                    lines += ["", f"— {page} —", f"第 {page} 页 共 9 页", agency, ""]
                    lines += [_line(h, style) for h in heads]
                    if width >= 7:
                        generic = [(f"数据{k}", False) for k in range(1, 7)]
                        lines.append(_line([("", False)] * (width - 6) + generic, style))
            lines.append("")
    return "\n".join(lines).encode("utf-8")
