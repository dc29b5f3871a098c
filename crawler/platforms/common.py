"""What every listing parser shares: report links found by title, with their dates."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from crawler.titles import report_year

_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    date: str | None
    year: int


@dataclass(frozen=True)
class PageRequest:
    """Another listing page: a GET, or a POST with form data (Hanweb's dataproxy)."""
    url: str
    formdata: tuple[tuple[str, str], ...] | None = None


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    pages: list[PageRequest] = field(default_factory=list)
    platform: str = ""


def parse_html(html: str):
    return etree.fromstring(html.encode("utf-8"), _PARSER) if html.strip() else None


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
        holder = a.getparent()
        context = " ".join("".join(holder.itertext()).split()) if holder is not None else ""
        m = _DATE.search(context.replace(title, " "))
        date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None
        out.append(Entry(url=url, title=title, date=date, year=year))
    return out
