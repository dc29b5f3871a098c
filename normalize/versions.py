"""Which rows of `reports` are versions of one report, and which version is current.

Why: a portal that edits a report page, re-posts it, or serves it again at a `_wap` URL
would otherwise put one agency-year in the data twice.  Two rows are the same report when
their document URLs are the same after dropping twin markers (`url_key`), or when they
print the same facts for the same agency and year (`fingerprint`: a re-post at another
URL).  Rows with equal fingerprints are one version; distinct contents are versions 1, 2, …
in the order they were first normalised (the archive's fetch order).  The current version
is the latest one that could be read (not `failed`), so an error page served later never
hides a good report.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable

# A mobile twin of a page: t20240115_123_wap.html is t20240115_123.html.
_TWIN = re.compile(r"_wap(?=\.[A-Za-z]+$|$)", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def url_key(url: str | None) -> str | None:
    """The document URL with scheme, fragment and twin markers dropped (host lower-cased)."""
    if not url:
        return None
    rest = _SCHEME.sub("", url.split("#", 1)[0])
    host, slash, path = rest.partition("/")
    path, q, query = path.partition("?")
    return host.lower() + slash + _TWIN.sub("", path) + q + query


def fingerprint(agency: str | None, year: int | None, facts: Iterable) -> str | None:
    """A hash of agency, year and every printed value, or None when too little to compare."""
    values = sorted((f.metric, f.applicant or "", repr(f.value)) for f in facts if f.value is not None)
    if not agency or year is None or not values:
        return None
    h = hashlib.sha256(f"{agency}\0{year}".encode())
    for v in values:
        h.update("\0".join(v).encode() + b"\1")
    return h.hexdigest()[:24]


@dataclass
class VersionInfo:
    version: int
    is_current: bool
    superseded_by: str | None


def _find(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def assign(rows: Iterable[tuple[str, str | None, str | None, str]]) -> dict[str, VersionInfo]:
    """(report_id, url_key, fingerprint, status) in first-seen order → version of each report_id.

    A report_id may appear several times (the same bytes at two URLs): its first row sets
    its place in the order, every row links its URL.
    """
    parent: dict[str, str] = {}
    order: dict[str, int] = {}
    info: dict[str, tuple[str | None, str]] = {}
    by_url: dict[str, str] = {}
    by_fp: dict[str, str] = {}

    def union(a: str, b: str) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb, key=order.__getitem__)] = min(ra, rb, key=order.__getitem__)

    for rid, ukey, fp, status in rows:
        if rid not in parent:
            parent[rid] = rid
            order[rid] = len(order)
            info[rid] = (fp, status)
        for index, key in ((by_url, ukey), (by_fp, fp)):
            if key is None:
                continue
            if key in index:
                union(index[key], rid)
            else:
                index[key] = rid
    groups: dict[str, list[str]] = {}
    for rid in order:  # dicts keep insertion (= first-seen) order
        groups.setdefault(_find(parent, rid), []).append(rid)
    out: dict[str, VersionInfo] = {}
    for members in groups.values():
        editions: dict[str, list[str]] = {}  # fingerprint (or own id) → report_ids, first-seen order
        for rid in members:
            editions.setdefault(info[rid][0] or rid, []).append(rid)
        reps = [ids[0] for ids in editions.values()]
        readable = [r for r in reps if info[r][1] != "failed"]
        current = (readable or reps)[-1]
        for number, ids in enumerate(editions.values(), start=1):
            for rid in ids:
                out[rid] = VersionInfo(number, rid == current, None if rid == current else current)
    return out
