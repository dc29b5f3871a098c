"""Zhejiang's newer Hanweb sites (JPaaS): a pager <div count rows queryData> and an API.

The column page shows the first `rows` items and carries
`<div … count="386" rows="15" queryData="{'webId':'3185','pageId':'…','tagId':'…','tplSetId':'…'}">`;
page N comes from `GET /api-gateway/jpaas-publish-server/front/page/build/unit?webId=&pageId=
&parseType=bulidstatic&pageType=column&tagId=&tplSetId=&rows=&pageNo=N`, answering
`{"success": true, "data": {"html": "<li>…</li>"}}`.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode, urljoin

from .common import Listing, PageRequest, link_entries, load_json, page_range, parse_html

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_QUERY_KEYS = ("webId", "pageId", "tagId", "tplSetId")


def is_jpaas(html: str) -> bool:
    return "jpaas-publish-server" in html or bool(
        re.search(r"queryData\s*=\s*['\"]\{[^}]*tplSetId", html, re.I)
    )


def _pager(root) -> tuple[int, int, dict[str, str]] | None:
    """(count, rows, queryData) of the page's pager element, if it has one."""
    for el in root.iter():
        attrs = {k.lower(): v for k, v in el.attrib.items()}
        if "querydata" in attrs and attrs.get("count", "").isdigit() and attrs.get("rows", "").isdigit():
            query = dict(re.findall(r"""['"]?(\w+)['"]?\s*:\s*['"]([^'"]*)['"]""", attrs["querydata"]))
            return int(attrs["count"]), int(attrs["rows"]), query
    return None


def parse_jpaas(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    if API in url:
        data = load_json(html)
        inner = data.get("data") if isinstance(data, dict) and data.get("success") is not False else None
        body = inner.get("html") if isinstance(inner, dict) else None
        return Listing(entries=link_entries(parse_html(body), url) if isinstance(body, str) else [])
    root = parse_html(html)
    listing = Listing(entries=link_entries(root, url))
    pager = _pager(root) if root is not None else None
    if pager:
        count, rows, query = pager
        fields = {k: query.get(k, "") for k in _QUERY_KEYS}
        for n in page_range(math.ceil(count / max(rows, 1)), 2):
            params = {
                "webId": fields["webId"],
                "pageId": fields["pageId"],
                "parseType": "bulidstatic",
                "pageType": "column",
                "tagId": fields["tagId"],
                "tplSetId": fields["tplSetId"],
                "rows": rows,
                "pageNo": n,
            }
            listing.pages.append(PageRequest(urljoin(url, API) + "?" + urlencode(params)))
    return listing
