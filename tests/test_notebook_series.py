"""notebooks/series_across_templates.ipynb runs end to end on the real 平潭综合实验区 reports.

The data is a normalisation of corpus files (2011–2017 pre-2019, 2019/2021/2023 national
template) with `ogi normalize`, so the test needs no demo build.  About 25 s.
"""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from conftest import CORPUS, ROOT
from nbclient import NotebookClient
from test_notebook import repeated_glyphs, title_glyphs

NOTEBOOK = ROOT / "notebooks" / "series_across_templates.ipynb"
YEARS = [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2019, 2021, 2023]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("series")
    files = sorted((CORPUS / "pre2019").glob("fujian_pingtan_zone_20*.page.txt"))
    files += sorted((CORPUS / "real").glob("fujian_pingtan_zone_20*.page.txt"))
    assert len(files) == len(YEARS)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ogi.cli",
            "normalize",
            *map(str, files),
            "--out",
            str(tmp / "data" / "parquet"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    nb = nbformat.read(NOTEBOOK, as_version=4)
    mp = pytest.MonkeyPatch()
    mp.setenv("OGI_DATA", str(tmp / "data"))
    mp.setenv("OGI_FIGURES", str(tmp / "figures"))
    try:
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        ).execute()
    finally:
        mp.undo()
    return nb, tmp / "figures"


def _text(nb) -> str:
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    return "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)


def test_series_notebook_shows_one_agency_across_the_template_change(executed):
    nb, _ = executed
    text = _text(nb)
    assert "agency: 平潭综合实验区管委会" in text
    assert "years: " + ", ".join(map(str, YEARS)) in text
    assert "roughly comparable" in text and "TEMPLATE_SPEC §7" in text
    assert "missing from font" not in text
    # the 2013 conflicts are listed with both numbers: table 72804 vs sentence 4970
    assert "72804" in text and "4970" in text


def test_series_chart_draws_chinese(executed):
    _, figures = executed
    png = figures / "series_across_templates.png"
    assert png.exists()
    assert len(title_glyphs(png)) >= 15 and repeated_glyphs(png) == 0


def test_series_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
