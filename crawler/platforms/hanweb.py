"""Hanweb (jpage) columns: records embedded as <datastore> XML, more via dataproxy.jsp.

The column page /col/col<id>/index.html carries the first records inside
<script type="text/xml"><datastore>…<record><![CDATA[<li>…</li>]]></record>…; the rest
come from POST /module/web/jpage/dataproxy.jsp?startrecord=N&endrecord=M&perpage=K with
the column's form fields, answering the same XML with <totalrecord>.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlparse

from .common import Listing, PageRequest, link_entries, parse_html

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)", re.I)
_NEXTGROUP = re.compile(r"dataproxy\.jsp\?([^\"'<>\]]+)")
_COLUMN = re.compile(r"/col/col(\d+)/")
_PARAM = re.compile(r"\b(webid|unitid|columnid|appid|webname|path|permissiontype)\s*[=:]\s*['\"]?([^'\"&,;\s]+)", re.I)
GROUP = 45  # records per dataproxy request (jpage asks for three pages of 15)


def parse_hanweb(url: str, html: str) -> Listing:
    records = _RECORD.findall(html)
    body = "\n".join(records) if records else html
    listing = Listing(entries=link_entries(parse_html(f"<ul>{body}</ul>" if records else body), url))
    if "dataproxy.jsp" in urlparse(url).path:
        return listing  # pages are planned from the column page
    total_m = _TOTAL.search(html)
    total = int(next(g for g in total_m.groups() if g)) if total_m else 0
    if total <= len(records):
        return listing
    params: dict[str, str] = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
    nxt = _NEXTGROUP.search(html)
    if nxt:
        params.update({k: v for k, v in parse_qsl(nxt.group(1).replace("&amp;", "&")) if k not in ("page",)})
    for key, value in _PARAM.findall(html):
        params.setdefault(key.lower(), value)
    col = _COLUMN.search(urlparse(url).path)
    if col:
        params.setdefault("columnid", col.group(1))
    perpage = int((_PERPAGE.search(html) or [None, "15"])[1])
    proxy = urljoin(url, "/module/web/jpage/dataproxy.jsp")
    form = tuple(sorted(params.items()))
    start = len(records) + 1
    while start <= min(total, 20000):
        end = min(start + GROUP - 1, total)
        listing.pages.append(PageRequest(f"{proxy}?startrecord={start}&endrecord={end}&perpage={perpage}", form))
        start = end + 1
    return listing
