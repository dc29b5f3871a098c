"""`ogi demo` works offline from a fresh clone; the nightly units are well-formed."""
from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_demo_runs_the_whole_pipeline_offline(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ogi.cli", "demo", "--data", str(tmp_path / "demo")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "17 reports: 17 ok, 0 partial, 0 failed; 2 checks failed" in out.stdout
    reports = pd.read_parquet(tmp_path / "demo/parquet/reports")
    assert set(reports["format"]) == {"html", "docx", "pdf"}
    assert reports["source_url"].notna().all() and reports["fetched_at"].notna().all()
    assert "淄博市应急管理局" in out.stdout and "granted_%" in out.stdout


def test_systemd_units_and_cron_line():
    service = configparser.ConfigParser(strict=False)
    service.read(ROOT / "deploy/ogi-nightly.service")
    assert service["Service"]["Type"] == "oneshot"
    assert "flock --nonblock" in service["Service"]["ExecStart"] and "ogi run" in service["Service"]["ExecStart"]
    timer = configparser.ConfigParser(strict=False)
    timer.read(ROOT / "deploy/ogi-nightly.timer")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    cron = [l for l in (ROOT / "deploy/crontab").read_text().splitlines() if l and not l.startswith("#")]
    assert len(cron) == 1 and len(cron[0].split()) > 5 and "flock -n" in cron[0] and "ogi run" in cron[0]
