"""Decode Chinese web pages: declared charsets lie, so the bytes decide.

Rules (shared with the crawler's listings): UTF-8 when the bytes are valid UTF-8;
otherwise the candidates (declared, GB18030 superset of GBK/GB2312, Big5-HKSCS) are
decoded strictly and scored by how many report words they produce.  Never cp1252.
A stray byte must not make a good report unreadable: UTF-16 pages are recognised, and
when no candidate decodes every byte the page is decoded line by line (a page mixing
UTF-8 and GB18030 keeps both) with the damage reported as a warning.
"""

from __future__ import annotations

import re
from collections import Counter

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "utf8": "utf-8",
}
# characters frequent in these reports, simplified and traditional
_HINTS = "政府信息公开開申请請年度报報告数數量總总计計的是和在"


_HINT_RE = re.compile(f"[{_HINTS}]")
_BELIEVED = 40  # hint characters that make a declared encoding believable


def _score(text: str, limit: int = 40000) -> int:
    return len(_HINT_RE.findall(text, 0, limit))


def declared_charset(head: bytes, header: str | None = None) -> str | None:
    m = _META.search(head[:4096])
    name = (m.group(1).decode("ascii", "ignore") if m else None) or None
    if header:
        # a Content-Type header, or a bare charset name (the archive's manifest keeps that)
        h = re.search(r"charset=([\w\-]+)", header, re.I) or re.fullmatch(r"\s*([\w\-]+)\s*", header)
        name = name or (h.group(1) if h else None)
    if not name:
        return None
    name = name.lower()
    return _ALIASES.get(name, name)


def decode_html(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    text, encoding, _ = decode_tolerant(data, header_charset)
    return text, encoding


def utf16_encoding(data: bytes) -> str | None:
    """utf-16(-le/-be) when the bytes are UTF-16 text (BOM, or NULs in every other byte)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    sample = data[:4096]
    if len(sample) >= 16:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) * 0.3 and even < len(sample) * 0.02:
            return "utf-16-le"
        if even > len(sample) * 0.3 and odd < len(sample) * 0.02:
            return "utf-16-be"
    return None


_HAS_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_CHARS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0x7F])
# In UTF-8, GB18030 and Big5 a byte below 0x20 or 0x7F is always that character, never part
# of another: no such byte in the file, no control character in its text.
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 0x7F])


def _by_line(data: bytes, preferred: str) -> tuple[str, Counter]:
    """Decode line by line (UTF-8, else the preferred GB/Big5 codec, else with U+FFFD)."""
    used: Counter = Counter()
    parts = []
    for line in data.splitlines(keepends=True):
        for enc in ("utf-8", preferred):
            try:
                parts.append(line.decode(enc))
                if max(line, default=0) >= 0x80:  # ASCII lines say nothing about the encoding
                    used[enc] += 1
                break
            except UnicodeDecodeError:
                continue
        else:
            parts.append(line.decode(preferred, "replace"))
            used["replaced"] += 1
    return "".join(parts), used


def decode_tolerant(data: bytes, header_charset: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings): strict decoding first; stray bytes (a NUL, a 0xFF, lines in
    another encoding) are decoded line by line and reported rather than failing the document.
    Whenever there are warnings, `text` differs from a plain decoding of `data` by `encoding`."""
    warnings: list[str] = []
    wide = utf16_encoding(data)
    if wide:
        text = data.decode(wide, "replace").lstrip("\ufeff")
        return _strip_controls(text, warnings), "utf-16", warnings
    text, encoding = _decode_strict(data, header_charset)
    if text is None:
        preferred = encoding if encoding in ("gb18030", "big5hkscs") else "gb18030"
        text, used = _by_line(data, preferred)
        encoding = "utf-8" if used["utf-8"] > used[preferred] else preferred
        if used["utf-8"] and used[preferred]:
            warnings.append(
                f"mixed encodings: {used['utf-8']} lines read as UTF-8, {used[preferred]} as {preferred}"
            )
        if used["replaced"]:
            warnings.append(
                f"{used['replaced']} lines held bytes that are not text in any encoding (replaced by �)"
            )
    if len(data.translate(None, _CONTROL_BYTES)) == len(data):
        return text, encoding, warnings  # no control byte, so no control character (fast check)
    return _strip_controls(text, warnings), encoding, warnings


def _strip_controls(text: str, warnings: list[str]) -> str:
    if not _HAS_CONTROL.search(text):
        return text
    cleaned = text.translate(_CONTROL_CHARS)
    if len(cleaned) != len(text):
        warnings.append(f"{len(text) - len(cleaned)} control characters (NUL …) removed")
    return cleaned


def _decode_strict(data: bytes, header_charset: str | None) -> tuple[str | None, str]:
    """(text, encoding), or (None, best guess) when no candidate decodes every byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data, header_charset)
    candidates = [c for c in (declared, "gb18030", "big5hkscs") if c and c not in ("utf-8", "ascii")]
    best: tuple[int, str, str] | None = None
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _score(text, 8000) if enc == declared else 0  # the head usually suffices
        if score < _BELIEVED:
            score = _score(text)
        if enc == declared and score >= _BELIEVED:
            return text, enc  # the declaration decodes cleanly into report text: believe it
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None:
        return None, declared if declared in ("gb18030", "big5hkscs") else "gb18030"
    return best[1], best[2]
