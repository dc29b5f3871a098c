"""TRS WCM columns: every listing page generated from the first (PORTALS.md forms A–E).

The links between pages are written by script in the browser, so the served HTML may
carry no "next" link at all: the page count is read from whichever form is present
  A  createPageHTML(9, 0, "index", "html")                 0-based: index, index_1 … index_8
  B  var currentPage = 0; var countPage = 2                 0-based: index, index_1
  C  createPageHTML('page_div',10, 1,'xlist','shtml',189)   1-based: xlist, xlist_2 … xlist_10
  D  Pager({size: 12, current: 0, prefix: 'index', suffix: 'html'})
  E  a literal 共N页
and only the first page plans the others.  A deep page answered with a stub simply
yields no entries: pages are judged by content, not status.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from .common import Listing, PageRequest, link_entries, page_range, parse_html
from .generic import next_links

_Q = r"""\s*['"]?"""
_FORM_A = re.compile(
    rf"createPageHTML\({_Q}(\d+){_Q}\s*,{_Q}(\d+){_Q}\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_FORM_C = re.compile(
    r"createPageHTML\(\s*['\"][A-Za-z_][\w\-]*['\"]\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_B = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT_B = re.compile(r"var\s+currentPage\s*=\s*['\"]?(\d+)")
_PAGER_D = re.compile(r"Pager\(\s*\{([^}]*)\}")
_TOTAL_E = re.compile(r"共\s*(\d+)\s*页")
_DEEP = re.compile(r"_\d+\.\w+$")


def _ext(url: str) -> str:
    """The listing's own extension (index.shtml → shtml), html when the URL is a folder."""
    m = re.search(r"\.(\w+)$", urlparse(url).path)
    return m.group(1) if m else "html"


def _zero_based(url: str, count: int, stem: str, ext: str) -> list[PageRequest]:
    return [PageRequest(urljoin(url, f"{stem}_{i}.{ext}")) for i in page_range(count - 1, 1)]


def plan_pages(url: str, html: str) -> list[PageRequest] | None:
    """Every other page of the column when `url` is its first page; None when no pager form is present."""
    m = _FORM_C.search(html)
    if m:
        count, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        return (
            [PageRequest(urljoin(url, f"{stem}_{i}.{ext}")) for i in page_range(count, 2)]
            if current == 1
            else []
        )
    m = _FORM_A.search(html)
    if m:
        count, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        return _zero_based(url, count, stem, ext) if current == 0 else []
    m = _COUNT_B.search(html)
    if m:
        cur = _CURRENT_B.search(html)
        first = int(cur.group(1)) == 0 if cur else not _DEEP.search(url)
        return _zero_based(url, int(m.group(1)), "index", _ext(url)) if first else []
    m = _PAGER_D.search(html)
    if m:
        args = dict(re.findall(r"(\w+)\s*:\s*['\"]?([\w\-]+)['\"]?", m.group(1)))
        if "size" in args and args["size"].isdigit():
            first = args.get("current", "0") == "0"
            return (
                _zero_based(
                    url, int(args["size"]), args.get("prefix", "index"), args.get("suffix", _ext(url))
                )
                if first
                else []
            )
    m = _TOTAL_E.search(html)
    if m:
        return _zero_based(url, int(m.group(1)), "index", _ext(url)) if not _DEEP.search(url) else []
    return None


def parse_trs(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    root = parse_html(html)
    listing = Listing(entries=link_entries(root, url))
    pages = plan_pages(url, html)
    listing.pages = next_links(root, url) if pages is None else pages
    return listing
