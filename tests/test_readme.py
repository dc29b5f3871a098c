"""Every code block of README.md runs verbatim, in order, after `make demo`.

A reader copies the blocks one after another into one terminal: so do we.  The repository
is laid out in a sandbox (symlinks to this checkout, `../shared` beside it, its own
`data/` for what the commands write), `make demo` runs there first, then all bash blocks
and the python blocks (as `python - <<'PY'`) run as one bash session with `set -e`.
A block that needs the network, root or a browser is preceded by
`<!-- readme-test: skip (why) -->`; the tests that cover it instead are named there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

README = ROOT / "README.md"
BLOCK = re.compile(
    r"(?:<!-- readme-test: skip \((?P<why>[^)]*)\) -->\n)?```(?P<lang>bash|python)\n(?P<code>.*?)```", re.S
)
WRITTEN = {"demo", "parquet", "raw", "runs", "manifest"}  # what the commands write under data/


def blocks() -> list[dict]:
    return [m.groupdict() for m in BLOCK.finditer(README.read_text(encoding="utf-8"))]


def session_script(found: list[dict]) -> str:
    """The runnable blocks as one bash session; python blocks through the current `python`."""
    parts = ["set -euo pipefail"]
    for n, b in enumerate(found):
        if b["why"]:
            continue
        parts.append(f"echo '### README block {n}' >&2")
        parts.append(b["code"] if b["lang"] == "bash" else f"python - <<'PY'\n{b['code']}PY")
    return "\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    if sys.prefix == sys.base_prefix:
        pytest.fail("run the tests from the project's virtualenv (`make test`): the README uses .venv")
    work = tmp_path_factory.mktemp("readme")
    repo = work / "ogi-reports"
    repo.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in (".git", "data", ".venv"):
            (repo / entry.name).symlink_to(entry)
    (repo / ".venv").symlink_to(Path(sys.prefix))
    (repo / "data").mkdir()
    for entry in (ROOT / "data").iterdir():
        if entry.name == "dictionary":  # `ogi dictionary --out data/dictionary` rewrites it
            shutil.copytree(entry, repo / "data" / entry.name)
        elif entry.name not in WRITTEN:
            (repo / "data" / entry.name).symlink_to(entry)
    (work / "shared").symlink_to(SHARED)
    demo = subprocess.run(
        ["make", "demo"], cwd=repo, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert (repo / "data/demo/parquet/facts").is_dir() and "SYNTHETIC" in demo.stdout
    return repo


def test_readme_blocks_are_found_and_every_skip_says_why():
    found = blocks()
    runnable = [b for b in found if not b["why"]]
    assert len(runnable) >= 3 and any(b["lang"] == "python" for b in runnable)
    assert all(len(b["why"].strip()) > 10 for b in found if b["why"] is not None)
    quick = found[0]
    assert quick["code"].split("#")[0].strip() == "make demo" and "make test" in quick["code"]


def test_every_readme_block_runs_verbatim_after_make_demo(sandbox):
    script = session_script(blocks())
    out = subprocess.run(
        ["bash", "-c", script],
        cwd=sandbox,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    last = [line for line in out.stderr.splitlines() if line.startswith("### README block")][-1:]
    assert out.returncode == 0, f"{last}: {out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    assert "Traceback" not in out.stderr
    # what the blocks promise was written, where they said
    for path in (
        "data/parquet/facts",
        "wide.parquet",
        "long.csv",
        "wide.xlsx",
        "data/dictionary/columns.csv",
    ):
        assert (sandbox / path).exists(), path
