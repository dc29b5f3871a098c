"""`ogi demo` works offline from a fresh clone and is honest; the nightly units are well-formed.

Honest: a report under a real agency's name is that agency's published document (its
numbers equal the corpus's expected values); everything generated carries a fictional
name (示例…) and `synthetic = true`, and the demo table marks it.
"""

from __future__ import annotations

import configparser
import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import CORPUS, ROOT, expected_cells, same

PORTAL = ROOT / "data" / "demo_portal" / "zwgk" / "zfxxgknb"
FICTIONAL_PREFIX = "示例"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo") / "demo"
    out = subprocess.run(
        [sys.executable, "-W", "default", "-m", "ogi.cli", "demo", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out, data


def test_demo_runs_the_whole_pipeline_offline(demo):
    out, data = demo
    assert "24 reports:" in out.stdout and " 0 failed;" in out.stdout
    reports = pd.read_parquet(data / "parquet/reports")
    assert set(reports["format"]) == {"html", "docx", "pdf", "txt"}
    assert reports["source_url"].notna().all() and reports["fetched_at"].notna().all()
    assert "淄博市应急管理局" in out.stdout and "granted_%" in out.stdout


def test_demo_run_is_quiet(demo):
    """No deprecation or resource warnings, no telnet console, nothing on stderr but the log."""
    out, _ = demo
    both = out.stdout + out.stderr
    assert "Warning" not in both, both[-3000:]
    assert "Telnet" not in both and "telnet" not in both
    from crawler import settings

    assert settings.TELNETCONSOLE_ENABLED is False  # no listening console on a crawl host


def test_real_names_carry_real_documents_and_fictional_ones_are_marked(demo):
    _, data = demo
    reports = pd.read_parquet(data / "parquet/reports")
    fictional = reports["agency"].str.startswith(FICTIONAL_PREFIX)
    assert fictional.sum() >= 10 and (~fictional).sum() >= 14
    assert reports.loc[fictional, "synthetic"].all()
    assert not reports.loc[~fictional, "synthetic"].any()


def test_every_real_demo_report_matches_the_corpus(demo):
    """Every number a real-named demo report yields is the one the agency printed."""
    _, data = demo
    reports = pd.read_parquet(data / "parquet/reports")
    facts = pd.read_parquet(data / "parquet/facts")
    real = reports[~reports["synthetic"]]
    assert len(real) == 14
    for r in real.itertuples():
        name = r.document_url.rsplit("/", 1)[-1]
        (exp_path,) = CORPUS.glob(f"*/expected/{name}.json")
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        assert (r.year, r.template) == (expected["year"], expected["template"]), name
        rows = facts[(facts["report_id"] == r.report_id) & facts["note"].isna()]
        got = {
            (m, a if isinstance(a, str) else None): (None if pd.isna(v) else v)
            for m, a, v in zip(rows["metric"], rows["applicant"], rows["value"])
        }
        cells = expected_cells(expected["facts"])
        wrong = {k: (cells[k], v) for k, v in got.items() if k in cells and not same(cells[k], v)}
        assert not wrong, f"{name}: numbers that differ from the printed ones: {list(wrong.items())[:5]}"
        invented = [
            k for k, v in got.items() if k not in cells and v is not None and k[0].startswith("pre2019.")
        ]
        assert not invented, f"{name}: figures the document does not state: {invented[:5]}"
        # complete wherever the pipeline maps this kind of report at all (pre-2019 once it does)
        if expected["template"] != "pre2019" or any(m.startswith("pre2019.") for m, _ in got):
            missing = [k for k in cells if k not in got]
            assert not missing, f"{name}: expected values missing: {missing[:5]}"


def test_demo_portal_copies_are_byte_identical_to_the_corpus():
    copies = sorted((PORTAL / "real").glob("*.*[!l]"))  # the documents, not the article pages
    assert len(copies) == 14
    for copy in copies:
        (src,) = [p for p in CORPUS.glob(f"*/{copy.name}")]
        assert copy.read_bytes() == src.read_bytes(), copy.name


def test_demo_table_marks_every_synthetic_row(demo):
    out, _ = demo
    rows = [line for line in out.stdout.splitlines() if FICTIONAL_PREFIX in line and "20" in line]
    assert len(rows) == 10 and all(line.lstrip().startswith("SYNTHETIC") for line in rows)
    real_rows = [line for line in out.stdout.splitlines() if line.lstrip().startswith("real ")]
    assert len(real_rows) == 14 and not any(FICTIONAL_PREFIX in line for line in real_rows)
    assert ".0 " not in out.stdout.split("granted_%", 1)[1].replace("0.0 ", "")  # counts printed whole


def test_manifest_charset_holds_a_charset(demo):
    _, data = demo
    lines = [json.loads(x) for x in (data / "manifest/fetches.jsonl").read_text().splitlines() if x]
    assert lines and all("/" not in (rec.get("charset") or "") for rec in lines)
    from crawler.spiders.base import charset_of

    assert charset_of('text/html; charset="GBK"') == "gbk" and charset_of("text/html") is None


def test_systemd_units_and_cron_line():
    service = configparser.ConfigParser(strict=False)
    service.read(ROOT / "deploy/ogi-nightly.service")
    assert service["Service"]["Type"] == "oneshot"
    assert (
        "flock --nonblock" in service["Service"]["ExecStart"] and "ogi run" in service["Service"]["ExecStart"]
    )
    timer = configparser.ConfigParser(strict=False)
    timer.read(ROOT / "deploy/ogi-nightly.timer")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    cron = [
        line
        for line in (ROOT / "deploy/crontab").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert len(cron) == 1 and len(cron[0].split()) > 5 and "flock -n" in cron[0] and "ogi run" in cron[0]


def test_generated_outputs_are_git_ignored():
    paths = [
        "data/demo/parquet/reports/part-0.parquet",
        "notebooks/figures/yoy.png",
        "figures/yoy.png",
        "data/parquet/facts/part-0.parquet",
        ".venv/bin/python",
    ]
    out = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], capture_output=True, text=True, cwd=ROOT
    )
    assert sorted(out.stdout.split()) == sorted(paths)


def _fake_bin(tmp_path, uid: int) -> dict:
    """A PATH where no apt package is installed, python3 lacks venv and `id -u` is uid."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    fakes = {
        "dpkg-query": "echo 'unknown ok not-installed'",
        "id": f"echo {uid}",
        "python3": 'case "$*" in *ensurepip*) exit 1;; esac; exec ' + sys.executable + ' "$@"',
    }
    for name, body in fakes.items():
        (bin_ / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_ / name).chmod(0o755)
    return {"PATH": f"{bin_}:/usr/bin:/bin", "OGI_SETUP_DRY_RUN": "1", "HOME": str(tmp_path)}


def test_setup_installs_system_packages_as_root_and_python_only_in_the_venv(tmp_path):
    out = subprocess.run(
        ["bash", "scripts/setup"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_fake_bin(tmp_path, 0),
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    apt, pip = out.stdout.splitlines()
    assert apt.startswith("would run:  apt-get install") and "python3-venv" in apt and "make" in apt
    assert "libreoffice-writer-nogui" in apt and "fonts-noto-cjk" in apt
    assert pip.startswith("would run: .venv/bin/python -m pip install -e .[dev")  # never the system pip


def test_setup_without_root_or_sudo_names_what_is_missing(tmp_path):
    out = subprocess.run(
        ["bash", "scripts/setup"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_fake_bin(tmp_path, 1000),
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0 and "apt-get install" not in out.stdout
    assert "missing system packages: python3-venv make git" in out.stderr


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = [
        line.strip()
        for line in (ROOT / ".ci/run").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert "make test" in readme and "make demo" in readme and "make test" in ci
    make = subprocess.run(["make", "-n", "test", "demo"], capture_output=True, text=True, cwd=ROOT)
    assert "scripts/setup test" in make.stdout and "scripts/setup demo" in make.stdout
