"""The `ogi normalize` command (and the normalise step of `ogi run`/`ogi demo`): options, limits,
messages.  The work itself is in ogi/pipeline.py; cli.py only registers the command."""

from __future__ import annotations

import functools
import sys
from collections import Counter
from pathlib import Path

import click

from normalize.write import OutputError
from ogi.pipeline import PipelineError, RunStats, default_jobs, iter_files, normalize_archive, normalize_files
from ogi.workers import Limits, display_path

DOCUMENT_SUFFIXES = {
    ".html",
    ".htm",
    ".shtml",
    ".jhtml",
    ".xhtml",
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".txt",
    ".png",
    ".jpg",
    ".jpeg",
}  # images: scanned tables, read by OCR
_DEFAULT = Limits()


def LIMIT_OPTS(f):  # noqa: N802 - used as a decorator like click's own
    """--jobs and the per-file limits, shared by every command that normalises."""
    opts = [
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=0),
            default=0,
            help="worker processes (default 0: one per core); output is identical for any value",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=_DEFAULT.seconds,
            show_default=True,
            help="seconds one file may take before its worker is killed (a `failed` row)",
        ),
        click.option(
            "--max-memory",
            type=click.IntRange(min=64),
            default=_DEFAULT.memory_mb,
            show_default=True,
            help="MB of memory one file may use",
        ),
        click.option(
            "--max-bytes",
            type=click.IntRange(min=1),
            default=_DEFAULT.max_bytes // 2**20,
            show_default=True,
            help="MB: larger files are not read (a `failed` row)",
        ),
        click.option(
            "--allow-empty",
            is_flag=True,
            help="let a run that finds no reports replace non-empty output with empty tables",
        ),
    ]
    return functools.reduce(lambda acc, opt: opt(acc), reversed(opts), f)


def summarize(statuses: Counter, checks_failed: int, out: Path | None = None, skipped: int = 0) -> str:
    parts = [f"{statuses.get(s, 0)} {s}" for s in ("ok", "partial", "failed")]
    line = f"{sum(statuses.values())} reports: " + ", ".join(parts) + f"; {checks_failed} checks failed"
    if skipped:
        line += f"; {skipped} documents already normalised by this normaliser version (skipped)"
    return line + (f"\nParquet written to {out}/{{reports,facts,checks,sections}}" if out else "")


def _limits(timeout: float, max_memory: int, max_bytes: int) -> Limits:
    return Limits(seconds=timeout, memory_mb=max_memory, max_bytes=max_bytes * 2**20)


def _report(stats: RunStats, out: Path) -> None:
    click.echo(summarize(stats.statuses, stats.checks_failed, out, stats.skipped))


def archive_or_exit(
    data_dir: Path,
    out: Path,
    sources=None,
    jobs: int = 0,
    limits: Limits = _DEFAULT,
    allow_empty: bool = False,
) -> RunStats:
    """Normalise DIR's archive; a clear message and exit status 2 when it cannot be done."""
    try:
        stats = normalize_archive(data_dir, out, sources, jobs or default_jobs(), limits, allow_empty)
    except (PipelineError, OutputError) as exc:
        raise click.ClickException(str(exc)) from exc
    _report(stats, out)
    return stats


class _Bar:
    """A progress bar on a terminal, nothing otherwise."""

    def __init__(self, total: int):
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="normalize", unit="file")

    def __call__(self) -> None:
        if self.bar is not None:
            self.bar.update()


def normalize_command(
    paths: tuple[str, ...],
    data_dir: Path | None,
    out: Path | None,
    jobs: int,
    timeout: float,
    max_memory: int,
    max_bytes: int,
    allow_empty: bool,
) -> None:
    limits = _limits(timeout, max_memory, max_bytes)
    if not paths:
        from crawler.registry import load_sources

        data_dir = data_dir or Path("data")
        archive_or_exit(data_dir, out or data_dir / "parquet", load_sources(None), jobs, limits, allow_empty)
        return
    out = out or Path("data/parquet")
    try:
        files = list(iter_files(paths, DOCUMENT_SUFFIXES))
        stats = normalize_files(
            files, out, jobs or default_jobs(), limits, allow_empty, progress=_Bar(len(files))
        )
    except (PipelineError, OutputError) as exc:
        raise click.ClickException(str(exc)) from exc
    for name, error in stats.failures:
        click.echo(f"failed: {display_path(name)}: {error}", err=True)
    _report(stats, out)
