"""Search-backed lists: an IGS column (JSON pages) and a column rendered from `var itemObj = [...]`."""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qs, urlparse

from portal import PortalServer

from .common import NOTICES, Column, json_route, mixed, page, publish

PATH = "/igs/front/search/list.html"


def build_igs(srv: PortalServer, rng: random.Random) -> Column:
    col = Column("igs_col", "igs", f"{srv.base}/zwgk/xxgknb/index.shtml")
    col.reports = publish(srv, rng, "/zwgk/xxgknb/", 24, style="link", first_year=2019)
    notices = [(f"/zwgk/xxgknb/notice_{i}.shtml", t, "2024-03-01") for i, t in enumerate(NOTICES)]
    col.never += [p for p, _, _ in notices]
    items = mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices)
    search = f"{PATH}?index=hbsz-govdoc&amp;type=govdocument&amp;pageSize=10&amp;filter[CHANNELID]=4312"
    srv.add(
        "/zwgk/xxgknb/index.shtml",
        page(
            "年报",
            f"""<div id="list"></div>
<script>var searchUrl = '{search}';
$.get(searchUrl.replace(/&amp;/g, '&') + '&pageNumber=' + page, render);</script>""",
        ),
    )

    def api(method, path_qs, form, headers):
        q = {k: v[0] for k, v in parse_qs(urlparse(path_qs).query).items()}
        assert q["index"] == "hbsz-govdoc" and q["filter[CHANNELID]"] == "4312", q
        size, n = int(q["pageSize"]), int(q["pageNumber"])
        chunk = items[(n - 1) * size : n * size]
        content = [
            {
                "DOCID": i,
                "DOCTITLE": f"<em>{t}</em>" if "年度报告" in t else t,
                "DOCPUBURL": srv.base + h,
                "PUBDATE": d + " 08:00:00",
            }
            for i, (h, t, d) in enumerate(chunk)
        ]
        return json_route(
            {
                "page": {
                    "content": content,
                    "totalPages": -(-len(items) // size),
                    "totalElements": len(items),
                    "number": n,
                }
            }
        )

    srv.handlers[PATH] = api
    col.listing_paths |= {"/zwgk/xxgknb/index.shtml", PATH}
    return col


def build_jsonlist(srv: PortalServer, rng: random.Random) -> Column:
    col = Column("jsonlist_col", "jsonlist", f"{srv.base}/xxgk/ndbg/list.html")
    col.reports = publish(
        srv, rng, "/xxgk/ndbg/", 12, style="apps", first_year=2019, kinds=("pdf", "wps", "png")
    )
    notices = [(f"/xxgk/ndbg/notice_{i}.html", t, "2024-03-01") for i, t in enumerate(NOTICES)]
    col.never += [p for p, _, _ in notices]
    items = mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices)
    objs = [{"title": t, "url": h, "time": d} for h, t, d in items]
    srv.add(
        "/xxgk/ndbg/list.html",
        page(
            "年度报告",
            f"""<ul id="list"></ul>
<script>var itemObj = {json.dumps(objs, ensure_ascii=False)};
for (var i = 0; i < itemObj.length; i++) {{
  $('#list').append('<li>' + itemObj[i].title + '</li>'); }}</script>""",
        ),
    )
    col.listing_paths.add("/xxgk/ndbg/list.html")
    return col
