"""HTML pages as published on portals → Document.

Portal chrome (navigation, 无障碍 bars, share buttons, footers, scripts) is dropped;
Word-exported markup is flattened; tables become Grids with rowspan/colspan expanded
(copies marked); a table that holds other tables is layout and is walked through.
Spans are bounded before expansion (a rowspan never reaches past the table's last row,
a colspan is at most MAX_COLSPAN) and a table that would still expand to more than
MAX_TABLE_CELLS is skipped with a warning: `rowspan=500 colspan=100` in an 11 kB page
must not take gigabytes.
"""

from __future__ import annotations

import re

from lxml import etree

from ..document import Cell, Document, Grid, Paragraph, _new_cell, expand_spans
from .encoding import decode_tolerant
from .errors import ExtractError

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "nav",
    "header",
    "footer",
    "form",
    "select",
    "button",
    "input",
    "textarea",
    "object",
    "embed",
    "svg",
    "template",
)
_CHROME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|footer|foot|header|head-top|topbar|breadcrumb|crumb|"
    r"share|bdshare|wza|barrier|accessib|sidebar|side-bar|related|copyright|search|"
    r"location|position|print|toolbar|qrcode|ewm)($|[\s_-])",
    re.I,
)
_BLOCK = {
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "ul",
    "ol",
    "center",
    "td",
    "th",
    "tr",
    "body",
    "main",
}
MAX_COLSPAN = 100
MAX_TABLE_CELLS = 100_000  # after expansion; the national template's tables have ~300
_CONTENT_HINT = re.compile(
    r"TRS_Editor|article_content|art_content|zoom|Custom_UnionStyle|content|detail|article", re.I
)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _drop(el) -> None:
    """Remove an element but keep its tail text (what lxml.html's drop_tree does)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
)  # we decoded already: never re-decode by <meta>


def _meta(root, *names: str) -> str | None:
    """The first of `names` among the page's <meta name|property=… content=…> that is not blank."""
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        content = (el.get("content") or "").strip()
        if content:
            for key in (el.get("name"), el.get("property")):
                if key and key not in found:
                    found[key] = content
    return next((found[n] for n in names if n in found), None)


def _is_chrome(el) -> bool:
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
    return bool(attrs) and _CHROME.search(attrs) is not None


def _int(value: str | None) -> int:
    if not value:
        return 1
    if value.isdigit():
        return int(value) or 1
    try:
        return int(re.sub(r"\D", "", value or "") or 1)
    except ValueError:
        return 1


# The document walk in C (libxslt): block elements become lines, scripts and forms
# vanish, and each innermost table becomes ␄rows␅ with one "rowspan␁colspan␁text␂"
# per cell and ␃ after each row.  normalize-space joins Word-exported runs
# ("<span>13</span><span>53</span>" → "1353") and folds line breaks inside a cell.
_BLOCKS = "|".join(sorted(_BLOCK | {"table", "tbody", "thead", "tfoot", "dl", "aside"}))
_DROPPED = "|".join(_DROP_TAGS)
_WALK_XSLT = etree.XSLT(
    etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="{_DROPPED}"/>
<xsl:template match="br"><xsl:text>&#xA;</xsl:text></xsl:template>
<xsl:template match="table[not(.//table)]"><xsl:text>&#xE004;</xsl:text>\
<xsl:for-each select=".//tr">
<xsl:for-each select="td|th"><xsl:value-of select="@rowspan"/><xsl:text>&#xE001;</xsl:text>\
<xsl:value-of select="@colspan"/>
<xsl:text>&#xE001;</xsl:text><xsl:value-of select="normalize-space(.)"/>\
<xsl:text>&#xE002;</xsl:text></xsl:for-each>
<xsl:text>&#xE003;</xsl:text></xsl:for-each><xsl:text>&#xE005;</xsl:text></xsl:template>
<xsl:template match="{_BLOCKS}"><xsl:text>&#xA;</xsl:text><xsl:apply-templates/>\
<xsl:text>&#xA;</xsl:text></xsl:template>
</xsl:stylesheet>""")
)


def _rows_to_grid(serialized: str, warnings: list[str]) -> Grid:
    """The XSLT's rows (see _WALK_XSLT) as a Grid; spans cut to the table (rowspan) and to
    MAX_COLSPAN, and a table whose spans would expand past MAX_TABLE_CELLS skipped."""
    rows: list[list[tuple[str, int, int]]] = []
    spans = False
    for row in serialized.split("\ue003")[:-1]:
        cells = []
        for cell in row.split("\ue002")[:-1]:
            if cell.startswith("\ue001\ue001"):  # no rowspan, no colspan: most cells
                text, rs, cs = cell[2:], 1, 1
            else:
                rs_text, cs_text, text = cell.split("\ue001", 2)
                rs, cs = _int(rs_text), min(_int(cs_text), MAX_COLSPAN)
                spans = spans or rs > 1 or cs > 1
            if "\xa0" in text or "\u3000" in text:  # normalize-space folds ASCII space only
                text = _clean(text)
            cells.append((text, rs, cs))
        if cells:
            rows.append(cells)
    if not spans:
        return Grid([[_new_cell(Cell, (t, False, None)) for t, _, _ in row] for row in rows])
    n, total = len(rows), 0
    for r, row in enumerate(rows):
        for k, (t, rs, cs) in enumerate(row):
            if rs > n - r:
                row[k] = (t, n - r, cs)
                rs = n - r
            total += rs * cs
    if total > MAX_TABLE_CELLS:
        warnings.append(
            f"a table whose spans expand to {total:,} cells was skipped (limit {MAX_TABLE_CELLS:,})"
        )
        return Grid([])
    return Grid(expand_spans(rows))


def _blocks(container, warnings: list[str]) -> list:
    """Paragraphs and grids of a container, in document order."""
    blocks: list = []

    def paragraphs(text: str) -> None:
        for line in text.split("\n"):
            line = _clean(line)
            if line:
                blocks.append(Paragraph(line))

    pieces = str(_WALK_XSLT(container)).split("\ue004")
    paragraphs(pieces[0])
    for piece in pieces[1:]:
        table, _, rest = piece.partition("\ue005")
        grid = _rows_to_grid(table, warnings)
        if grid.rows:
            blocks.append(grid)
        paragraphs(rest)
    return blocks


def _content_root(body):
    """The report's container when the CMS marks it (TRS_Editor, zoom, …); else the body.

    The innermost marked ancestor of the first table that still holds every table wins.
    """
    tables = body.xpath(".//table")
    if not tables:
        return body
    for anc in tables[0].iterancestors():
        if anc is body:
            break
        attrs = anc.get("class") or anc.get("id")
        if attrs and _CONTENT_HINT.search(attrs) and int(anc.xpath("count(.//table)")) == len(tables):
            return anc
    return body


def read_html(data: bytes, header_charset: str | None = None) -> Document:
    text, encoding, warnings = decode_tolerant(data, header_charset)
    if not text.strip():
        raise ExtractError("empty", "the HTML file is empty")
    try:
        plain = encoding == "utf-8" and not warnings and not data.startswith(b"\xef\xbb\xbf")
        raw = data if plain else text.encode("utf-8")  # lxml must not decode the bytes again
        root = etree.fromstring(raw, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractError("bad_html", f"cannot parse HTML: {exc}") from exc
    if root is None:
        raise ExtractError("bad_html", "the HTML has no elements")
    title = _meta(root, "ArticleTitle", "og:title", "title")
    if not title:
        t = root.find(".//title")
        title = _clean("".join(t.itertext())) if t is not None else None
    published = _meta(root, "PubDate", "pubdate", "publishdate", "firstpublishedtime")
    body = root.find("body")
    body = body if body is not None else root
    container = _content_root(body)
    if container is body:  # no CMS content container: strip the portal chrome by its names
        for el in body.xpath(".//*[(@class or @id or @role) and not(ancestor::table)]"):
            if _is_chrome(el) and el.find(".//table") is None:
                _drop(el)
    blocks = _blocks(container, warnings)
    return Document(
        blocks=blocks, format="html", encoding=encoding, title=title, published=published, warnings=warnings
    )
