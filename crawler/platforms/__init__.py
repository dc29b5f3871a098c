"""Listing parsers, one per CMS family: a listing page → report entries + more pages.

Pure functions over (url, html text): no Scrapy here, so each family is tested on its
own and the spider stays a thin driver.
"""
from __future__ import annotations

from .common import Entry, Listing, PageRequest
from .generic import parse_generic
from .hanweb import parse_hanweb
from .trs import parse_trs

PARSERS = {"trs": parse_trs, "hanweb": parse_hanweb, "static": parse_generic}


def detect(html: str) -> str:
    """The CMS family of a listing page, from markers its pages always carry."""
    if "<datastore>" in html or "dataproxy.jsp" in html or "jpage" in html.lower():
        return "hanweb"
    if "createPageHTML" in html or "TRS_Editor" in html or "_wap" in html and "t20" in html:
        return "trs"
    return "static"


def parse_listing(platform: str, url: str, html: str) -> Listing:
    family = detect(html) if platform == "auto" else platform
    listing = PARSERS[family](url, html)
    listing.platform = family
    return listing


__all__ = ["Entry", "Listing", "PageRequest", "detect", "parse_listing", "PARSERS"]
