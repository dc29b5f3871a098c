"""Reports → the four Parquet datasets of SCHEMA.md, appended in batches, committed all-or-nothing.

Layout of an output folder OUT (what `pd.read_parquet("OUT/facts")` reads):

    OUT/{reports,facts,checks,sections}/part-<run>-<batch>.parquet
    OUT/_ogi/done/part-….parquet   which documents this normaliser version has done
    OUT/_ogi/state.json            {"normalizer": NORMALIZER_VERSION, "source": archive or files}

Why batches of files rather than one file per table: a nightly run appends its new
reports as new files and never rewrites history, and a killed run keeps every batch it
committed.  Each batch (one file per table) is written under OUT/.tmp-*, then a journal
listing the renames is written and fsync'd: that is the commit point.  The renames are
applied after it, and a run that dies half-way is completed ("rolled forward") by the
next open of OUT, so `facts` of one batch never appear without its `reports`.

A new normaliser version (or `ogi normalize FILES`) rebuilds instead: batches go to a
staging folder OUT/.gen-<version>/ (resumed if a run was killed) and the finished tables
replace the live ones in one journalled swap; an empty rebuild never replaces non-empty
output unless asked.  The file partitioning is by batch, not by `year=` folders, so
`year` stays an int16 column in every reader (hive folders would make it a category).
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import versions
from .report import Report
from .templates import TABLES
from .version import NORMALIZER_VERSION

_TYPES = {
    "string": pa.string(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "timestamp_utc": pa.timestamp("us", tz="UTC"),
}
TABLE_NAMES = ("reports", "facts", "checks", "sections")
DONE = "_ogi/done"


def arrow_schema(table: str) -> pa.Schema:
    """A table's Arrow schema, from the same YAML the data dictionary is written from."""
    return pa.schema([(c["name"], _TYPES[c["type"]]) for c in TABLES[table]["columns"]])


SCHEMAS = {t: arrow_schema(t) for t in TABLE_NAMES}
REPORTS = SCHEMAS["reports"]
# One row per document handled: lets a rerun skip it, and links versions of one report.
DONE_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("report_id", pa.string()),
        ("url_key", pa.string()),
        ("fingerprint", pa.string()),
        ("status", pa.string()),
        ("written", pa.bool_()),
    ]
)
ALL_SCHEMAS = {**SCHEMAS, DONE: DONE_SCHEMA}


class OutputError(Exception):
    """The output folder cannot be written as asked (locked, or an empty run would erase it)."""


Columns = dict[str, dict[str, list]]  # table → column → values: what one report adds


def report_columns(report: Report) -> Columns:
    """The rows one report contributes to each table, column by column (a new report is its own
    current version).  Columns, not row dicts: they pickle small on their way from a worker and
    become Arrow arrays without a per-row conversion (pa.Table.from_pylist was most of a run's
    time in the parent)."""
    rid, year, meta = report.report_id, report.meta.get("year"), report.meta
    reports = {k: [meta.get(k)] for k in REPORTS.names}
    reports.update(version=[1], is_current=[True], superseded_by=[None])
    facts = report.facts
    n = len(facts)
    metric, applicant, value, raw, note, confidence = (list(c) for c in zip(*facts)) if n else ([],) * 6
    checks = report.checks
    sections = report.sections
    return {
        "reports": reports,
        "facts": {
            "report_id": [rid] * n,
            "year": [year] * n,
            "metric": metric,
            "applicant": applicant,
            "value": value,
            "raw": raw,
            "note": note,
            "ocr_confidence": confidence,
        },
        "checks": {
            "report_id": [rid] * len(checks),
            "rule": [c.rule for c in checks],
            "subject": [c.subject for c in checks],
            "expected": [c.expected for c in checks],
            "actual": [c.actual for c in checks],
            "ok": [c.ok for c in checks],
        },
        "sections": {
            "report_id": [rid] * len(sections),
            "section": [sec for sec, _, _ in sections],
            "heading": [h for _, h, _ in sections],
            "text": [t for _, _, t in sections],
        },
    }


def done_row(key: str, report: Report, written: bool = True) -> dict:
    """The bookkeeping row of one document: its key and what links it to other versions."""
    meta = report.meta
    return {
        "key": key,
        "report_id": report.report_id,
        "url_key": versions.url_key(meta.get("document_url")),
        "fingerprint": versions.fingerprint(meta.get("agency"), meta.get("year"), report.facts),
        "status": meta.get("status"),
        "written": written,
    }


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _read(path: Path, columns: list[str]) -> pa.Table:
    """Some columns of one part file.  ParquetFile.read, not pq.read_table: the dataset
    machinery behind read_table keeps several times the data's size in memory per file."""
    return pq.ParquetFile(path).read(columns=columns, use_threads=False)


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


# -- the journal: a list of renames and deletes that is applied completely or not at all ----------


def _journal_path(out: Path) -> Path:
    return out / "_ogi" / "journal.json"


def _apply(out: Path, journal: dict) -> None:
    for src, dst in journal.get("moves", []):
        s, d = out / src, out / dst
        if s.exists():
            d.parent.mkdir(parents=True, exist_ok=True)
            os.replace(s, d)
    for rel in journal.get("deletes", []):
        p = out / rel
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    if "state" in journal:
        _atomic_json(out / "_ogi" / "state.json", journal["state"])
    _journal_path(out).unlink(missing_ok=True)


def _atomic_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(value, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def commit(
    out: Path, moves: list[tuple[str, str]], deletes: list[str] = (), state: dict | None = None
) -> None:
    """Make a set of renames and deletes happen together: journal first (the commit point)."""
    journal: dict = {"moves": [list(m) for m in moves], "deletes": list(deletes)}
    if state is not None:
        journal["state"] = state
    _atomic_json(_journal_path(out), journal)
    _apply(out, journal)


def recover(out: Path) -> None:
    """Finish a commit a killed run left half-applied; drop uncommitted temporary batches."""
    jp = _journal_path(out)
    if jp.exists():
        try:
            journal = json.loads(jp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None  # torn before the commit point: nothing was applied
        if journal is None:
            jp.unlink(missing_ok=True)
        else:
            _apply(out, journal)
    for stale in out.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
    for stale in out.glob(".old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def settle(out: Path) -> None:
    """Recover OUT before reading it, unless a writer holds it (then it will do so itself)."""
    out = Path(out)
    if not (out / "_ogi").is_dir():
        return
    try:
        fh = open(out / "_ogi" / "lock", "a")
    except OSError:
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        recover(out)
    except OSError:
        pass
    finally:
        fh.close()


def state(out: Path) -> dict:
    try:
        return json.loads((out / "_ogi" / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def has_rows(root: Path, tables: tuple[str, ...] = ("reports",)) -> bool:
    """True when one of root's tables (by default reports) holds at least one row."""
    return any(pq.ParquetFile(p).metadata.num_rows for t in tables for p in _parts(root / t))


def _empty_buffers() -> dict[str, dict[str, list]]:
    return {t: {name: [] for name in schema.names} for t, schema in ALL_SCHEMAS.items()}


class Store:
    """An output folder opened for one run: appends batches, or stages a rebuild and swaps it in."""

    def __init__(
        self,
        out: Path,
        version: str = NORMALIZER_VERSION,
        rebuild: bool = False,
        batch: int = 500,
        fresh: bool = False,
        source: str = "archive",
    ):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "_ogi").mkdir(exist_ok=True)
        self._lock = open(self.out / "_ogi" / "lock", "a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise OutputError(
                f"{self.out} is being written by another `ogi` run; try again when it ends"
            ) from exc
        recover(self.out)
        self.version = version
        self.state = {"normalizer": version, "source": source}  # what the rows in OUT come from
        live = state(self.out)
        same = live.get("normalizer") == version and live.get("source", "archive") == source
        self.staging = rebuild or (not same and has_rows(self.out, ("reports", DONE)))
        gen = f".gen-{version}"
        for old in self.out.glob(".gen-*"):  # a staging folder of another version is stale
            if old.name != gen or fresh:
                shutil.rmtree(old, ignore_errors=True)
        self.rel = gen if self.staging else "."
        self.root = self.out / gen if self.staging else self.out
        self.batch = batch
        self.run = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
        self.batches = 0
        self.buffers = _empty_buffers()
        self.pending = 0
        self.seen: set[str] = set()
        self.closed = False

    # -- what is already done --------------------------------------------------------------------
    def done_among(self, keys: list[str]) -> list[bool]:
        """For each key, whether the target (live, or the staged rebuild) already holds it.

        An Arrow set lookup: a million done keys cost tens of MB as Arrow strings, several
        times that as a Python set (the parent's memory must stay flat at archive scale)."""
        chunks = [chunk for p in _parts(self.root / DONE) for chunk in _read(p, ["key"]).column("key").chunks]
        if not chunks or not keys:
            return [False] * len(keys)
        done = pa.concat_arrays(chunks)
        return pc.is_in(pa.array(keys, pa.string()), value_set=done).to_pylist()

    # -- adding ----------------------------------------------------------------------------------
    def add(self, columns: Columns | None, done: dict) -> None:
        """Buffer one document: its tables' columns (None when it is not a report) and its done row."""
        rid = done["report_id"]
        written = columns is not None and rid not in self.seen  # the same bytes twice: one report
        row = {**done, "written": written and done.get("written", True)}
        for name, value in row.items():
            self.buffers[DONE][name].append(value)
        if written:
            self.seen.add(rid)
            for table, cols in columns.items():
                buffer = self.buffers[table]
                for name, values in cols.items():
                    buffer[name].extend(values)
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Commit the buffered documents as one batch of files (all tables, or none)."""
        if not self.pending:
            return
        tmp = f".tmp-{self.run}-{self.batches:05d}"
        moves = []
        name = f"part-{self.run}-{self.batches:05d}.parquet"
        for table, cols in self.buffers.items():
            schema = ALL_SCHEMAS[table]
            if not cols[schema.names[0]]:
                continue
            _write(pa.Table.from_pydict(cols, schema=schema), self.out / tmp / table / name)
            moves.append((f"{tmp}/{table}/{name}", f"{self.rel}/{table}/{name}"))
        self.buffers = _empty_buffers()
        state_ = None if self.staging else self.state
        commit(self.out, moves, [tmp], state_)
        self.batches += 1
        self.pending = 0

    # -- finishing -------------------------------------------------------------------------------
    def finish(self, allow_empty: bool = False) -> None:
        """Commit the last batch; swap a staged rebuild in; mark current versions; unlock."""
        try:
            self.flush()
            self.seen = set()  # memory for mark_versions (one entry per report of the run)
            self._ensure_tables(self.root)
            if self.staging:
                self._swap(allow_empty)
            mark_versions(self.out)
        finally:
            self.close()

    def _ensure_tables(self, root: Path) -> None:
        """Every table loadable, even when no row was ever written to it."""
        for table, schema in ALL_SCHEMAS.items():
            if not _parts(root / table):
                _write(schema.empty_table(), root / table / f"part-{self.run}-empty.parquet")

    def _swap(self, allow_empty: bool) -> None:
        if not allow_empty and has_rows(self.out) and not has_rows(self.root):
            raise OutputError(
                f"this run produced no reports; {self.out} keeps its previous output "
                "(pass --allow-empty to replace it with empty tables)"
            )
        old = f".old-{self.run}"
        moves, deletes = [], [old, self.rel]
        for table in ALL_SCHEMAS:
            if (self.out / table).exists():
                moves.append((table, f"{old}/{table}"))
            moves.append((f"{self.rel}/{table}", table))
        commit(self.out, moves, deletes, self.state)

    def abort(self, keep_staging: bool = True) -> None:
        """Stop without committing the buffered batch (committed batches stay)."""
        self.buffers = _empty_buffers()
        if self.staging and not keep_staging:
            shutil.rmtree(self.root, ignore_errors=True)
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._lock.close()


def _linked_rows(out: Path) -> list[tuple[str, str | None, str | None, str]]:
    """The done rows that can link reports into versions, in first-seen order.

    Most reports share neither URL nor fingerprint with another: they are version 1 and
    current, and need no Python object each.  Arrow counts the URL keys and fingerprints;
    every row of a report that carries one seen more than once goes to versions.assign, in
    archive order, which is all it needs to number versions (a superset of the linking rows
    is harmless: a report that links to nothing stays version 1 and current).
    """
    names = ["report_id", "url_key", "fingerprint", "status", "written"]
    tables = [_read(p, names) for p in _parts(out / DONE)]
    if not tables:
        return []
    t = pa.concat_tables(tables).combine_chunks()
    del tables
    # documents that are not reports (pages that only link their attachment) are never "current"
    t = t.filter(pc.is_in(t["report_id"], value_set=t["report_id"].filter(t["written"])))
    masks = []
    for col in ("url_key", "fingerprint"):
        counts = pc.value_counts(t[col])
        shared = counts.field(0).filter(pc.greater(counts.field(1), 1)).drop_null()
        if len(shared):
            masks.append(pc.is_in(t[col], value_set=shared))
    if not masks:
        return []
    linked = functools.reduce(pc.or_, masks)
    ids = t["report_id"].filter(linked)
    t = t.filter(pc.is_in(t["report_id"], value_set=ids))
    return list(zip(*(t[c].to_pylist() for c in names[:4])))


def mark_versions(out: Path) -> int:
    """Set version / is_current / superseded_by on every reports row; rewrite only files that change.

    Returns the number of reports files rewritten.
    """
    info = versions.assign(_linked_rows(out))
    moves, deletes = [], []
    tag = uuid.uuid4().hex[:6]
    for p in _parts(out / "reports"):
        t = _read(p, ["report_id", "version", "is_current", "superseded_by"])
        ids = t.column("report_id").to_pylist()
        want = [info.get(r) for r in ids]
        new = (
            [w.version if w else 1 for w in want],
            [w.is_current if w else True for w in want],
            [w.superseded_by if w else None for w in want],
        )
        have = (
            t.column("version").to_pylist(),
            t.column("is_current").to_pylist(),
            t.column("superseded_by").to_pylist(),
        )
        if new == have:
            continue
        full = _read(p, REPORTS.names)
        for name, values in zip(("version", "is_current", "superseded_by"), new):
            i = full.schema.get_field_index(name)
            full = full.set_column(i, REPORTS.field(name), pa.array(values, REPORTS.field(name).type))
        stem = p.stem.split("~", 1)[0]
        target = f"reports/{stem}~{tag}.parquet"
        _write(full, out / f".tmp-v{tag}" / target)
        moves.append((f".tmp-v{tag}/{target}", target))
        deletes.append(f"reports/{p.name}")
    if moves:
        commit(out, moves, deletes + [f".tmp-v{tag}"])
    return len(moves)


class DatasetWriter:
    """Write a set of reports as the whole content of `out` (replacing what was there) — for
    callers that hold Report objects in-process (tests, `write_reports`)."""

    def __init__(self, out: Path, batch: int = 500, allow_empty: bool = True):
        self.store = Store(out, rebuild=True, batch=batch, fresh=True, source="files")
        self.allow_empty = allow_empty

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.store.finish(self.allow_empty)
        else:
            self.store.abort(keep_staging=False)

    def add(self, report: Report, key: str | None = None) -> None:
        self.store.add(report_columns(report), done_row(key or report.meta["sha256"], report))


def write_reports(reports: Iterable[Report], out: Path, batch: int = 500) -> int:
    n = 0
    with DatasetWriter(out, batch) as w:
        for r in reports:
            w.add(r)
            n += 1
    return n
