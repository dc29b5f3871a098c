"""Hanweb's 信息公开 module: the annual-report page of an area, paged by POST /module/xxgk/search.jsp."""

from __future__ import annotations

import random
from urllib.parse import parse_qs

from portal import PortalServer, Route

from .common import NOTICES, Column, chunks, mixed, page, publish

PER_PAGE = 6
FIELDS = {"infotypeId": "A0401", "jdid": "3241", "area": "001008003004069", "sortfield": "compaltedate:0"}


def _list(chunk, n: int, total: int) -> str:
    rows = "".join(
        f'<tr><td><a href="{h}" target="_blank">{t}</a></td><td align="center">{d}</td></tr>'
        for h, t, d in chunk
    )
    return f'<table class="xxgk_list">{rows}</table><div class="page">共{total}页 第{n}页</div>'


def build(srv: PortalServer, rng: random.Random) -> Column:
    col = Column(
        "xxgk_annual",
        "hanweb_xxgk",
        f"{srv.base}/module/xxgk/xxgkAnnualReport.jsp?area={FIELDS['area']}&fbtime=2024",
    )
    col.reports = publish(srv, rng, "/xxgk/", 20, style="link", first_year=2019)
    notices = [(f"/xxgk/notice_{i}.html", t, "2024-03-01") for i, t in enumerate(NOTICES)]
    col.never += [p for p, _, _ in notices]
    pages = chunks(
        mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices), PER_PAGE
    )
    hidden = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in FIELDS.items())
    srv.add(
        "/module/xxgk/xxgkAnnualReport.jsp",
        page(
            "年度报告",
            f"""<form name="searchform" method="post"
 action="/module/xxgk/search.jsp">{hidden}<input type="hidden" name="currpage" value="1"></form>
{_list(pages[0], 1, len(pages))}""",
        ),
    )

    def search(method, path_qs, form, headers):
        f = {k: v[0] for k, v in parse_qs(form).items()}
        if method != "POST" or any(f.get(k) != v for k, v in FIELDS.items()):
            return Route(b"<html>bad search</html>", status=400)
        n = int(f["currpage"])
        return Route(page("检索", _list(pages[n - 1] if n <= len(pages) else [], n, len(pages))))

    srv.handlers["/module/xxgk/search.jsp"] = search
    col.listing_paths |= {"/module/xxgk/xxgkAnnualReport.jsp", "/module/xxgk/search.jsp"}
    return col
