"""TRS columns paging in each of the five forms of PORTALS.md (A–E), dates in sibling cells.

No served page links the next one: a crawler must generate every page from the first.
"""

from __future__ import annotations

import random

from portal import PortalServer

from .common import NOTICES, Column, chunks, mixed, page, publish

PER_PAGE = 4


def _pager(form: str, count: int, k: int) -> str:
    """The script or text a TRS page carries for page k (0-based) of count."""
    if form == "A":
        return f'<script>createPageHTML({count}, {k}, "index", "html");</script>'
    if form == "B":
        return (
            f"<script>var currentPage = {k};//所在页从0开始\nvar countPage = {count}//共多少页\n"
            "document.write('<a href=\"index_' + (currentPage + 1) + '.html\">下一页</a>');</script>"
        )
    if form == "C":
        call = f"createPageHTML('page_div',{count}, {k + 1},'xlist','shtml',{count * PER_PAGE})"
        return f"<script>{call};</script>"
    if form == "D":
        return f"<script>Pager({{size: {count}, current: {k}, prefix: 'index', suffix: 'html'}});</script>"
    return f"<div class='page'>共{count}页 当前第{k + 1}页</div>"


def _name(form: str, k: int) -> str:
    if form == "C":
        return "xlist.shtml" if k == 0 else f"xlist_{k + 1}.shtml"
    return "index.html" if k == 0 else f"index_{k}.html"


def _items(form: str, chunk: list[tuple[str, str, str]]) -> str:
    """Form C prints a table (date in the next <td>), D a <dl> (date in <dd>), others <li><span>."""
    if form == "C":
        rows = "".join(
            f'<tr><td class="t"><a href="{h}" title="{t}">{t}</a></td><td class="d">{d}</td></tr>'
            for h, t, d in chunk
        )
        return f"<table class='list'>{rows}</table>"
    if form == "D":
        return "".join(f'<dl><dt><a href="{h}">{t}</a></dt><dd>{d}</dd></dl>' for h, t, d in chunk)
    return (
        "<ul>"
        + "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>[{d}]</span></li>' for h, t, d in chunk)
        + "</ul>"
    )


def build(
    srv: PortalServer,
    rng: random.Random,
    form: str,
    n: int = 9,
    folder: str | None = None,
    sid: str | None = None,
    extra_items: list[tuple[str, str, str]] = (),
) -> Column:
    folder = folder or f"/trs{form.lower()}/zwgk/zfxxgknb/"
    entry = folder + ("xlist.shtml" if form == "C" else "")
    col = Column(sid or f"trs_form_{form.lower()}", "trs", srv.base + entry)
    col.reports = publish(srv, rng, folder, n, style="link", first_year=2019 + ord(form) % 3)
    notices = [
        (f"{folder}notice_{i}.html", t, "2023-03-01") for i, t in enumerate(NOTICES[: 2 + ord(form) % 2])
    ]
    col.never += [p for p, _, _ in notices]
    reports = [(r.url.replace(srv.base, ""), r.title, r.date) for r in col.reports]
    items = mixed(rng, reports, notices) + list(extra_items)
    pages = chunks(items, PER_PAGE)
    for k, chunk in enumerate(pages):
        path = folder + _name(form, k)
        srv.add(
            path,
            page("政府信息公开年报", _items(form, chunk) + _pager(form, len(pages), k)),
            etag=f'"{form}{k}"',
        )
        col.listing_paths.add(path)
    if form != "C":
        col.listing_paths.add(folder)
    return col
