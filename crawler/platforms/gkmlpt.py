"""Guangdong's 政府信息公开目录平台 (gkmlpt): a single-page app over a JSON API.

`/gkmlpt/index` has no list, only `window._CONFIG = {SID: '755041', TREE: [{id, name,
children: […]}, …]}`.  The categories whose name names the annual reports (titles.yaml
`column_words`) are listed by `GET /gkmlpt/api/all/<id>?page=N&sid=<SID>` →
`{"classify": {"post_count": 57}, "articles": [{"title", "url", "date" (epoch s),
"attachment": [{"name", "url"}]}]}`, 100 per page.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urljoin, urlparse

from crawler.titles import is_report_column

from .common import Listing, PageRequest, js_array, js_value, load_json, page_range, record_entries

PER_PAGE = 100
_API = re.compile(r"/gkmlpt/api/all/(\d+)")
_NODE = re.compile(
    r"""["']?id["']?\s*:\s*["']?(\d+)["']?\s*,\s*["']?name["']?\s*:\s*["']([^"']+)["']"""
    r"""|["']?name["']?\s*:\s*["']([^"']+)["']\s*,\s*["']?id["']?\s*:\s*["']?(\d+)["']?"""
)


def is_gkmlpt(html: str) -> bool:
    return "_CONFIG" in html and "TREE" in html and "SID" in html


def report_categories(html: str) -> list[str]:
    """Ids of the TREE categories (at any depth) whose name names the annual reports."""
    at = html.find("TREE")
    start = html.find("[", at) if at >= 0 else -1
    tree = js_array(html, start) if start >= 0 else None
    out = []
    for m in _NODE.finditer(tree or ""):
        cid, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if is_report_column(name) and cid not in out:
            out.append(cid)
    return out


def _api(url: str, cid: str, sid: str, page: int) -> PageRequest:
    return PageRequest(urljoin(url, f"/gkmlpt/api/all/{cid}?page={page}&sid={sid}"))


def parse_gkmlpt(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    m = _API.search(urlparse(url).path)
    if m is None:
        sid = js_value(html, "SID") or ""
        return Listing(pages=[_api(url, cid, sid, 1) for cid in report_categories(html)])
    data = load_json(html)
    if not isinstance(data, dict):
        return Listing()
    listing = Listing(entries=record_entries(data.get("articles") or [], url))
    query = dict(parse_qsl(urlparse(url).query))
    count = (data.get("classify") or {}).get("post_count")
    if query.get("page", "1") == "1" and isinstance(count, int):
        listing.pages = [
            _api(url, m.group(1), query.get("sid", ""), p) for p in page_range(math.ceil(count / PER_PAGE), 2)
        ]
    return listing
