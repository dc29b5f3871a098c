"""Decode Chinese web pages: declared charsets lie, so the bytes decide.

Rules (shared with the crawler's listings): UTF-8 when the bytes are valid UTF-8;
otherwise the candidates (declared, GB18030 superset of GBK/GB2312, Big5-HKSCS) are
decoded strictly and scored by how many report words they produce.  Never cp1252.
"""
from __future__ import annotations

import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "big5": "big5hkscs", "x-big5": "big5hkscs", "utf8": "utf-8"}
# characters frequent in these reports, simplified and traditional
_HINTS = "政府信息公开開申请請年度报報告数數量總总计計的是和在"


def _score(text: str) -> int:
    sample = text[:40000]
    return sum(sample.count(ch) for ch in _HINTS)


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
        score = _score(text)
        if enc == declared and score >= 40:
            return text, enc  # the declaration decodes cleanly into report text: believe it
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None:
        return data.decode("gb18030", "replace"), "gb18030"
    return best[1], best[2]
