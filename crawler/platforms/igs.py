"""Search-backed lists (IGS; Hubei, Tianjin, Guangxi, Nanjing, Qingdao, Hainan).

The column page names its search in a script: `/igs/front/search/list.html?index=…&type=…
&pageSize=10&filter[…]=…`; `pageNumber=N` pages it, answering
`{"page": {"content": [{…, "PUBDATE"}], "totalPages": N}}`.
"""

from __future__ import annotations

import html as htmlmod
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse

from .common import Listing, PageRequest, link_entries, load_json, page_range, parse_html, record_entries

PATH = "/igs/front/search/list.html"
_SEARCH = re.compile(r"""[^'"\s]*/igs/front/search/list\.html\?[^'"\s<>]*""")


def is_igs(html: str) -> bool:
    return PATH in html


def _with_page(url: str, page: int) -> str:
    parts = urlparse(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "pageNumber"]
    return parts._replace(query=urlencode([*query, ("pageNumber", str(page))], safe="[]")).geturl()


def parse_igs(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    if PATH in urlparse(url).path:
        data = load_json(html)
        page = data.get("page") if isinstance(data, dict) else None
        if not isinstance(page, dict):
            return Listing()
        listing = Listing(entries=record_entries(page.get("content") or [], url))
        number = dict(parse_qsl(urlparse(url).query)).get("pageNumber", "1")
        total = page.get("totalPages")
        if number == "1" and isinstance(total, int):
            listing.pages = [PageRequest(_with_page(url, p)) for p in page_range(total, 2)]
        return listing
    listing = Listing(entries=link_entries(parse_html(html), url))
    m = _SEARCH.search(html)
    if m:
        listing.pages = [PageRequest(_with_page(urljoin(url, htmlmod.unescape(m.group(0))), 1))]
    return listing
