"""Hanweb's 信息公开 module: lists through `POST /module/xxgk/search.jsp`, "共N页" in the answer.

The page's search form carries the fields (infotypeId, jdid, area, …); page N is the same
form with `currpage=N`.  A page whose list is loaded by script asks for page 1 first,
and that answer's "共N页" plans the rest.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from .common import Listing, PageRequest, link_entries, page_range, parse_html

SEARCH = "/module/xxgk/search.jsp"
_TOTAL = re.compile(r"共\s*(\d+)\s*页")


def is_xxgk(html: str) -> bool:
    return SEARCH in html


def _form_fields(root) -> tuple[str, dict[str, str]] | None:
    for form in root.iter("form"):
        action = form.get("action") or ""
        if "search.jsp" in action:
            fields = {i.get("name"): i.get("value") or "" for i in form.iter("input") if i.get("name")}
            return action, fields
    return None


def _plan(action_url: str, fields: dict[str, str], first: int, last: int) -> list[PageRequest]:
    return [
        PageRequest(action_url, tuple(sorted({**fields, "currpage": str(n)}.items())))
        for n in page_range(last, first)
    ]


def parse_xxgk(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    root = parse_html(html)
    listing = Listing(entries=link_entries(root, url))
    total = _TOTAL.search(html)
    if SEARCH in url:  # an answer: the first one plans the other pages
        if form and form.get("currpage") == "1" and total:
            listing.pages = _plan(
                url, {k: v for k, v in form.items() if k != "currpage"}, 2, int(total.group(1))
            )
        return listing
    found = _form_fields(root) if root is not None else None
    if found is None:
        return listing
    action, fields = found
    target = urljoin(url, action)
    if listing.entries and total:
        listing.pages = _plan(target, fields, 2, int(total.group(1)))
    elif not listing.entries:
        listing.pages = _plan(target, fields, 1, 1)
    return listing
