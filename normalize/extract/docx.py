"""DOCX → Document, reading word/document.xml directly.

Why not python-docx's `row.cells`: it repeats merged cells, so a value would count
twice.  Here gridSpan and vMerge become explicit span copies.  Guards: the archive's
declared sizes are checked before reading (zip bombs) and any DTD/entity declaration
is refused (XXE), with a bounded read either way.
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

from ..document import Cell, Document, Grid, Paragraph
from .errors import ExtractError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_XML_BYTES = 64 * 1024 * 1024
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


def _grid(tbl) -> Grid:
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
            row.extend(cells)
            col += span
        rows.append(row)
    return Grid(rows)


def read_docx(data: bytes) -> Document:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractError("bad_docx", f"not a valid DOCX (zip) file: {exc}") from exc
    try:
        info = zf.getinfo("word/document.xml")
    except KeyError as exc:
        raise ExtractError("bad_docx", "the archive has no word/document.xml: not a Word document") from exc
    if info.file_size > MAX_XML_BYTES or (info.compress_size and info.file_size / info.compress_size > MAX_RATIO
                                          and info.file_size > 1024 * 1024):
        raise ExtractError("zip_bomb", f"word/document.xml expands to {info.file_size} bytes "
                           f"from {info.compress_size}: refused as a zip bomb")
    with zf.open(info) as fh:
        xml = fh.read(MAX_XML_BYTES + 1)
    if len(xml) > MAX_XML_BYTES:
        raise ExtractError("zip_bomb", "word/document.xml is larger than declared: refused")
    head = xml[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in xml.upper():
        raise ExtractError("xml_entity", "word/document.xml declares a DTD or entities "
                           "(possible external-entity attack): refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError("bad_docx", f"word/document.xml is not well-formed: {exc}") from exc
    body = root.find(W + "body")
    if body is None:
        raise ExtractError("bad_docx", "word/document.xml has no body")
    blocks: list = []

    def walk(parent) -> None:
        for el in parent.iterchildren():
            if el.tag == W + "p":
                text = _text(el)
                if text:
                    blocks.extend(Paragraph(line.strip()) for line in text.split("\n") if line.strip())
            elif el.tag == W + "tbl":
                blocks.append(_grid(el))
            elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"):
                walk(el)

    walk(body)
    return Document(blocks=blocks, format="docx")
