"""One reader per format, all returning the same Document.  Format comes from the bytes.

`extract(data, name)` never returns garbage silently: unreadable input raises
ExtractError with a code (needs_ocr, encrypted, bad_pdf, zip_bomb, …) and a message a
reader of the `error` column understands ("damaged PDF", not a library's exception).
Hostile input is bounded before work: file size (per format), then the finished
Document (cells, characters, line length), so no file can make the mapper run for
minutes.  The per-file time and memory limits of a run are in ogi/workers.py.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..document import Document, Paragraph
from .docx import read_docx
from .encoding import utf16_encoding
from .errors import ExtractError, damaged
from .html import read_html
from .ocr import read_image
from .office import read_legacy_word
from .pdf import read_pdf
from .text import read_text

__all__ = ["ExtractError", "extract", "sniff"]

MAX_BYTES = 100 * 1024 * 1024  # any file (PDFs with page images are the largest real reports)
MAX_TEXT_BYTES = 16 * 1024 * 1024  # HTML and text: a real report page is well under 2 MB
MAX_CHARS = 2_000_000  # characters in a whole Document (real reports: 10–100 thousand)
MAX_LINE = 200_000  # characters in one line or cell (page dumps put a whole report on one line); longer: cut
MAX_CELLS = 200_000  # table cells in a whole Document, after spans are expanded
_CONTROLS = bytes(range(0, 9)) + bytes(range(14, 32))
_HTML_HINT = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|div|meta|p)[\s>/]", re.I)


def _is_text(data: bytes) -> bool:
    """Text in some encoding, allowing a few stray bytes (a NUL, a 0xFF, a line in another codec)."""
    if utf16_encoding(data):
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if controls > len(sample) * 0.01:
        return False
    for enc in ("utf-8", "gb18030", "big5hkscs"):
        try:
            sample.decode(enc)
            return True
        except UnicodeDecodeError as exc:
            if exc.start > len(sample) - 4:  # cut in the middle of a character
                return True
    lines = sample.splitlines() or [sample]
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += line.decode("gb18030", "replace").count("\ufffd")
    return bad <= max(2, len(sample) // 500)  # stray bytes, not binary data


def sniff(data: bytes, name: str = "") -> str:
    """html, pdf, docx, doc, wps, txt, image or unknown."""
    head = data[:8]
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if data.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            check_zip_entries(data)
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except Exception:  # noqa: BLE001 - damaged or hostile: the DOCX reader says which
            return "docx" if ext == "docx" or b"word/document.xml" in data[:65536] else "unknown"
        return "docx" if "word/document.xml" in names else "unknown"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "wps" if ext == "wps" else "doc"
    if (
        head[:3] == b"\xff\xd8\xff"
        or head.startswith(b"\x89PNG")
        or head[:4] in (b"GIF8", b"II*\x00", b"MM\x00*")
    ):
        return "image"
    if not _is_text(data):
        return "unknown"
    wide = utf16_encoding(data)
    head = data[:16384].decode(wide, "ignore").encode("utf-8") if wide else data[:8192]
    if _HTML_HINT.search(head):
        return "html"
    return "txt"


def extract(data: bytes, name: str = "", charset: str | None = None, fmt: str | None = None) -> Document:
    """Read `data` (format sniffed from the bytes unless the caller already did)."""
    if not data:
        raise ExtractError("empty", "the file is empty (0 bytes)")
    if len(data) > MAX_BYTES:
        raise ExtractError("too_large", f"the file is {len(data):,} bytes, over the limit of {MAX_BYTES:,}")
    fmt = fmt or sniff(data, name)
    if fmt in ("html", "txt") and len(data) > MAX_TEXT_BYTES:
        raise ExtractError(
            "too_large",
            f"the {fmt.upper()} file is {len(data):,} bytes, over the limit of {MAX_TEXT_BYTES:,} for pages",
        )
    try:
        doc = _read(data, name, charset, fmt)
    except (ExtractError, MemoryError):
        raise
    except Exception as exc:  # a library choking on damaged bytes: say so plainly
        raise damaged(fmt, exc) from exc
    return bound_document(doc)


def bound_document(doc: Document) -> Document:
    """Refuse documents too large to map in bounded time; cut absurdly long lines (with a warning)."""
    grids = doc.grids()
    cells = sum(len(row) for g in grids for row in g.rows)
    if cells > MAX_CELLS:
        raise ExtractError("too_large", f"the tables hold {cells:,} cells, over the limit of {MAX_CELLS:,}")
    chars = cut = 0
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            if len(block.text) > MAX_LINE:
                block.text, cut = block.text[:MAX_LINE], cut + 1
            chars += len(block.text)
            continue
        for row in block.rows:
            lengths = [len(cell[0]) for cell in row]
            if lengths and max(lengths) > MAX_LINE:
                for i, cell in enumerate(row):
                    if len(cell.text) > MAX_LINE:
                        row[i], cut = cell._replace(text=cell.text[:MAX_LINE]), cut + 1
                lengths = [len(cell[0]) for cell in row]
            chars += sum(lengths)
    if chars > MAX_CHARS:
        raise ExtractError(
            "too_large", f"the document holds {chars:,} characters of text, over the limit of {MAX_CHARS:,}"
        )
    if cut:
        doc.warnings.append(f"{cut} lines or cells longer than {MAX_LINE:,} characters were cut")
    return doc


def check_zip_entries(data: bytes, limit: int = 10_000) -> None:
    """Refuse a zip whose central directory lists absurdly many entries, before parsing it."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65558))
    if end >= 0 and len(data) >= end + 12:
        entries = int.from_bytes(data[end + 10 : end + 12], "little")
        if entries > limit and entries != 0xFFFF:
            raise ExtractError("zip_bomb", f"the archive lists {entries:,} files (limit {limit:,}): refused")


def _read(data: bytes, name: str, charset: str | None, fmt: str) -> Document:
    if fmt == "pdf":
        return read_pdf(data)
    if fmt == "docx":
        return read_docx(data)
    if fmt in ("doc", "wps"):
        return read_legacy_word(data, fmt)
    if fmt == "html":
        return read_html(data, charset)
    if fmt == "txt":
        return read_text(data)
    if fmt == "image":
        return read_image(data)
    raise ExtractError(
        "unsupported",
        f"not a document this tool reads (PDF, DOCX, DOC, WPS, HTML, text)"
        f"{' although named ' + name if name else ''}",
    )
