"""Fuzz: a few hundred seeded mutations of corpus and synthetic reports in one run.

Every input gets a row, no error is an "internal error", every file finishes well inside the
per-file limit, and the good files normalised in the same run come out exactly as alone.
Runs in about a minute on 2 cores.
"""

from __future__ import annotations

import io
import random
import zipfile

import pandas as pd
import pytest
import synth
from conftest import CORPUS

from normalize import normalize_bytes
from ogi.pipeline import normalize_files
from ogi.workers import Limits

SEED = 2026
MUTANTS_PER_SEED = 30
LIMIT_S = 60.0


def _seeds() -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted((CORPUS / "real").glob("*")) if p.is_file()}
    files.update({p.name: p.read_bytes() for p in sorted((CORPUS / "seed").glob("*.txt"))})
    files.update({p.name: p.read_bytes() for p in sorted((CORPUS / "templates").glob("*.docx"))})
    rng = random.Random(SEED)
    files["synth_utf8.html"] = synth.render_html(synth.make_spec(rng, "2021"))
    files["synth_gbk.html"] = synth.render_html(synth.make_spec(rng, "2019"), encoding="gb18030")
    files["synth.docx"] = synth.render_docx(synth.make_spec(rng, "2021"))
    return files


def _docx_member(data: bytes, rng: random.Random) -> bytes:
    """Mutate word/document.xml's text inside a well-formed zip (the XML walk gets garbage)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                body = _bytes(body, rng, kinds=("flip", "cut_middle", "dup", "tag"))
            out.writestr(info.filename, body)
    return buf.getvalue()


def _bytes(
    data: bytes, rng: random.Random, kinds=("flip", "truncate", "insert", "dup", "zero", "cut_middle", "tag")
) -> bytes:
    b = bytearray(data)
    kind = rng.choice(kinds)
    n = len(b)
    if kind == "flip":
        for _ in range(rng.randint(1, 50)):
            b[rng.randrange(n)] = rng.randrange(256)
    elif kind == "truncate":
        del b[rng.randint(1, max(1, n - 1)) :]
    elif kind == "insert":
        at = rng.randrange(n)
        b[at:at] = rng.randbytes(rng.randint(1, 4000))
    elif kind == "dup":
        a = rng.randrange(n)
        chunk = b[a : a + rng.randint(1, 20000)]
        at = rng.randrange(n)
        b[at:at] = chunk * rng.randint(1, 20)
    elif kind == "zero":
        a = rng.randrange(n)
        b[a : a + rng.randint(1, 5000)] = bytes(len(b[a : a + 5000]))[: len(b[a : a + rng.randint(1, 5000)])]
    elif kind == "cut_middle":
        a = rng.randrange(n)
        del b[a : a + rng.randint(1, max(1, n // 3))]
    elif kind == "tag":
        at = rng.randrange(n)
        b[at:at] = rng.choice(
            [
                b'<td rowspan="9999" colspan="999">',
                b"<table><tr>",
                b"</table>",
                b"\x00",
                b"\xff\xfe",
                b'<w:gridSpan w:val="999999"/>',
                "一、总体情况".encode() * 50,
                b"1" * 40,
                b"<!DOCTYPE x>",
            ]
        )
    return bytes(b)


def _mutants(seeds: dict[str, bytes]) -> dict[str, bytes]:
    rng = random.Random(SEED)
    out: dict[str, bytes] = {}
    seen: set[bytes] = set(seeds.values())
    for name, data in seeds.items():
        stem, _, ext = name.rpartition(".")
        for i in range(MUTANTS_PER_SEED):
            mutated = _docx_member(data, rng) if ext == "docx" and i % 3 == 0 else _bytes(data, rng)
            if mutated and mutated not in seen:
                seen.add(mutated)
                out[f"{stem}.m{i:02d}.{ext}"] = mutated
    return out


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    seeds = _seeds()
    mutants = _mutants(seeds)
    for name, data in {**seeds, **mutants}.items():
        (folder / name).write_bytes(data)
    out = folder / "out"
    files = sorted(p for p in folder.iterdir() if p.is_file())
    stats = normalize_files(files, out, jobs=0, limits=Limits(seconds=LIMIT_S))
    return seeds, mutants, stats, pd.read_parquet(out / "reports"), pd.read_parquet(out / "facts")


def test_a_few_hundred_mutants_each_get_a_row(fuzzed):
    seeds, mutants, _, reports, _ = fuzzed
    assert len(mutants) >= 250
    names = reports["path"].str.rsplit("/", n=1).str[-1]
    assert set(names) == set(seeds) | set(mutants)


def test_no_internal_errors_and_bounded_time(fuzzed):
    _, _, stats, reports, _ = fuzzed
    errors = reports["error"].dropna()
    internal = errors[errors.str.contains("internal error")]
    assert internal.empty, internal.tolist()
    assert not errors.str.startswith(("timeout:", "crashed:")).any()
    assert stats.slowest[0] < LIMIT_S / 3, stats.slowest


def test_good_files_in_the_same_run_are_unchanged(fuzzed):
    seeds, _, _, reports, facts = fuzzed
    by_name = reports.set_index(reports["path"].str.rsplit("/", n=1).str[-1])
    for name, data in seeds.items():
        alone = normalize_bytes(data, name)
        row = by_name.loc[name]
        agency = row["agency"] if pd.notna(row["agency"]) else None
        assert (row["status"], agency, row["cells_found"]) == (
            alone.status,
            alone.meta["agency"],
            alone.meta["cells_found"],
        ), name
        got = facts[facts["report_id"] == row["report_id"]]
        assert sorted(zip(got["metric"], got["applicant"].fillna(""), got["value"].fillna(-1.0))) == sorted(
            (f.metric, f.applicant or "", -1.0 if f.value is None else f.value) for f in alone.facts
        ), name
