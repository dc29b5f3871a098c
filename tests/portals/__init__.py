"""Fixture portals for the listing mechanisms of PORTALS.md "More CMS families and pager forms".

One module per family, each built from the mechanism's description (request, response,
markers), served by tests/portal.py's PortalServer on 127.0.0.1.  Every column has several
pages, notices mixed in, and reports published as HTML pages or as attachments of several
kinds; `Column` says what a crawl must find and what it must never request.
"""

from __future__ import annotations

import random

from portal import PortalServer

from . import gkmlpt, hanweb, igs, jpaas, static, trs_forms, trs_list2, xxgk
from .common import Column, Report

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def build_all(srv: PortalServer, seed: int = 10) -> list[Column]:
    """Every family's columns on one server, with a robots.txt and a link to another host."""
    rng = random.Random(seed)
    srv.add("/robots.txt", ROBOTS, ctype="text/plain")
    srv.add("/private/t20240101_1.html", b"<html>disallowed</html>")
    srv.add("/mirror/t20240101_2.html", b"<html>mirror</html>")
    trap = [
        ("/private/t20240101_1.html", "内部单位2023年政府信息公开工作年度报告", "2024-01-01"),
        (
            f"http://localhost:{srv.port}/mirror/t20240101_2.html",
            "镜像站2023年政府信息公开工作年度报告",
            "2024-01-01",
        ),
    ]
    columns = [trs_forms.build(srv, rng, "A", extra_items=trap)]
    columns[0].never += ["/private/t20240101_1.html", "/mirror/t20240101_2.html"]
    columns += [trs_forms.build(srv, rng, form) for form in "BCDE"]
    columns += trs_list2.build_all(srv, rng) + hanweb.build_all(srv, rng)
    columns += [
        jpaas.build(srv, rng),
        xxgk.build(srv, rng),
        gkmlpt.build(srv, rng),
        igs.build_igs(srv, rng),
        igs.build_jsonlist(srv, rng),
        static.build(srv, rng),
    ]
    return columns


__all__ = ["Column", "Report", "build_all"]
