"""Guangdong gkmlpt: a single-page app; the TREE names the categories, the API lists them."""

from __future__ import annotations

import datetime as dt
import math
import random
from urllib.parse import parse_qs, urlparse

from portal import PortalServer

from .common import NOTICES, Column, json_route, publish

SID = "755041"
PER_PAGE = 100


def _epoch(date: str) -> int:
    d = dt.datetime.fromisoformat(date + "T09:30:00+08:00")
    return int(d.timestamp())


def build(srv: PortalServer, rng: random.Random) -> Column:
    col = Column("gkmlpt_lg", "gkmlpt", f"{srv.base}/gkmlpt/index")
    # 政府信息公开年报 (id 2101) holds 112 posts: two API pages; 部门年报 (2102) a few more
    reports = publish(srv, rng, "/gkmlpt/content/2/", 118, style="files", first_year=2019)
    col.reports = reports
    notices = [
        {
            "id": 9000 + i,
            "title": t,
            "url": f"{srv.base}/gkmlpt/content/9/post_{9000 + i}.html",
            "date": _epoch("2024-03-01"),
            "attachment": [],
        }
        for i, t in enumerate(NOTICES)
    ]
    col.never += [urlparse(n["url"]).path for n in notices] + ["/gkmlpt/api/all/2200"]

    def article(i, r):
        return {
            "id": 5000 + i,
            "title": r.title,
            "url": r.url,
            "post_url": r.url,
            "date": _epoch(r.date),
            "publisher": "区政府办",
            "attachment": [{"name": r.title + a[-4:], "url": a} for a in r.attachments],
        }

    cats = {
        "2101": [article(i, r) for i, r in enumerate(reports[:110])] + notices[:2],
        "2102": [article(110 + i, r) for i, r in enumerate(reports[110:])] + notices[2:],
    }
    tree = (
        "[{id: 2000, name: '政府信息公开', children: ["
        "{id: 2101, name: '政府信息公开年报', children: []}, {id: 2200, name: '通知公告', children: []}, "
        "{id: 2102, name: '部门政府信息公开工作年度报告', children: []}]}]"
    )
    srv.add(
        "/gkmlpt/index",
        f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title>
<script>window._CONFIG = {{SID: '{SID}', TREE: {tree},
 TITLE: '深圳市龙岗区政府信息公开目录'}};</script></head>
<body><div id="app"></div><script src="/gkmlpt/static/js/app.js"></script></body></html>""".encode(),
    )

    def api(method, path_qs, form, headers):
        parts = urlparse(path_qs)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert q.get("sid") == SID, q
        posts = cats.get(parts.path.rsplit("/", 1)[-1])
        if posts is None:
            return None
        n = int(q.get("page", 1))
        return json_route(
            {
                "classify": {"post_count": len(posts), "page_count": math.ceil(len(posts) / PER_PAGE)},
                "articles": posts[(n - 1) * PER_PAGE : n * PER_PAGE],
            }
        )

    for cid in ("2101", "2102", "2200"):
        srv.handlers[f"/gkmlpt/api/all/{cid}"] = api
    col.listing_paths |= {"/gkmlpt/index", "/gkmlpt/api/all/2101", "/gkmlpt/api/all/2102"}
    return col
