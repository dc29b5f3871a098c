"""TRS "动静结合" columns (list2.trsapi; Fujian province and its cities).

The column page carries `listModel({quickMode: "动静结合", maxStaticIndex: 1, listArgs:
{channelid: SiteInfo.searchId, classsql: "" || "chnlid=1813", …}, pagebar: {prepage: 10,
recordCount: '20'}})`.  Pages 0…maxStaticIndex exist as static index.html, index_1.html;
the rest only through the site's search API, `POST /fjdzapp/search` (form fields
channelid, classsql, sortfield, page, prepage) or `GET /fjdzapp/data?…`, answering JSON
records with title, URL, date and `files[]`.  One API call with a large `prepage` replaces
the page-by-page calls when the API honours it; when it caps `prepage`, its answer's
pageCount plans the remaining calls.  Each API call falls back to the other endpoint.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse

from .common import (
    Listing,
    PageRequest,
    js_value,
    link_entries,
    load_json,
    page_range,
    parse_html,
    record_entries,
)
from .trs import _ext

SEARCH, DATA = "/fjdzapp/search", "/fjdzapp/data"
BIG_PREPAGE = 500  # one call for a whole column of this many reports
_CLASSSQL = re.compile(r"""classsql\s*:\s*((?:["'][^"']*["']\s*\|\|\s*)*["'][^"']*["'])""")
_CHNL_META = re.compile(r"""<meta\s+name=["']ChnlId["']\s+content=["'](\d+)["']""", re.I)


def is_list2(html: str) -> bool:
    return "list2.trsapi" in html or ("listModel(" in html and "quickMode" in html)


def _classsql(html: str) -> str:
    m = _CLASSSQL.search(html)
    if m:
        values = [v for v in re.findall(r"""["']([^"']*)["']""", m.group(1)) if v]
        if values:
            return values[-1]
    meta = _CHNL_META.search(html)
    return f"chnlid={meta.group(1)}" if meta else ""


def _channel(html: str) -> str | None:
    value = js_value(html, "channelid")
    if value and not value.isdigit():  # `SiteInfo.searchId`: read that variable
        value = js_value(html, value.rsplit(".", 1)[-1])
    return value if value and value.isdigit() else None


def api_request(base: str, args: dict[str, str], page: int, prepage: int, get_first: bool) -> PageRequest:
    """One API call; the other endpoint is its fallback (sites expose one or the other)."""
    fields = {**args, "page": str(page), "prepage": str(prepage)}
    post = PageRequest(urljoin(base, SEARCH), tuple(fields.items()))
    get = PageRequest(urljoin(base, DATA) + "?" + urlencode(fields))
    if get_first:
        return PageRequest(get.url, None, (post,))
    return PageRequest(post.url, post.formdata, (get,))


def _column(url: str, html: str) -> Listing:
    listing = Listing(entries=link_entries(parse_html(html), url))
    if re.search(r"index_\d+\.\w+$", urlparse(url).path):
        return listing  # a later static page: the first one planned everything
    channel = _channel(html)
    prepage = int(js_value(html, "prepage") or 10)
    records = js_value(html, "recordCount")
    total = math.ceil(int(records) / max(prepage, 1)) if records and records.isdigit() else None
    static = int(js_value(html, "maxStaticIndex") or 0)
    last_static = static if total is None else min(static, total - 1)
    listing.pages = [PageRequest(urljoin(url, f"index_{i}.{_ext(url)}")) for i in page_range(last_static, 1)]
    if channel and (total is None or total > last_static + 1):
        args = {
            "channelid": channel,
            "classsql": _classsql(html),
            "sortfield": js_value(html, "sortfield") or "-docorderpri,-docreltime",
        }
        big = max(BIG_PREPAGE, int(records)) if records and records.isdigit() else BIG_PREPAGE
        listing.pages.append(api_request(url, args, 1, big, get_first=DATA in html and SEARCH not in html))
    return listing


def _api_answer(url: str, text: str, form: dict[str, str] | None) -> Listing:
    data = load_json(text)
    if not isinstance(data, dict) or data.get("error") is True:
        return Listing()
    listing = Listing(entries=record_entries(data.get("data") or [], url))
    args = dict(form or parse_qsl(urlparse(url).query))
    page = int(args.get("page") or data.get("page") or 1)
    count = data.get("pageCount")
    if page == 1 and isinstance(count, int) and count > 1:
        prepage = int(data.get("prepage") or args.get("prepage") or 10)  # what the API honoured
        rest = {k: v for k, v in args.items() if k not in ("page", "prepage")}
        via_get = urlparse(url).path.endswith(DATA)
        listing.pages = [api_request(url, rest, p, prepage, via_get) for p in page_range(count, 2)]
    return listing


def parse_trs_list2(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    if "/fjdzapp/" in urlparse(url).path:
        return _api_answer(url, html, form)
    return _column(url, html)
