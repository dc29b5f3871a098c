"""A generic column ("下一页"/"尾页" links, list_N.html), the family of the registry's `static` rows."""

from __future__ import annotations

import random

from portal import PortalServer

from .common import NOTICES, Column, chunks, li, mixed, page, publish


def build(srv: PortalServer, rng: random.Random) -> Column:
    col = Column("static_col", "static", f"{srv.base}/bmnb/list.html")
    col.reports = publish(
        srv, rng, "/bmnb/", 10, style="link", first_year=2020, kinds=("pdf", "ofd", "xls"), shape="content"
    )
    notices = [(f"/bmnb/notice_{i}.html", t, "2024-03-01") for i, t in enumerate(NOTICES)]
    col.never += [p for p, _, _ in notices]
    pages = chunks(
        mixed(rng, [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports], notices), 5
    )
    for k, chunk in enumerate(pages):
        name = "/bmnb/list.html" if k == 0 else f"/bmnb/list_{k + 1}.html"
        nav = (
            f'<a href="list_{k + 2}.html">下一页</a> <a href="list_{len(pages)}.html">尾页</a>'
            if k + 1 < len(pages)
            else ""
        )
        srv.add(
            name,
            page("部门年报", "<ul>" + "".join(li(h, t, d) for h, t, d in chunk) + f"</ul><div>{nav}</div>"),
        )
        col.listing_paths.add(name)
    return col
