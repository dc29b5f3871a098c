"""HTML pages as published on portals → Document.

Portal chrome (navigation, 无障碍 bars, share buttons, footers, scripts) is dropped;
Word-exported markup is flattened; tables become Grids with rowspan/colspan expanded
(copies marked); a table that holds other tables is layout and is walked through.
"""
from __future__ import annotations

import re

from lxml import etree

from ..document import Document, Grid, Paragraph, expand_spans
from .encoding import decode_html
from .errors import ExtractError

_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form",
              "select", "button", "input", "textarea", "object", "embed", "svg", "template")
_CHROME = re.compile(r"(^|[\s_-])(nav|navbar|menu|footer|foot|header|head-top|topbar|breadcrumb|crumb|"
                     r"share|bdshare|wza|barrier|accessib|sidebar|side-bar|related|copyright|search|"
                     r"location|position|print|toolbar|qrcode|ewm)($|[\s_-])", re.I)
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote",
          "pre", "dd", "dt", "ul", "ol", "center", "td", "th", "tr", "body", "main", "font"}
_CONTENT_HINT = re.compile(r"TRS_Editor|article_content|art_content|zoom|Custom_UnionStyle|content|detail|article", re.I)
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


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


_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True,
                           default_doctype=False)  # we decoded already: never re-decode by <meta>


def _meta(root, *names: str) -> str | None:
    for name in names:
        found = root.xpath(f'//meta[@name="{name}" or @property="{name}"]/@content')
        if found and found[0].strip():
            return found[0].strip()
    return None


def _is_chrome(el) -> bool:
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
    return bool(attrs) and _CHROME.search(attrs) is not None


def _cell_text(cell) -> str:
    """Cell text with Word-exported runs joined; line breaks become spaces."""
    if len(cell):
        for el in cell.iter("br", "p", "div"):
            el.tail = " " + (el.tail or "")
        return _clean("".join(cell.itertext()))
    return _clean(cell.text or "")


def _int(value: str | None) -> int:
    if not value:
        return 1
    if value.isdigit():
        return int(value) or 1
    try:
        return int(re.sub(r"\D", "", value or "") or 1)
    except ValueError:
        return 1


def _table_to_grid(table) -> Grid:
    rows = []
    for tr in table.iter("tr"):  # only tables without nested tables get here
        cells = [(_cell_text(td), _int(td.get("rowspan")), _int(td.get("colspan")))
                 for td in tr.iterchildren("td", "th")]
        if cells:
            rows.append(cells)
    return Grid(expand_spans(rows))


class _Walker:
    def __init__(self) -> None:
        self.blocks: list = []
        self.buf: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buf)
        for line in text.split("\n"):
            line = _clean(line)
            if line:
                self.blocks.append(Paragraph(line))
        self.buf = []

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comments, processing instructions
            if el.tail:
                self.buf.append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            grid = _table_to_grid(el)
            if grid.rows:
                self.blocks.append(grid)
        else:
            block = tag in _BLOCK or tag == "br" or tag == "table"
            if block:
                self.buf.append("\n")
            if el.text:
                self.buf.append(el.text)
            for child in el:
                self.walk(child)
            if block:
                self.buf.append("\n")
        if el.tail:
            self.buf.append(el.tail)


def _content_root(body):
    """The report's container when the CMS marks it (TRS_Editor, zoom, …); else the body.

    The innermost marked container that still holds the report's tables wins.
    """
    tables = body.xpath(".//table")
    if not tables:
        return body
    best = None
    for el in body.iter("div", "td", "article", "section"):
        attrs = el.get("class") or el.get("id")
        if attrs and _CONTENT_HINT.search(attrs) and el.find(".//table") is not None:
            held = len(el.xpath(".//table"))
            if held == len(tables) and (best is None or best in el.iterancestors()):
                best = el
    return best if best is not None else body


def read_html(data: bytes, header_charset: str | None = None) -> Document:
    text, encoding = decode_html(data, header_charset)
    if not text.strip():
        raise ExtractError("empty", "the HTML file is empty")
    try:
        raw = data if encoding == "utf-8" and not data.startswith(b"\xef\xbb\xbf") else text.encode("utf-8")
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
    for el in list(root.iter(*_DROP_TAGS)):
        _drop(el)
    for el in root.xpath("//body//*[(@class or @id or @role) and not(ancestor::table)]"):
        if _is_chrome(el) and el.find(".//table") is None:
            _drop(el)
    body = root.find("body")
    container = _content_root(body if body is not None else root)
    walker = _Walker()
    walker.walk(container)
    walker.flush()
    doc = Document(blocks=walker.blocks, format="html", encoding=encoding, title=title, published=published)
    return doc
