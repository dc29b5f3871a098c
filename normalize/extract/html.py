"""HTML pages as published on portals → Document.

Portal chrome (navigation, 无障碍 bars, share buttons, footers, scripts) is dropped;
Word-exported markup is flattened; tables become Grids with rowspan/colspan expanded
(copies marked); a table that holds other tables is layout and is walked through.
"""
from __future__ import annotations

import re

import lxml.html
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
    return _WS.sub(" ", text).strip()


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
    for el in cell.iter("br", "p", "div"):
        el.tail = " " + (el.tail or "")
    return _clean("".join(cell.itertext()))


def _int(value: str | None) -> int:
    try:
        return int(re.sub(r"\D", "", value or "") or 1)
    except ValueError:
        return 1


def _table_to_grid(table) -> Grid:
    rows = []
    for tr in table.iter("tr"):
        if tr.getparent() is not None and tr.xpath("ancestor::table[1]")[0] is not table:
            continue
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            cells.append((_cell_text(td), _int(td.get("rowspan")), _int(td.get("colspan"))))
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
    """The report's container when the CMS marks it; the whole body otherwise."""
    best = None
    for el in body.iter("div", "td", "article", "section"):
        attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if attrs and _CONTENT_HINT.search(attrs):
            text = el.text_content()
            if "本年新收" in text or "主动公开" in text or "政府信息公开" in text:
                if best is None or len(text) < len(best.text_content()):
                    best = el  # the innermost container still holding the report
    return best if best is not None else body


def read_html(data: bytes, header_charset: str | None = None) -> Document:
    text, encoding = decode_html(data, header_charset)
    if not text.strip():
        raise ExtractError("empty", "the HTML file is empty")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError("bad_html", f"cannot parse HTML: {exc}") from exc
    title = _meta(root, "ArticleTitle", "og:title", "title")
    if not title:
        t = root.find(".//title")
        title = _clean(t.text_content()) if t is not None else None
    published = _meta(root, "PubDate", "pubdate", "publishdate", "firstpublishedtime")
    for el in list(root.iter(*_DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in [e for e in root.iter() if isinstance(e.tag, str) and e.tag not in ("html", "body") and _is_chrome(e)]:
        if el.getparent() is not None and not el.xpath(".//table"):
            el.drop_tree()
    body = root.find("body")
    container = _content_root(body if body is not None else root)
    walker = _Walker()
    walker.walk(container)
    walker.flush()
    doc = Document(blocks=walker.blocks, format="html", encoding=encoding, title=title, published=published)
    return doc
