"""bytes (+ provenance) → Report: the rows of the four tables for one document.

This is the whole normaliser's entry point.  It never raises for bad input: a file
that cannot be read becomes a `failed` report with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import traceback
from dataclasses import dataclass, field
from typing import Any

from . import checks as checks_mod
from . import ocr_facts, pre2019
from .extract import ExtractError, extract, sniff
from .mapping import Fact, map_stream, missing_tables
from .metadata import (
    choose_agency,
    find_opening,
    find_published,
    find_signature,
    find_title,
    find_year,
    parse_date,
    prose_text,
    sections_text,
)
from .places import resolve as resolve_place
from .stream import build
from .synthetic import is_synthetic


@dataclass
class Provenance:
    """Where the bytes came from (filled by the crawler's archive; empty for local files)."""

    source_url: str | None = None
    document_url: str | None = None
    published: str | None = None
    fetched_at: dt.datetime | None = None
    charset: str | None = None  # from the HTTP Content-Type header
    region_code: str | None = None
    source_id: str | None = None
    path: str | None = None


@dataclass
class Report:
    meta: dict[str, Any]
    facts: list[Fact] = field(default_factory=list)
    checks: list[checks_mod.Check] = field(default_factory=list)
    sections: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def report_id(self) -> str:
        return self.meta["report_id"]

    @property
    def status(self) -> str:
        return self.meta["status"]


def _base_meta(data: bytes, name: str, prov: Provenance) -> dict[str, Any]:
    sha = hashlib.sha256(data).hexdigest()
    return {
        "report_id": sha[:16],
        "agency": None,
        **resolve_place(None, prov.region_code).columns(),
        "year": None,
        "template": "unknown",
        "source_url": prov.source_url,
        "document_url": prov.document_url or prov.path,
        "format": None,
        "published": parse_date(prov.published),
        "fetched_at": prov.fetched_at,
        "sha256": sha,
        "status": "failed",
        "error": None,
        "cells_expected": 0,
        "cells_found": 0,
        "checks_failed": 0,
        "encoding": None,
        "ocr_pages": None,
        "source_id": prov.source_id,
        "path": prov.path,
        "synthetic": False,
    }


def normalize_bytes(data: bytes, name: str = "", prov: Provenance | None = None) -> Report:
    prov = prov or Provenance()
    meta = _base_meta(data, name, prov)
    try:
        meta["format"] = sniff(data, name) if data else None
        doc = extract(data, name, prov.charset, meta["format"])
    except ExtractError as exc:
        meta["error"] = f"{exc.code}: {exc.message}"
        return Report(meta)
    except Exception as exc:  # a reader bug must not stop the run
        meta["error"] = f"internal error while reading: {exc.__class__.__name__}: {exc}"
        meta["traceback"] = traceback.format_exc(limit=5)
        return Report(meta)
    try:
        return _map(doc, meta, prov)
    except Exception as exc:
        meta["status"] = "failed"
        meta["error"] = f"internal error while mapping: {exc.__class__.__name__}: {exc}"
        return Report(meta)


def _map(doc, meta: dict[str, Any], prov: Provenance) -> Report:
    meta["format"] = doc.format
    meta["encoding"] = doc.encoding
    stream = build(doc)
    meta["synthetic"] = is_synthetic(stream.text)
    title_agency, title_year = find_title(stream.text, doc.title)
    sig_agency, sig_date = find_signature(stream.text)
    opening = None if title_agency or sig_agency else find_opening(stream.text)  # the last resort only
    meta["agency"] = choose_agency(title_agency, sig_agency, opening)
    meta.update(resolve_place(meta["agency"], prov.region_code).columns())
    year = find_year(stream.text, title_year)
    meta["year"] = year
    meta["published"] = (
        meta["published"] or parse_date(doc.published) or find_published(stream.text, None) or sig_date
    )
    mapped = map_stream(stream, year, doc)
    corrected = ocr_facts.apply(doc, mapped)
    meta["ocr_pages"] = ",".join(map(str, doc.ocr_pages)) or None
    pre = pre2019.apply(meta, stream, mapped.template, year, doc.warnings)
    if pre is not None:  # no national tables: headline figures from prose and statistics table
        cut = stream.grid_spans + ([pre.table_span] if pre.table_span else [])
        return Report(meta, pre.facts, pre.checks, sections_text(stream.text, mapped.sections, cut))
    meta["template"] = mapped.template
    meta["cells_expected"] = mapped.cells_expected
    meta["cells_found"] = mapped.cells_found
    checks = checks_mod.evaluate(mapped.found)
    checks += checks_mod.prose_checks(
        prose_text(stream.text, mapped.table_spans + stream.grid_spans), mapped.found
    )
    meta["checks_failed"] = sum(1 for c in checks if not c.ok)
    sections = sections_text(stream.text, mapped.sections, mapped.table_spans + stream.grid_spans)
    problems = list(mapped.problems) + doc.warnings + corrected + missing_tables(mapped)
    if year is None:
        problems.append("year not found (no title or statistics period naming it)")
    if mapped.template == "unknown" or mapped.cells_expected == 0:
        meta["status"] = "failed"
        problems.insert(
            0, "no national template table found (not an annual report, or its tables are images)"
        )
    elif mapped.cells_found < mapped.cells_expected or problems:
        meta["status"] = "partial"
        missing = mapped.cells_expected - mapped.cells_found
        if missing:
            problems.insert(0, f"{missing} of {mapped.cells_expected} template cells not found")
    else:
        meta["status"] = "ok"
    meta["error"] = "; ".join(problems)[:2000] or None
    return Report(meta, mapped.facts, checks, sections)
