"""Any other CMS: follow "下一页"/"尾页"/numbered page links and list_N / index_N / ?page=N."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from .common import Listing, PageRequest, link_entries, parse_html

_PAGE_TEXT = re.compile(r"^(?:下一页|下页|尾页|末页|后一页|>|>>|»|\d{1,3})$")
_PAGE_HREF = re.compile(
    r"(?:index|list|default)_\d+\.\w+$|[?&](?:page|pageNo|pageIndex|p|currentPage)=\d+|/list\d*_\d+|_\d+\.s?html?$",
    re.I,
)


def next_links(root, url: str) -> list[PageRequest]:
    if root is None:
        return []
    host = urlparse(url).netloc
    out, seen = [], {url}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        text = " ".join("".join(a.itertext()).split())
        target = urljoin(url, href)
        if urlparse(target).netloc != host or target in seen:
            continue
        if _PAGE_TEXT.match(text) and (
            _PAGE_HREF.search(target) or text in ("下一页", "下页", "尾页", "末页", "后一页")
        ):
            seen.add(target)
            out.append(PageRequest(target))
    return out


def parse_generic(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    root = parse_html(html)
    return Listing(entries=link_entries(root, url), pages=next_links(root, url))
