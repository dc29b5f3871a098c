"""Listing parsers, one per CMS family: a listing page → report entries + more pages.

Pure functions over (url, text[, the form data the page was asked with]): no Scrapy
here, so each family is tested on its own and the spider stays a thin driver.  API
answers (JSON, XML) go to the family that planned them: the spider passes the family
chosen on the column page along with every further page.
"""

from __future__ import annotations

import re

from .attachments import DOC_EXT, is_document_url, page_attachments
from .common import Entry, Listing, PageRequest
from .generic import parse_generic
from .gkmlpt import is_gkmlpt, parse_gkmlpt
from .hanweb import parse_hanweb
from .igs import is_igs, parse_igs
from .jpaas import is_jpaas, parse_jpaas
from .jsonlist import is_jsonlist, parse_jsonlist
from .trs import parse_trs
from .trs_list2 import is_list2, parse_trs_list2
from .xxgk import is_xxgk, parse_xxgk

PARSERS = {
    "trs": parse_trs,
    "trs_list2": parse_trs_list2,
    "hanweb": parse_hanweb,
    "jpaas": parse_jpaas,
    "hanweb_xxgk": parse_xxgk,
    "gkmlpt": parse_gkmlpt,
    "igs": parse_igs,
    "jsonlist": parse_jsonlist,
    "static": parse_generic,
}
# a row naming the vendor still gets the variant's parser when the page shows the variant
VARIANT_OF = {"trs_list2": "trs", "jpaas": "hanweb", "hanweb_xxgk": "hanweb"}
_TRS = re.compile(r"createPageHTML|var\s+countPage\s*=|\bPager\(\s*\{|TRS_Editor")
_TRS_ADDRESS = re.compile(r"""href=["'][^"']*/t20\d{6}_\d+(?:_wap)?\.s?html?""")


def detect(html: str, url: str = "") -> str:
    """The CMS family of a listing page, from markers its pages always carry (PORTALS.md)."""
    if is_gkmlpt(html):
        return "gkmlpt"
    if is_list2(html):
        return "trs_list2"
    if is_jpaas(html):
        return "jpaas"
    if "<datastore" in html or "dataproxy.jsp" in html:
        return "hanweb"
    if is_xxgk(html):
        return "hanweb_xxgk"
    if "jpage" in html.lower():
        return "hanweb"
    if is_igs(html):
        return "igs"
    if _TRS.search(html):
        return "trs"
    if is_jsonlist(html, url):
        return "jsonlist"
    return "trs" if _TRS_ADDRESS.search(html) else "static"


def family_for(platform: str, url: str, html: str) -> str:
    """The parser for a column page: the row's platform, or what the page shows (`auto`, variants)."""
    if platform == "auto":
        return detect(html, url)
    seen = detect(html, url)
    return seen if VARIANT_OF.get(seen) == platform else platform


def parse_listing(
    platform: str, url: str, html: str, form: dict[str, str] | None = None, planned: bool = False
) -> Listing:
    """Parse one listing page; `planned` pages (asked for by a parser) keep the family given."""
    family = platform if planned else family_for(platform, url, html)
    listing = PARSERS[family](url, html, form)
    listing.platform = family
    return listing


__all__ = [
    "DOC_EXT",
    "Entry",
    "Listing",
    "PageRequest",
    "PARSERS",
    "VARIANT_OF",
    "detect",
    "family_for",
    "is_document_url",
    "page_attachments",
    "parse_listing",
]
