"""TRS WCM columns: index.html, index_1.html … index_{N-1}.html.

The page count is printed in a script call `createPageHTML(N, current, "index", "html")`
or as "共N页"; every page is generated from the first, so a missing "next" link on
some page does not end the crawl early.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from .common import Listing, PageRequest, link_entries, parse_html
from .generic import next_links

_CREATE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_TOTAL = re.compile(r"共\s*(\d+)\s*页")


def parse_trs(url: str, html: str) -> Listing:
    root = parse_html(html)
    listing = Listing(entries=link_entries(root, url))
    m = _CREATE.search(html)
    if m:
        pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if current == 0:  # only the first page spawns the others
            listing.pages = [PageRequest(urljoin(url, f"{stem}_{i}.{ext}")) for i in range(1, min(pages, 500))]
        return listing
    t = _TOTAL.search(html)
    if t and not re.search(r"index_\d+\.\w+$", url):
        listing.pages = [PageRequest(urljoin(url, f"index_{i}.html")) for i in range(1, min(int(t.group(1)), 500))]
        return listing
    listing.pages = next_links(root, url)
    return listing
