"""Hanweb (大汉 jpage) columns: records embedded as <datastore> XML, more from dataproxy.jsp.

The column page /col/col<id>/index.html carries the first records inside
<script type="text/xml"><datastore>…<record><![CDATA[<li>…</li>]]></record>…  The rest
come from the site's dataproxy, whose path differs by site: it is read from the page's
<nextgroup> link or the `proxyUrl` of the jpage call (which also carries totalRecord and
perPage).  Records are asked for by POST startrecord/endrecord with the column's form
fields; each POST falls back to `GET …?page=N&…` (answering <totalpage>) on sites that only
answer that.  Datastores without <record> wrappers, dates in <b>/<td>, and pages whose
dataproxy is empty but which link the /art/ items themselves are read too.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse

from .common import Listing, PageRequest, link_entries, merge_entries, page_range, parse_html

_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S)
_RECORDSET = re.compile(r"<recordset>(.*?)</recordset>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_PERPAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)", re.I)
_PROXY = re.compile(
    r"""(?:proxyUrl\s*[:=]\s*['"]|href=['"])([^'"]*dataproxy\.jsp)(?:\?([^'"<>\]]*))?""", re.I
)
_COLUMN = re.compile(r"/col/col(\d+)/")
_PARAM = re.compile(
    r"\b(webid|unitid|columnid|appid|webname|path|permissiontype)\s*[=:]\s*['\"]?([^'\"&,;\s]+)", re.I
)
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
GROUP_PAGES = 3  # jpage asks for three pages of records per dataproxy call
MAX_RECORDS = 20000


def _record_html(record: str) -> str:
    """One record as a parsable fragment: table rows need a table around them."""
    return f"<table>{record}</table>" if re.search(r"<t[rd][\s>]", record, re.I) else f"<ul>{record}</ul>"


def datastore_entries(url: str, html: str) -> list:
    """Entries of every record, each record parsed alone so its date is its own."""
    records = _RECORD.findall(html)
    if records:
        return merge_entries(*(link_entries(parse_html(_record_html(r)), url) for r in records))
    sets = _RECORDSET.findall(html)
    body = "".join(s.replace("<![CDATA[", "").replace("]]>", "") for s in sets)
    return link_entries(parse_html(_record_html(body)), url) if body.strip() else []


def _proxy_params(url: str, html: str) -> tuple[str, dict[str, str]]:
    """The dataproxy path the page names, and the column's form fields."""
    params = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
    path = DEFAULT_PROXY
    m = _PROXY.search(html)
    if m:
        path = m.group(1)
        query = (m.group(2) or "").replace("&amp;", "&")
        params.update(
            {k: v for k, v in parse_qsl(query) if k not in ("page", "startrecord", "endrecord", "perpage")}
        )
    for key, value in _PARAM.findall(html):
        params.setdefault(key.lower(), value)
    col = _COLUMN.search(urlparse(url).path)
    if col:
        params.setdefault("columnid", col.group(1))
    return urljoin(url, path), params


def _get_page(proxy: str, params: dict[str, str], page: int) -> PageRequest:
    fields = {k: v for k, v in params.items() if k not in ("col", "sourceContentType")}
    return PageRequest(f"{proxy}?{urlencode({'page': page, **fields})}")


def _embedded_count(html: str) -> int:
    """How many records the page carries: <record>s, or the items of an unwrapped recordset."""
    records = _RECORD.findall(html)
    if records:
        return len(records)
    return sum(len(re.findall(r"<(?:li|tr)[\s>]", s, re.I)) for s in _RECORDSET.findall(html))


def _column(url: str, html: str) -> Listing:
    embedded = _embedded_count(html)
    listing = Listing(
        entries=merge_entries(datastore_entries(url, html), link_entries(parse_html(html), url))
    )
    has_proxy = "<datastore" in html or "dataproxy.jsp" in html or "jpage" in html.lower()
    if not has_proxy:
        return listing
    proxy, params = _proxy_params(url, html)
    perpage = int((_PERPAGE.search(html) or [None, "15"])[1])
    total_m = _TOTAL.search(html)
    if total_m is None:  # total unknown: the first GET page's <totalpage> plans the rest
        if embedded:
            listing.pages.append(_get_page(proxy, params, 2))
        return listing
    total = min(int(next(g for g in total_m.groups() if g)), MAX_RECORDS)
    form = tuple(sorted(params.items()))
    group = perpage * GROUP_PAGES
    start = embedded + 1
    while start <= total:
        end = min(start + group - 1, total)
        pages = range((start - 1) // perpage + 1, (end - 1) // perpage + 2)
        fallback = tuple(_get_page(proxy, params, p) for p in pages)  # the same records, by GET
        listing.pages.append(
            PageRequest(f"{proxy}?startrecord={start}&endrecord={end}&perpage={perpage}", form, fallback)
        )
        start = end + 1
    return listing


def _proxy_answer(url: str, html: str) -> Listing:
    listing = Listing(entries=datastore_entries(url, html))
    query = dict(parse_qsl(urlparse(url).query))
    pages = _TOTAL_PAGES.search(html)
    if "startrecord" not in query and pages and int(query.get("page") or 0) <= 2:
        page = int(query.get("page") or 1)
        proxy = url.split("?", 1)[0]
        params = {k: v for k, v in query.items() if k != "page"}
        listing.pages = [_get_page(proxy, params, p) for p in page_range(int(pages.group(1)), page + 1)]
    return listing


def parse_hanweb(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    from . import jpaas, xxgk  # variants of the same vendor: a row saying `hanweb` reads them too

    if "dataproxy.jsp" in urlparse(url).path:
        return _proxy_answer(url, html)
    if jpaas.is_jpaas(html) or jpaas.API in url:
        return jpaas.parse_jpaas(url, html, form)
    if xxgk.is_xxgk(html) or xxgk.SEARCH in url:
        return xxgk.parse_xxgk(url, html, form)
    return _column(url, html)
