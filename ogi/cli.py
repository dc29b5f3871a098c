"""`ogi` — collect and normalise government information-disclosure annual reports."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

import click

from normalize import Provenance, normalize_bytes
from normalize.write import DatasetWriter

DOCUMENT_SUFFIXES = {".html", ".htm", ".shtml", ".jhtml", ".xhtml", ".pdf", ".doc", ".docx", ".wps", ".txt"}


def iter_files(paths: tuple[str, ...]) -> Iterator[Path]:
    """Files named, and documents found walking folders (other files are skipped)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts) \
                        and f.suffix.lower() in DOCUMENT_SUFFIXES:
                    yield f
        elif p.exists():
            yield p
        else:
            raise click.BadParameter(f"no such file or folder: {p}")


def _progress(items: list, label: str):
    if sys.stderr.isatty():
        from tqdm import tqdm
        return tqdm(items, desc=label, unit="file")
    return items


def summarize(statuses: Counter, checks_failed: int, out: Path | None = None) -> str:
    parts = [f"{statuses.get(s, 0)} {s}" for s in ("ok", "partial", "failed")]
    line = f"{sum(statuses.values())} reports: " + ", ".join(parts) + f"; {checks_failed} checks failed"
    return line + (f"\nParquet written to {out}/{{reports,facts,checks,sections}}" if out else "")


@click.group()
def main() -> None:
    """Collect, normalise and publish China's 政府信息公开工作年度报告."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", default="data/parquet", show_default=True, type=click.Path(path_type=Path),
              help="folder for the four Parquet datasets")
def normalize(paths: tuple[str, ...], out: Path) -> None:
    """Normalise report files (PDF, DOCX, DOC, WPS, HTML, text) into Parquet."""
    files = list(iter_files(paths))
    statuses: Counter = Counter()
    failed_checks = 0
    with DatasetWriter(out) as writer:
        for f in _progress(files, "normalize"):
            try:
                data = f.read_bytes()
            except OSError as exc:
                click.echo(f"cannot read {f}: {exc}", err=True)
                statuses["failed"] += 1
                continue
            report = normalize_bytes(data, f.name, Provenance(path=str(f)))
            writer.add(report)
            statuses[report.status] += 1
            failed_checks += report.meta["checks_failed"]
            if report.status == "failed":
                click.echo(f"failed: {f}: {report.meta['error']}", err=True)
    click.echo(summarize(statuses, failed_checks, out))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show(file: Path) -> None:
    """Print a report's tables and failed checks, to eyeball against the original."""
    from normalize.show import render

    report = normalize_bytes(file.read_bytes(), file.name, Provenance(path=str(file)))
    click.echo(render(report))


if __name__ == "__main__":  # pragma: no cover
    main()
