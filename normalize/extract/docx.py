"""DOCX → Document, reading word/document.xml directly.

Why not python-docx's `row.cells`: it repeats merged cells, so a value would count
twice.  Here gridSpan and vMerge become explicit span copies.  Guards: the archive's
declared sizes are checked before reading (zip bombs) and any DTD/entity declaration
is refused (XXE) — looked for in the decoded text, so a UTF-16 document.xml cannot
hide one — with a bounded read either way.  Cells are counted as gridSpan expands them,
so 200k spanned cells are refused before they take gigabytes.  Damaged zip data
(bad CRC, truncated deflate streams) is a clear "damaged DOCX" error.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from lxml import etree

from ..document import Cell, Document, Grid, Paragraph
from .encoding import utf16_encoding
from .errors import ExtractError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_XML_BYTES = 32 * 1024 * 1024
MAX_CELLS = 200_000  # expanded table cells per document (the official template has ~300)
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)
MAX_RATIO = 200  # uncompressed / compressed; real documents stay far below


def _text(el) -> str:
    parts: list[str] = []
    for node in el.iter(W + "t", W + "tab", W + "br", W + "cr", W + "p"):
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag == W + "p":
            if parts:
                parts.append("\n")
        else:
            parts.append(" ")
    return "".join(parts).strip()


def _grid(tbl, budget: list[int]) -> Grid:
    """A table as a Grid; `budget` is the count of cells the document may still expand to."""
    rows: list[list[Cell]] = []
    above: dict[int, str] = {}  # column → text of the vMerge origin
    for tr in tbl.iterchildren(W + "tr"):
        row: list[Cell] = []
        col = 0
        for tc in tr.iterchildren(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span = 1
            vmerge = None
            if tcpr is not None:
                gs = tcpr.find(W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, min(int(gs.get(W + "val", "1")), 64))
                    except ValueError:
                        span = 1
                vm = tcpr.find(W + "vMerge")
                if vm is not None:
                    vmerge = vm.get(W + "val", "continue")
            text = " ".join(_text(p) for p in tc.iterchildren(W + "p") if _text(p))
            nested = tc.findall(f".//{W}tbl")
            if nested and not text:
                text = " ".join(_text(t) for t in nested)
            if vmerge == "continue":
                origin = above.get(col, "")
                cells = [Cell(origin, span_copy=True) for _ in range(span)]
            else:
                cells = [Cell(text, span_copy=i > 0) for i in range(span)]
                for i in range(span):
                    above[col + i] = text
            budget[0] -= span
            if budget[0] < 0:
                raise ExtractError(
                    "too_large", f"the tables expand to more than {MAX_CELLS:,} cells: refused"
                )
            row.extend(cells)
            col += span
        rows.append(row)
    return Grid(rows)


def _document_xml(data: bytes) -> bytes:
    """word/document.xml, read under the size and ratio bounds."""
    from . import check_zip_entries

    check_zip_entries(data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise ExtractError(
            "bad_docx", "damaged DOCX: not a readable zip archive (truncated or corrupted)"
        ) from exc
    try:
        info = zf.getinfo("word/document.xml")
    except KeyError as exc:
        raise ExtractError("bad_docx", "the archive has no word/document.xml: not a Word document") from exc
    if info.file_size > MAX_XML_BYTES or (
        info.compress_size
        and info.file_size / info.compress_size > MAX_RATIO
        and info.file_size > 1024 * 1024
    ):
        raise ExtractError(
            "zip_bomb",
            f"word/document.xml expands to {info.file_size} bytes "
            f"from {info.compress_size}: refused as a zip bomb",
        )
    try:
        with zf.open(info) as fh:
            xml = fh.read(MAX_XML_BYTES + 1)
    except _ZIP_ERRORS as exc:
        raise ExtractError(
            "bad_docx",
            "damaged DOCX: word/document.xml cannot be decompressed (bad checksum or truncated data)",
        ) from exc
    if len(xml) > MAX_XML_BYTES:
        raise ExtractError("zip_bomb", "word/document.xml is larger than declared: refused")
    return xml


def _refuse_dtd(xml: bytes) -> None:
    """Refuse DTDs and entity declarations, looking at the text in whatever encoding it is."""
    if xml[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        text = xml.decode("utf-32", "replace")
    else:
        text = xml.decode(utf16_encoding(xml) or "utf-8", "replace")
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise ExtractError(
            "xml_entity",
            "word/document.xml declares a DTD or entities (possible external-entity attack): refused",
        )


def read_docx(data: bytes) -> Document:
    xml = _document_xml(data)
    _refuse_dtd(xml)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError(
            "bad_docx", f"damaged DOCX: word/document.xml is not well-formed XML ({exc})"
        ) from exc
    body = root.find(W + "body")
    if body is None:
        raise ExtractError("bad_docx", "word/document.xml has no body")
    blocks: list = []
    budget = [MAX_CELLS]

    def walk(parent) -> None:
        for el in parent.iterchildren():
            if el.tag == W + "p":
                text = _text(el)
                if text:
                    blocks.extend(Paragraph(line.strip()) for line in text.split("\n") if line.strip())
            elif el.tag == W + "tbl":
                blocks.append(_grid(el, budget))
            elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"):
                walk(el)

    walk(body)
    return Document(blocks=blocks, format="docx")
