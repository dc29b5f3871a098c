"""Reports → the four Parquet datasets of SCHEMA.md, streamed and swapped in atomically.

Rows are buffered per table and flushed as row groups every `batch` reports, so memory
stays flat however large the archive.  Everything is written under a temporary folder
beside the output; only when all files are closed are the new tables renamed into
place, so a crash mid-run leaves the previous output intact.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from .report import Report
from .templates import TABLES

_TYPES = {"string": pa.string(), "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(),
          "float64": pa.float64(), "bool": pa.bool_(), "date32": pa.date32(),
          "timestamp_utc": pa.timestamp("us", tz="UTC")}


def arrow_schema(table: str) -> pa.Schema:
    """A table's Arrow schema, from the same YAML the data dictionary is written from."""
    return pa.schema([(c["name"], _TYPES[c["type"]]) for c in TABLES[table]["columns"]])


SCHEMAS = {t: arrow_schema(t) for t in ("reports", "facts", "checks", "sections")}
REPORTS = SCHEMAS["reports"]



def report_rows(report: Report) -> dict[str, list[dict]]:
    """The rows one report contributes to each table."""
    rid, year = report.report_id, report.meta.get("year")
    meta = {k: report.meta.get(k) for k in REPORTS.names}
    return {
        "reports": [meta],
        "facts": [{"report_id": rid, "year": year, "metric": f.metric, "applicant": f.applicant,
                   "value": f.value, "raw": f.raw, "note": f.note, "ocr_confidence": f.confidence}
                  for f in report.facts],
        "checks": [{"report_id": rid, "rule": c.rule, "subject": c.subject, "expected": c.expected,
                    "actual": c.actual, "ok": c.ok} for c in report.checks],
        "sections": [{"report_id": rid, "section": s, "heading": h, "text": t} for s, h, t in report.sections],
    }


class DatasetWriter:
    """Write reports as they come; `commit()` swaps the finished tables into `out`."""

    def __init__(self, out: Path, batch: int = 500):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.tmp = self.out / f".tmp-{uuid.uuid4().hex[:8]}"
        self.batch = batch
        self.buffers: dict[str, list[dict]] = {t: [] for t in SCHEMAS}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.pending = 0
        self.seen: set[str] = set()

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def add(self, report: Report) -> None:
        if report.report_id in self.seen:  # the same bytes twice: one report
            return
        self.seen.add(report.report_id)
        for table, rows in report_rows(report).items():
            self.buffers[table].extend(rows)
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.buffers.items():
            if not rows:
                continue
            if table not in self.writers:
                folder = self.tmp / table
                folder.mkdir(parents=True, exist_ok=True)
                self.writers[table] = pq.ParquetWriter(folder / "part-0.parquet", SCHEMAS[table], compression="zstd")
            self.writers[table].write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[table]))
            rows.clear()
        self.pending = 0

    def commit(self) -> None:
        self.flush()
        for table, schema in SCHEMAS.items():
            if table not in self.writers:  # keep every table loadable, even when empty
                folder = self.tmp / table
                folder.mkdir(parents=True, exist_ok=True)
                self.writers[table] = pq.ParquetWriter(folder / "part-0.parquet", schema)
        for w in self.writers.values():
            w.close()
        for table in SCHEMAS:
            final = self.out / table
            old = self.out / f".old-{table}-{uuid.uuid4().hex[:8]}"
            if final.exists():
                os.replace(final, old)
            os.replace(self.tmp / table, final)
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def abort(self) -> None:
        for w in self.writers.values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_reports(reports: Iterable[Report], out: Path, batch: int = 500) -> int:
    n = 0
    with DatasetWriter(out, batch) as w:
        for r in reports:
            w.add(r)
            n += 1
    return n
