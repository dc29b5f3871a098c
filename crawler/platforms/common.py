"""What every listing parser shares: report links found by title, with their dates.

Also the pieces API-backed families share: JSON records → entries (title, URL, date,
attachment URLs), tolerant date parsing, and reading values out of page scripts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urljoin

from lxml import etree

from crawler.titles import report_year

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COMPACT_DATE = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})")
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
CHINA = dt.timezone(dt.timedelta(hours=8))  # epoch dates are days in China
MAX_PAGES = 500  # a hostile or broken pager never plans more listing pages than this


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    date: str | None
    year: int
    files: tuple[str, ...] = ()  # attachments an API lists beside the article (files[], attachment[])


@dataclass(frozen=True)
class PageRequest:
    """Another listing page: a GET, or a POST with form data (Hanweb's dataproxy, TRS search).

    `fallback` is asked for instead when this one fails (a site without that endpoint).
    """

    url: str
    formdata: tuple[tuple[str, str], ...] | None = None
    fallback: tuple["PageRequest", ...] = ()


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    pages: list[PageRequest] = field(default_factory=list)
    platform: str = ""


def parse_html(html: str):
    return etree.fromstring(html.encode("utf-8"), _PARSER) if html.strip() else None


def norm_date(value: Any) -> str | None:
    """A listing date as YYYY-MM-DD from '2026.03.05 14:48:00', '2024年1月2日', epoch s/ms, 20240102."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (
        isinstance(value, str) and value.strip().isdigit() and len(value.strip()) >= 10
    ):
        n = float(value)
        if n > 1e11:
            n /= 1000  # milliseconds
        try:
            return dt.datetime.fromtimestamp(n, CHINA).date().isoformat() if n > 0 else None
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value)
    m = _DATE.search(text) or _COMPACT_DATE.search(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _context_date(a, title: str) -> str | None:
    """The date printed beside a link: in its cell, else in a sibling cell of its row.

    Climbs from the link while the ancestor still holds no other link, so a date of the
    next item in a list is never taken.
    """
    node = a.getparent()
    for _ in range(4):
        if node is None:
            return None
        if sum(1 for x in node.iter("a") if x.get("href")) > 1:
            return None
        text = " ".join("".join(node.itertext()).split()).replace(title, " ")
        date = norm_date(text) if _DATE.search(text) else None
        if date:
            return date
        node = node.getparent()
    return None


def link_entries(root, base_url: str) -> list[Entry]:
    """Every <a> whose title reads as an annual report, with a date printed beside it."""
    if root is None:
        return []
    out, seen = [], set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = (a.get("title") or "").strip() or " ".join("".join(a.itertext()).split())
        year = report_year(title)
        if year is None:
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        out.append(Entry(url=url, title=title, date=_context_date(a, title), year=year))
    return out


def merge_entries(*groups: Iterable[Entry]) -> list[Entry]:
    """Entries of several sources of one page, each URL once (the first wins)."""
    out, seen = [], set()
    for group in groups:
        for e in group:
            if e.url not in seen:
                seen.add(e.url)
                out.append(e)
    return out


# -- JSON records (APIs and lists embedded in pages) ------------------------------------------

TITLE_KEYS = ("doctitle", "title", "name", "subject")
URL_KEYS = ("docpuburl", "url", "post_url", "chnldocurl", "href", "link")
DATE_KEYS = ("docreltime", "pubdate", "date", "publish_time", "created_at", "fbrq", "time")
FILE_KEYS = ("files", "attachment", "attachments", "appendix", "fjlist")
FILE_URL_KEYS = ("_href", "url", "href", "_src", "appfile", "path", "filepath", "src")


def pick(record: dict, keys: Iterable[str]) -> Any:
    """The first non-empty value among keys, compared case-insensitively (APIs differ in case)."""
    lower = {str(k).lower(): v for k, v in record.items()}
    for k in keys:
        v = lower.get(k)
        if v not in (None, "", [], {}):
            return v
    return None


def file_urls(record: dict, base_url: str) -> tuple[str, ...]:
    """Attachment URLs of one API record (files[] / attachment[] objects or plain strings)."""
    out: list[str] = []
    files = pick(record, FILE_KEYS)
    for f in files if isinstance(files, list) else []:
        href = f if isinstance(f, str) else pick(f, FILE_URL_KEYS) if isinstance(f, dict) else None
        if isinstance(href, str) and href.strip() and not href.startswith(("javascript:", "#")):
            url = urljoin(base_url, href.strip())
            if url not in out:
                out.append(url)
    return tuple(out)


def record_entries(records: Iterable[Any], base_url: str) -> list[Entry]:
    """API/embedded JSON records → entries, filtered by title like links are."""
    out = []
    for rec in records:
        if not isinstance(rec, dict):
            continue
        title, href = pick(rec, TITLE_KEYS), pick(rec, URL_KEYS)
        if not isinstance(title, str) or not isinstance(href, str):
            continue
        title = " ".join(re.sub(r"<[^>]+>", "", title).split())  # search APIs highlight with <em>
        year = report_year(title)
        if year is None:
            continue
        url = urljoin(base_url, href.strip())
        out.append(
            Entry(
                url=url,
                title=title,
                date=norm_date(pick(rec, DATE_KEYS)),
                year=year,
                files=file_urls(rec, url),
            )
        )
    return merge_entries(out)


def load_json(text: str) -> Any:
    """A JSON answer, or None when the body is not JSON (an HTML error page, a stub)."""
    try:
        return json.loads(text.strip().lstrip("\ufeff")) if text.strip()[:1] in "{[" else None
    except ValueError:
        return None


def js_value(text: str, name: str) -> str | None:
    """The scalar a script gives `name` (`name: 12`, `name = '12'`, `"name": "12"`)."""
    m = re.search(rf"""["']?\b{re.escape(name)}\b["']?\s*[:=]\s*(?:["']([^"']*)["']|([\w.\-]+))""", text)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def js_array(text: str, start: int) -> str | None:
    """The bracketed array literal beginning at text[start] == '[' (strings respected)."""
    depth, quote, i = 0, "", start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return None


def page_range(count: int, first: int, limit: int = MAX_PAGES) -> range:
    """Page numbers first..count, never more than `limit` pages."""
    return range(first, min(count, first + limit - 1) + 1)
