"""Which files an article page attaches: links, downfile.jsp links and script arrays.

Attachments are not always `<a href="….pdf">`: TRS pages may list them only in a script
array (`var apps = [{"appfile": "P0….pdf", …}]`), Hanweb serves them through
`/module/download/downfile.jsp?classid=0&filename=<hex>.pdf`.  An image attachment
(.jpg/.png) is a scanned report and is kept like a PDF.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from .common import FILE_URL_KEYS, parse_html, pick
from .jsonlist import embedded_records

DOC_EXT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|et|jpe?g|png)(?:$|[?#&])", re.I)
DOWNFILE = re.compile(r"/downfile\.jsp\?", re.I)


def is_document_url(url: str) -> bool:
    return bool(DOC_EXT.search(url) or DOWNFILE.search(url))


def page_attachments(page_url: str, html: str) -> list[str]:
    """Attachment URLs of an article page, in page order, each once."""
    out: list[str] = []
    root = parse_html(html)
    hrefs = [(a.get("href") or "").strip() for a in root.iter("a")] if root is not None else []
    for rec in embedded_records(html):
        value = pick(rec, FILE_URL_KEYS)
        if isinstance(value, str):
            hrefs.append(value.strip())
    for href in hrefs:
        if href and not href.startswith(("javascript:", "#", "mailto:")) and is_document_url(href):
            url = urljoin(page_url, href)
            if url not in out:
                out.append(url)
    return out
