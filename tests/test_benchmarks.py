"""Every benchmark the README names runs, at a small size (CI catches a crashing benchmark).

The README's commands are read from its text (`python bench/<name>.py …`); each runs here
with SMALL's arguments instead of the full size.  A benchmark the README names without an
entry in SMALL fails this test: add its small-size arguments here.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

# small sizes: seconds each, enough to exercise every code path of the benchmark
SMALL = {
    "bench_crawl.py": ["--reports", "40"],
    "bench_normalize.py": ["--reports", "8", "--pdf-distinct", "2"],
    "bench_pipeline.py": ["--size", "40", "--new", "4", "--jobs", "2"],
    "bench_ocr.py": ["--synthetic", "1", "--no-corpus"],
}
NAMED = sorted(set(re.findall(r"python3? (bench/\w+\.py)", (ROOT / "README.md").read_text(encoding="utf-8"))))


def test_the_readme_names_benchmarks():
    assert "bench/bench_normalize.py" in NAMED and "bench/bench_crawl.py" in NAMED


@pytest.mark.parametrize("script", NAMED)
def test_benchmark_runs_small(script):
    name = script.rsplit("/", 1)[-1]
    assert (ROOT / script).is_file(), f"the README names {script}, which does not exist"
    assert name in SMALL, f"add small-size arguments for {name} to SMALL in tests/test_benchmarks.py"
    out = subprocess.run(
        [sys.executable, script, *SMALL[name]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert re.search(r"ratio|\d\s*[×x]", out.stdout), (
        out.stdout
    )  # each prints ratios (×) against its in-run baseline
