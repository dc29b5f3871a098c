"""TRS "动静结合" columns (list2.trsapi): static pages up to maxStaticIndex, the rest by API.

`pingtan` copies the real 平潭 column's shape (same path; the API honours a large prepage);
`fuzhou` is a city column whose site has only `GET /fjdzapp/data`, capped at 15 per page,
and whose attachments are listed in a script array on the article page.
"""

from __future__ import annotations

import math
import random
from urllib.parse import parse_qs, urlparse

from portal import PortalServer

from .common import NOTICES, Column, chunks, json_route, li, mixed, page, publish

PREPAGE = 10


def _column_page(items, k: int, searchid: int, chnl: int, max_static: int, records: int) -> bytes:
    script = f"""<script>require(["list2.trsapi", "jquery"], function () {{
listModel({{quickMode: "动静结合", maxStaticIndex: {max_static}, listArgs: {{channelid: SiteInfo.searchId,
 classsql: "" || "chnlid={chnl}", sortfield: "-docorderpri,-docreltime"}},
 pagebar: {{prepage: {PREPAGE}, recordCount: '{records}', currentPage: {k}}}}});
}});</script>
<script>var SiteInfo = {{siteId: 1, siteName: "政府网", searchId: {searchid}, projectPath: "/"}};</script>"""
    body = "<ul class='list'>" + "".join(li(h, t, d) for h, t, d in items) + "</ul><div id='pagebar'></div>"
    return page("政府信息公开年报", body + script, f'<meta name="ChnlId" content="{chnl}">')


def _record(srv: PortalServer, item, report) -> dict:
    href, title, date = item
    url = href if href.startswith("http") else srv.base + href
    rec = {
        "doctitle": title,
        "docpuburl": url,
        "chnldocurl": url,
        "url": url,
        "docreltime": date.replace("-", ".") + " 10:30:00",
        "pubdate": date,
        "puborg": "政府办",
        "fileno": "",
        "files": [],
    }
    for a in report.attachments if report else []:
        name = a.rsplit("/", 1)[-1]
        rec["files"].append(
            {
                "appdesc": title,
                "appfile": name,
                "fileext": name.rsplit(".", 1)[-1],
                "_src": a.replace(srv.base, ""),
                "_href": a.replace(srv.base, ""),
            }
        )
    return rec


def build(
    srv: PortalServer,
    rng: random.Random,
    sid: str,
    folder: str,
    searchid: int,
    chnl: int,
    n: int,
    style: str,
    endpoint: str,
    cap: int | None,
) -> Column:
    col = Column(sid, "trs_list2", srv.base + folder)
    col.reports = publish(srv, rng, folder, n, style=style, first_year=2018)
    by_url = {r.url.replace(srv.base, ""): r for r in col.reports}
    notices = [(f"{folder}202403/t20240301_{90 + i}.html", t, "2024-03-01") for i, t in enumerate(NOTICES)]
    col.never += [p for p, _, _ in notices]
    items = mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices)
    records = [_record(srv, it, by_url.get(it[0])) for it in items]
    max_static = 1
    for k, chunk in enumerate(chunks(items, PREPAGE)[: max_static + 1]):
        path = folder + ("index.html" if k == 0 else f"index_{k}.html")
        srv.add(path, _column_page(chunk, k, searchid, chnl, max_static, len(items)))
        col.listing_paths.add(path)
    col.listing_paths |= {folder, endpoint}

    def api(method: str, path_qs: str, form: str, headers):
        args = {k: v[0] for k, v in parse_qs(form if method == "POST" else urlparse(path_qs).query).items()}
        if args.get("channelid") != str(searchid):
            return None  # another column's channel: this handler only knows its own
        assert args.get("classsql") == f"chnlid={chnl}", args
        prepage = min(int(args["prepage"]), cap or 10**6)
        number = int(args["page"])
        return json_route(
            {
                "error": False,
                "page": number,
                "prepage": prepage,
                "recordCount": len(records),
                "pageCount": math.ceil(len(records) / prepage),
                "data": records[(number - 1) * prepage : number * prepage],
            }
        )

    previous = srv.handlers.get(endpoint)
    srv.handlers[endpoint] = (lambda *a: api(*a) or previous(*a)) if previous else api
    return col


def build_all(srv: PortalServer, rng: random.Random) -> list[Column]:
    return [
        build(
            srv, rng, "pingtan", "/zwgk/zfxxgk/zfxxgknb/", 200210, 1813, 23, "files", "/fjdzapp/search", None
        ),
        build(srv, rng, "fuzhou", "/fz/xxgk/zfxxgknb/", 300310, 2217, 30, "apps", "/fjdzapp/data", 15),
    ]
