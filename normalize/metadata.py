"""Report metadata: agency, year reported on, publication date, sections' text."""

from __future__ import annotations

import datetime as dt
import re

from .locate import Hit
from .templates import TEMPLATE
from .textnorm import norm

_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*"
    r"(?:政\s*府\s*信\s*息\s*公\s*开|政\s*务\s*公\s*开|信\s*息\s*公\s*开)"
    r"[^\n。]{0,12}?\s*(?:[^\n。]{0,6}?)(?:年\s*度)?\s*报\s*告"
)
_PERIOD = re.compile(r"统计期限?[^\n。]{0,6}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_LABEL_PREFIX = re.compile(r"^(?:标题|题目|名称)\s*[:：]\s*")
_ENDINGS = sorted(TEMPLATE["agency_endings"], key=len, reverse=True)
_GOV = sorted(TEMPLATE["government_suffixes"].items(), key=lambda kv: len(kv[0]), reverse=True)


def _is_agency(name: str) -> bool:
    return any(name.endswith(e) for e in _ENDINGS)


def _as_agency(name: str) -> str | None:
    """A printed name as the issuing body: agencies as printed, bare places → their government."""
    name = re.sub(r"[\s“”\"《》]", "", name).strip("：:，,。")
    name = re.sub(r"^.*?(?:当前位置|首页)\S*?\s*", "", name)
    if not (2 <= len(name) <= 40) or re.search(r"[，。；！？、]", name):
        return None
    if _is_agency(name):
        return name
    for place, suffix in _GOV:
        if name.endswith(place):
            return name + suffix
    return None


def find_title(text: str, meta_title: str | None) -> tuple[str | None, int | None]:
    """(agency from the title, year from the title)."""
    for source in filter(None, [meta_title, text[:3000]]):
        src = norm(source)
        for m in _TITLE.finditer(src):
            line_start = src.rfind("\n", 0, m.start()) + 1
            pre = _LABEL_PREFIX.sub("", src[max(line_start, m.start() - 60) : m.start()]).strip()
            above = _LABEL_PREFIX.sub("", src[:line_start].rstrip().rsplit("\n", 1)[-1]).strip()
            if not pre:  # agency printed on the line above the title
                pre = above
            elif above and _is_place(above) and len(above) <= 12:  # "淄博市" / "应急管理局2019年…"
                pre = above + pre
            return (_as_agency(pre) if pre else None), int(m["year"])
    return None, None


def _is_place(name: str) -> bool:
    return any(name.endswith(place) for place, _ in _GOV)


_OPENING = [re.compile(p) for p in TEMPLATE["agency_in_opening"]]
_NOT_A_NAME = re.compile(r"^(?:各|全|我|本|该|市直|区直|县直|有关|相关|上级|省级|市级|县级)")


def find_opening(text: str) -> str | None:
    """The agency named in the opening sentences ("2019年，XX市科委坚持…", "现将XX局…")."""
    head = norm(text[:2500])
    for rx in _OPENING:
        for m in rx.finditer(head):
            name = m.group("name")
            if _NOT_A_NAME.match(name):
                continue
            agency = _as_agency(name)
            if agency and agency == re.sub(r"[\s“”\"《》]", "", name):
                return agency
    return None


def _expands(short: str, full: str) -> bool:
    """True when `full` is the long form of `short` (淄博市应急局 → 淄博市应急管理局)."""
    if len(full) <= len(short) or short[0] != full[0] or short[-1] != full[-1]:
        return False
    chars = iter(full)
    return all(ch in chars for ch in short)


def choose_agency(title: str | None, signature: str | None, opening: str | None) -> str | None:
    """Title, then signature, then opening sentence; a title abbreviation yields to its long form."""
    if title and signature and _expands(title, signature):
        return signature
    return title or signature or opening


def find_year(text: str, title_year: int | None) -> int | None:
    if title_year:
        return title_year
    m = _PERIOD.search(norm(text))
    return int(m.group(1)) if m else None


def find_signature(text: str) -> tuple[str | None, dt.date | None]:
    """The agency and date printed at the end ("淄博市应急管理局 / 2020年1月16日")."""
    lines = [ln.strip() for ln in norm(text[-600:]).strip().split("\n") if ln.strip()][-6:]
    for i in range(len(lines) - 1, 0, -1):
        m = _DATE.fullmatch(lines[i])
        if m:
            agency = _as_agency(lines[i - 1])
            return agency, _date(m)
    return None, None


def _date(m: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    m = _DATE.search(norm(text))
    return _date(m) if m else None


def find_published(text: str, meta: str | None) -> dt.date | None:
    if meta:
        return parse_date(meta)
    m = re.search(r"(?:发布时间|发布日期|时间|日期)\s*[:：]\s*([^\n]{6,24})", norm(text[:3000]))
    return parse_date(m.group(1)) if m else None


def sections_text(text: str, hits: list[Hit], cut: list[tuple[int, int]]) -> list[tuple[int, str, str]]:
    """(section, heading as printed, text without tables) for each heading found."""
    out = []
    ordered = sorted(hits, key=lambda h: h.start)
    for i, h in enumerate(ordered):
        end = ordered[i + 1].start if i + 1 < len(ordered) else len(text)
        pieces, pos = [], h.end
        for a, b in sorted(cut):
            if b <= pos or a >= end:
                continue
            pieces.append(text[pos : max(pos, a)])
            pos = max(pos, b)
        pieces.append(text[pos:end])
        body = "".join(pieces).replace("\x1e", " ").replace("\x1f", " ")
        body = "\n".join(ln.strip() for ln in body.split("\n") if ln.strip())
        out.append((int(h.key), text[h.start : h.end].strip(), body))
    return out


def prose_text(text: str, cut: list[tuple[int, int]]) -> str:
    """The report's text without its tables (where headline figures are stated)."""
    pieces, pos = [], 0
    for a, b in sorted(cut):
        if b <= pos:
            continue
        pieces.append(text[pos : max(pos, a)])
        pos = max(pos, b)
    pieces.append(text[pos:])
    return "".join(pieces)
