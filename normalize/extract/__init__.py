"""One reader per format, all returning the same Document.  Format comes from the bytes.

`extract(data, name)` never returns garbage silently: unreadable input raises
ExtractError with a code (needs_ocr, encrypted, bad_pdf, zip_bomb, …) and a message.
"""
from __future__ import annotations

import re
import zipfile
import io

from ..document import Document
from .errors import ExtractError
from .html import read_html
from .docx import read_docx
from .pdf import read_pdf
from .office import read_legacy_word
from .ocr import read_image
from .text import read_text

__all__ = ["ExtractError", "extract", "sniff"]

MAX_BYTES = 200 * 1024 * 1024
_CONTROLS = bytes(range(0, 9)) + bytes(range(14, 32))
_HTML_HINT = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|div|meta|p)[\s>/]", re.I)


def _is_text(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if controls > len(sample) * 0.01:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            sample.decode(enc)
            return True
        except UnicodeDecodeError as exc:
            if exc.start > len(sample) - 4:  # cut in the middle of a character
                return True
    try:
        sample.decode("big5hkscs")
        return True
    except UnicodeDecodeError:
        return False


def sniff(data: bytes, name: str = "") -> str:
    """html, pdf, docx, doc, wps, txt, image or unknown."""
    head = data[:8]
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if data.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "docx" if ext == "docx" else "unknown"
        return "docx" if "word/document.xml" in names else "unknown"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "wps" if ext == "wps" else "doc"
    if head[:3] == b"\xff\xd8\xff" or head.startswith(b"\x89PNG") or head[:4] in (b"GIF8", b"II*\x00", b"MM\x00*"):
        return "image"
    if not _is_text(data):
        return "unknown"
    if _HTML_HINT.search(data[:8192]):
        return "html"
    return "txt"


def extract(data: bytes, name: str = "", charset: str | None = None, fmt: str | None = None) -> Document:
    """Read `data` (format sniffed from the bytes unless the caller already did)."""
    if not data:
        raise ExtractError("empty", "the file is empty (0 bytes)")
    if len(data) > MAX_BYTES:
        raise ExtractError("too_large", f"{len(data)} bytes is over the {MAX_BYTES}-byte limit")
    fmt = fmt or sniff(data, name)
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
    raise ExtractError("unsupported", f"not a document this tool reads (PDF, DOCX, DOC, WPS, HTML, text)"
                       f"{' although named ' + name if name else ''}")
