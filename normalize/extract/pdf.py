"""PDF with a text layer → Document: tables from cell geometry, other text as lines.

pypdfium2 gives character boxes and the page's drawn lines ~25× faster than pdfplumber.
Pages with ruling lines are read as tables (pdf_grid: blank cells stay cells, wrapped
labels join, a table continued on the next page is joined, a row cut by the page break
is re-joined); text outside tables and pages without ruling lines keep the reading-order
text path.  Page footers ("— 3 —", "第3页 共5页") and a running header repeated at the
top of every page are dropped.  No text on pages that carry images means a scan:
`needs_ocr` (see `page_needs_ocr`, the hook for an OCR reader).

Hostile files are bounded before the expensive step: streams that inflate past a cap,
too many pages, or too many objects on a page fail with a clear error.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from ..document import Cell, Document, Grid, Paragraph
from . import pdf_grid
from .errors import ExtractError

_FOOTER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|"
    r"\d{1,3}\s*/\s*\d{1,3})\s*$"
)
MAX_PAGES = 400
MAX_OBJECTS_PER_PAGE = 100_000  # page objects, inside forms too (a dense real page has ~2,000)
MAX_STREAM_BYTES = 2 * 1024 * 1024  # one inflated drawing stream (real pages: under 60 kB)
MAX_CONTENT_BYTES = 64 * 1024 * 1024  # all inflated drawing streams of the file
MAX_CHARS_PER_PAGE = 200_000
_HEADER_LEN = 40  # a running header/footer is a short line


@dataclass
class _Page:
    """One page's blocks in reading order (lines and tables), before noise is dropped."""

    blocks: list[str | pdf_grid.Table] = field(default_factory=list)
    chars: int = 0


# --- bounds ---------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n")
_SKIP_STREAM = re.compile(
    rb"/Subtype\s*/Image|/FontFile|/Length[123]\b|/Type\s*/(?:XRef|ObjStm|EmbeddedFile)"
    rb"|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType|XML)"
)


def check_content_size(data: bytes) -> None:
    """Fail before pdfium builds anything when drawing streams inflate past the caps.

    A 61 kB page can draw 20 M characters; pdfium's text page then takes ~6 GB.  Every
    character costs at least a byte of (inflated) content, so capping content caps work.
    Images, fonts and embedded files are skipped: they do not become characters.
    """
    total = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        head = data[max(0, m.start() - 2048) : m.start()]
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        if _SKIP_STREAM.search(head):
            continue
        end = data.find(b"endstream", start)
        raw = data[start : end if end >= 0 else len(data)]
        if b"FlateDecode" in head or b"/Fl " in head or b"/Fl]" in head:
            try:
                size = len(zlib.decompressobj().decompress(raw, MAX_STREAM_BYTES + 1))
            except zlib.error:
                continue  # pdfium reports damaged streams itself
        else:
            size = len(raw)
        if size > MAX_STREAM_BYTES:
            raise ExtractError(
                "too_large",
                f"a drawing stream inflates past {MAX_STREAM_BYTES // 2**20} MB "
                "(a decompression bomb or a page no report has); not read",
            )
        total += size
        if total > MAX_CONTENT_BYTES:
            raise ExtractError(
                "too_large",
                f"the pages' drawing streams inflate past {MAX_CONTENT_BYTES // 2**20} MB in total; not read",
            )


def _count_objects(page, pdfium_c) -> int:
    n = pdfium_c.FPDFPage_CountObjects(page.raw)
    for i in range(n):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM:
            n += pdfium_c.FPDFFormObj_CountObjects(obj)
        if n > MAX_OBJECTS_PER_PAGE:
            break
    return n


# --- pages ----------------------------------------------------------------------------------


def page_needs_ocr(page, printed_chars: int, pdfium_c) -> bool:
    """A page with (almost) no text layer but an image on it is a scan that OCR must read."""
    if printed_chars >= 5:
        return False
    return any(
        pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page.raw, i)) == pdfium_c.FPDF_PAGEOBJ_IMAGE
        for i in range(pdfium_c.FPDFPage_CountObjects(page.raw))
    )


def _text_path(textpage) -> list[str]:
    """Reading-order lines from pdfium (pages without ruling lines)."""
    text = textpage.get_text_range()
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def _read_page(page, pdfium_c, number: int) -> tuple[_Page, bool]:
    """One page → its blocks; True when the page is a scan (no text, an image)."""
    if _count_objects(page, pdfium_c) > MAX_OBJECTS_PER_PAGE:
        raise ExtractError(
            "too_large", f"page {number} draws more than {MAX_OBJECTS_PER_PAGE} objects; not read"
        )
    textpage = page.get_textpage()
    try:
        if pdfium_c.FPDFText_CountChars(textpage.raw) > MAX_CHARS_PER_PAGE:
            raise ExtractError(
                "too_large", f"page {number} shows more than {MAX_CHARS_PER_PAGE} characters; not read"
            )
        chars = pdf_grid.page_chars(textpage, pdfium_c)
        out = _Page(chars=len(chars))
        if len(chars) < 5:
            return out, page_needs_ocr(page, len(chars), pdfium_c)
        hs, vs = pdf_grid.page_rules(page, pdfium_c, MAX_OBJECTS_PER_PAGE)
        tables, rest = pdf_grid.page_tables(hs, vs, chars) if hs and vs else ([], chars)
        if not tables:
            out.blocks = list(_text_path(textpage))
            return out, False
        lines = pdf_grid.text_lines(rest)
        items: list[tuple[float, str | pdf_grid.Table]] = [(max(c.y1 for c in cs), t) for t, cs in lines]
        items += [(t.top, t) for t in tables]
        items.sort(key=lambda it: -it[0])
        out.blocks = [b for _, b in items]
        return out, False
    finally:
        textpage.close()


def _drop_noise(pages: list[_Page]) -> None:
    """Page numbers anywhere; a short line opening or closing several pages (running header)."""
    for p in pages:
        p.blocks = [b for b in p.blocks if not (isinstance(b, str) and _FOOTER.match(b))]
    for edge in (0, -1):
        seen: dict[str, int] = {}
        for p in pages:
            if p.blocks and isinstance(p.blocks[edge], str) and len(p.blocks[edge]) <= _HEADER_LEN:
                seen[p.blocks[edge]] = seen.get(p.blocks[edge], 0) + 1
        for i, p in enumerate(pages):
            b = p.blocks[edge] if p.blocks else None
            if i > 0 and isinstance(b, str) and seen.get(b, 0) >= 2:
                p.blocks.pop(edge)


def _grid(table: pdf_grid.Table) -> Grid:
    return Grid([[Cell(c.text, c.copy) for c in row] for row in table.rows])


def _assemble(pages: list[_Page]) -> list[Paragraph | Grid]:
    """Blocks in order; a table that ends a page and one that opens the next are joined."""
    blocks: list[str | pdf_grid.Table] = []
    for p in pages:
        for k, b in enumerate(p.blocks):
            prev = blocks[-1] if blocks else None
            if (
                k == 0
                and isinstance(b, pdf_grid.Table)
                and isinstance(prev, pdf_grid.Table)
                and pdf_grid.continues(prev, b)
            ):
                blocks[-1] = pdf_grid.join(prev, b)
            else:
                blocks.append(b)
    return [Paragraph(b) if isinstance(b, str) else _grid(b) for b in blocks]


def read_pdf(data: bytes) -> Document:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    check_content_size(data)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg or "security" in msg:
            raise ExtractError("encrypted", "the PDF is encrypted (password required)") from exc
        raise ExtractError("bad_pdf", f"cannot open PDF (truncated or damaged): {exc}") from exc
    try:
        n = len(pdf)
        if n == 0:
            raise ExtractError("bad_pdf", "the PDF has no pages (truncated or damaged)")
        if n > MAX_PAGES:
            raise ExtractError(
                "too_large", f"the PDF has {n} pages; reports have far fewer and the limit is {MAX_PAGES}"
            )
        pages: list[_Page] = []
        scanned: list[int] = []  # pages that are images (no text layer, or a caption on a scan): OCR
        for i in range(n):
            try:
                page = pdf[i]
            except pdfium.PdfiumError as exc:
                raise ExtractError("bad_pdf", f"page {i + 1} is damaged and cannot be read") from exc
            try:
                got, is_scan = _read_page(page, pdfium_c, i + 1)
                if is_scan or _scanned(page, got.chars):
                    scanned.append(i)
            except pdfium.PdfiumError as exc:
                raise ExtractError("bad_pdf", f"the text of page {i + 1} cannot be read (damaged)") from exc
            finally:
                page.close()
            pages.append(got)
        chars = sum(p.chars for p in pages)
        ocr, ocr_note = _ocr(pdf, scanned, chars)
    finally:
        pdf.close()
    if chars < 20 and not ocr:
        if scanned:
            raise ExtractError("needs_ocr", "image-only PDF (scanned 图片版): no text layer, needs OCR")
        raise ExtractError("no_text", "the PDF has no extractable text")
    _drop_noise(pages)
    blocks: list[Paragraph | Grid] = []
    run: list[_Page] = []  # consecutive text pages: their tables may continue across pages
    for i, p in enumerate(pages):
        if i in ocr:
            blocks += _assemble(run) + ocr[i]
            run = []
        else:
            run.append(p)
    blocks += _assemble(run)
    doc = Document(blocks=blocks, format="pdf", ocr_pages=[i + 1 for i in sorted(ocr)])
    if ocr_note:
        doc.warnings.append(ocr_note)
    return doc


def _scanned(page, chars: int) -> bool:
    """An image page: images and no text besides a page number, or a caption on a large image."""
    if chars >= 200:
        return False
    boxes = [obj.get_bounds() for obj in page.get_objects(max_depth=1) if obj.type == 3]  # FPDF_PAGEOBJ_IMAGE
    if not boxes or chars < 5:
        return bool(boxes)
    w, h = page.get_size()
    return sum((r - left) * (t - b) for left, b, r, t in boxes) >= 0.3 * w * h


def _ocr(pdf, scanned: list[int], chars: int) -> tuple[dict[int, list], str | None]:
    """OCR'd blocks of the image-only pages, and a note on pages left unread.

    needs_ocr (naming the extra to install) when images are all there is and OCR is missing.
    """
    from . import ocr

    if not scanned:
        return {}, None
    why = ocr.missing()
    if why is not None and chars < 20:
        raise ExtractError("needs_ocr", f"image-only PDF (scanned 图片版): no text layer; {why}")
    blocks = ocr.ocr_pdf_pages(pdf, scanned[: ocr.MAX_PAGES]) if why is None else {}
    unread = [i + 1 for i in scanned if i not in blocks]
    if not unread:
        return blocks, None
    return blocks, f"pages {','.join(map(str, unread))} are images not read by OCR ({why or 'page limit'})"
