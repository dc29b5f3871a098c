"""Hanweb (大汉) variants of PORTALS.md: where the dataproxy is, how it pages, how records look.

`hw_proxyurl`: the dataproxy lives at /module/jpage/dataproxy.jsp (named by the jpage call's
  proxyUrl; the usual /module/web/jpage/dataproxy.jsp is another column's), POST startrecord/endrecord,
  dates in <b>, attachments through downfile.jsp refused without the article as Referer.
`hw_getpage`: the dataproxy only answers `GET ?page=N` with <totalpage> (a POST gets 405),
  records are table rows without <record> wrappers, dates in <td>.
`hw_links`: the dataproxy is empty; the /col/ page itself links the /art/ items.
"""

from __future__ import annotations

import math
import random
from urllib.parse import parse_qs, urlparse

from portal import PortalServer, Route

from .common import NOTICES, Column, li, mixed, page, publish

PER_PAGE = 15


def _xml(records: list[str], total: int, pages: int | None = None, wrap: bool = True) -> bytes:
    body = "".join(f"<record><![CDATA[{r}]]></record>" if wrap else r for r in records)
    extra = f"<totalpage>{pages}</totalpage>" if pages is not None else ""
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>{total}</totalrecord>{extra}"
        f"<recordset>{body}</recordset></datastore>"
    ).encode()


def _items(srv, rng, col: Column, n: int, style: str, colid: str) -> list[tuple[str, str, str]]:
    col.reports = publish(srv, rng, "", n, style=style, first_year=2019, shape=colid)
    notices = [
        (f"/art/2023/3/{i + 1}/art_{colid}_{100 + i}.html", t, "2023-03-01") for i, t in enumerate(NOTICES)
    ]
    col.never += [p for p, _, _ in notices]
    return mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices)


def build_proxyurl(srv: PortalServer, rng: random.Random) -> Column:
    colid, unit, webid = "1229214366", "5021", "3185"
    col = Column("hw_proxyurl", "hanweb", f"{srv.base}/col/col{colid}/index.html")
    items = _items(srv, rng, col, 40, "downfile", colid)
    records = [f'<li><a href="{h}" title="{t}">{t}</a><b>{d}</b></li>' for h, t, d in items]
    column = page(
        "年报",
        f"""<div id="{unit}"><script type="text/xml"><datastore>
<recordset>{"".join(f"<record><![CDATA[{r}]]></record>" for r in records[:PER_PAGE])}</recordset>
</datastore></script>
<script>$(function(){{ jpage({{ proxyUrl: '/module/jpage/dataproxy.jsp',
 totalRecord: {len(records)}, perPage: {PER_PAGE}, webid: '{webid}', unitid: '{unit}', columnid: '{colid}',
 appid: '1' }}); }});</script></div>""",
    )
    srv.add(f"/col/col{colid}/index.html", column)

    def proxy(method, path_qs, form, headers):
        q = {k: v[0] for k, v in parse_qs(urlparse(path_qs).query).items()}
        f = {k: v[0] for k, v in parse_qs(form).items()}
        if (
            method != "POST"
            or f.get("columnid") != colid
            or f.get("unitid") != unit
            or f.get("webid") != webid
        ):
            return Route(b"<datastore><totalrecord>0</totalrecord></datastore>", "text/xml")
        s, e = int(q["startrecord"]), int(q["endrecord"])
        return Route(_xml(records[s - 1 : e], len(records)), "text/xml; charset=utf-8")

    srv.handlers["/module/jpage/dataproxy.jsp"] = proxy
    col.listing_paths |= {f"/col/col{colid}/index.html", "/module/jpage/dataproxy.jsp"}
    return col


def build_getpage(srv: PortalServer, rng: random.Random) -> Column:
    colid, unit, webid = "1229460359", "6061", "3001"
    col = Column("hw_getpage", "hanweb", f"{srv.base}/col/col{colid}/index.html")
    items = _items(srv, rng, col, 33, "link", colid)
    rows = [f'<tr><td><a href="{h}" title="{t}">{t}</a></td><td>{d}</td></tr>' for h, t, d in items]
    pages = math.ceil(len(rows) / PER_PAGE)
    nextgroup = (
        f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={webid}&path=/&columnid={colid}"
        f"&unitid={unit}&permissiontype=0"
    )
    column = page(
        "年报",
        f"""<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>
<recordset>{"".join(rows[:PER_PAGE])}</recordset></datastore></script>
<script>var jpage = new JPage({{ totalRecord: {len(rows)}, perPage: {PER_PAGE} }});</script></div>""",
    )
    srv.add(f"/col/col{colid}/index.html", column)

    def proxy(method, path_qs, form, headers):
        q = {k: v[0] for k, v in parse_qs(urlparse(path_qs).query if method == "GET" else form).items()}
        if (q.get("columnid"), q.get("unitid"), q.get("webid")) != (colid, unit, webid):
            col.strays.append(f"{method} {path_qs} {form}")  # another column asked this site's default proxy
        if method == "POST":
            return Route(b"<html>405 Method Not Allowed</html>", status=405)
        n = int(q["page"])
        return Route(
            _xml(rows[(n - 1) * PER_PAGE : n * PER_PAGE], len(rows), pages, wrap=False),
            "text/xml; charset=utf-8",
        )

    srv.handlers["/module/web/jpage/dataproxy.jsp"] = proxy
    col.listing_paths |= {f"/col/col{colid}/index.html", "/module/web/jpage/dataproxy.jsp"}
    return col


def build_links(srv: PortalServer, rng: random.Random) -> Column:
    colid = "1229850102"
    col = Column("hw_links", "hanweb", f"{srv.base}/col/col{colid}/index.html")
    items = _items(srv, rng, col, 9, "link", colid)
    column = page(
        "年报",
        f"""<div id="4611045"><script type="text/xml"><datastore><recordset></recordset>
</datastore></script><script language="javascript" src="/module/web/jpage/jpage.js"></script>
<ul class="list">{"".join(li(h, t, d) for h, t, d in items)}</ul></div>""",
    )
    srv.add(f"/col/col{colid}/index.html", column)
    col.listing_paths.add(f"/col/col{colid}/index.html")
    return col


def build_all(srv: PortalServer, rng: random.Random) -> list[Column]:
    return [build_proxyurl(srv, rng), build_getpage(srv, rng), build_links(srv, rng)]
