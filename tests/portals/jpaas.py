"""Zhejiang JPaaS column: a pager <div count rows queryData> and the build/unit API (JSON with html)."""

from __future__ import annotations

import math
import random
from urllib.parse import parse_qs, urlparse

from portal import PortalServer

from .common import NOTICES, Column, chunks, json_route, li, mixed, page, publish

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ROWS = 15


def build(srv: PortalServer, rng: random.Random) -> Column:
    col = Column("jpaas_col", "jpaas", f"{srv.base}/col/col1229735113/index.html")
    col.reports = publish(srv, rng, "", 36, style="link", first_year=2020, shape="1229735113")
    notices = [
        (f"/art/2024/2/{i + 1}/art_1229735113_{300 + i}.html", t, "2024-02-01") for i, t in enumerate(NOTICES)
    ]
    col.never += [p for p, _, _ in notices]
    items = mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices)
    pages = chunks(items, ROWS)
    query = (
        "{'webId':'3185','pageId':'1229735113','tagId':'信息列表',"
        "'tplSetId':'fc2a84bb56b14e5b9b1d9f2d2c9f1a5e'}"
    )
    first = "".join(li(h, t, d) for h, t, d in pages[0])
    srv.add(
        "/col/col1229735113/index.html",
        page(
            "年报",
            f"""<ul class="list">{first}</ul>
<div class="pagination" count="{len(items)}" rows="{ROWS}" queryData="{query}"></div>
<script src="/static/jpaas/pager.js"></script>""",
        ),
    )

    def api(method, path_qs, form, headers):
        q = {k: v[0] for k, v in parse_qs(urlparse(path_qs).query).items()}
        assert q["webId"] == "3185" and q["pageId"] == "1229735113" and q["parseType"] == "bulidstatic", q
        n = int(q["pageNo"])
        chunk = pages[n - 1] if 0 < n <= math.ceil(len(items) / ROWS) else []
        return json_route({"success": True, "data": {"html": "".join(li(h, t, d) for h, t, d in chunk)}})

    srv.handlers[API] = api
    col.listing_paths |= {"/col/col1229735113/index.html", API}
    return col
