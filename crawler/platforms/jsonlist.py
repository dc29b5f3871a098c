"""Lists rendered in the browser from JSON embedded in the page (`var itemObj = [{…}]`)."""

from __future__ import annotations

import json
import re

from .common import Listing, js_array, link_entries, merge_entries, parse_html, record_entries
from .generic import next_links

_VAR = re.compile(r"\bvar\s+\w+\s*=\s*\[\s*\{")


def embedded_records(html: str) -> list[dict]:
    """Objects of every `var x = [{…}]` literal that parses as JSON (single quotes tolerated)."""
    out: list[dict] = []
    for m in _VAR.finditer(html):
        text = js_array(html, html.index("[", m.start()))
        if not text:
            continue
        for candidate in (text, text.replace("'", '"')):
            try:
                value = json.loads(candidate)
            except ValueError:
                continue
            out.extend(v for v in value if isinstance(v, dict))
            break
    return out


def is_jsonlist(html: str, base_url: str = "") -> bool:
    return bool(_VAR.search(html)) and bool(record_entries(embedded_records(html), base_url or "http://x/"))


def parse_jsonlist(url: str, html: str, form: dict[str, str] | None = None) -> Listing:
    root = parse_html(html)
    return Listing(
        entries=merge_entries(record_entries(embedded_records(html), url), link_entries(root, url)),
        pages=next_links(root, url),
    )
