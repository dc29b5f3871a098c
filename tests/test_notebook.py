"""notebooks/compare_agencies.ipynb runs end to end on `ogi demo` data, with Chinese drawn.

CI runs this file: a notebook error fails the build.  The saved chart is checked for
"tofu": a font without CJK glyphs draws every character as the same box, so the first
characters of the Chinese title would repeat; real glyphs do not.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import matplotlib
import nbformat
import numpy as np
import pytest
from conftest import ROOT
from nbclient import NotebookClient
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "compare_agencies.ipynb"


def title_glyphs(png) -> list[np.ndarray]:
    """Ink blobs of the first line of text at the top of the image (the chart title)."""
    img = np.asarray(Image.open(png).convert("L")) < 140
    top = img[: max(8, int(img.shape[0] * 0.08))]
    rows = np.where(top.any(axis=1))[0]
    assert len(rows), f"no title drawn at the top of {png}"
    end = rows[0]
    while end + 1 < len(top) and top[end + 1].any():
        end += 1
    strip = top[rows[0] : end + 1]
    cols = list(strip.any(axis=0)) + [False]
    blobs, start = [], None
    for x, ink in enumerate(cols):
        if ink and start is None:
            start = x
        elif not ink and start is not None:
            piece = strip[:, start:x]
            r = np.where(piece.any(axis=1))[0]
            blobs.append(piece[r.min() : r.max() + 1])
            start = None
    return blobs


def repeated_glyphs(png, n: int = 6) -> int:
    """How many of the title's first `n` glyphs look like one before them."""

    def similar(a, b):
        if abs(a.shape[0] - b.shape[0]) > 1 or abs(a.shape[1] - b.shape[1]) > 1:
            return False
        h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        return (a[:h, :w] == b[:h, :w]).mean() > 0.9

    blobs = [b for b in title_glyphs(png) if b.shape[1] > 3][:n]
    return sum(any(similar(blobs[i], blobs[j]) for j in range(i)) for i in range(len(blobs)))


def test_tofu_detector_catches_a_font_without_chinese(tmp_path):
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(10, 6))
        ax.barh(["淄博市应急管理局 2019"], [0.5])
        ax.set_title("办理结果构成 / outcome shares of requests handled")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.tight_layout()
            fig.savefig(tmp_path / "tofu.png", dpi=120)
        plt.close(fig)
    assert repeated_glyphs(tmp_path / "tofu.png") >= 4


# put in the notebook when the test runs it: every text drawn on each chart as it is saved
# (the inline backend closes figures after each cell, so they are read at savefig)
INSPECT = """
import json as _json
from matplotlib.figure import Figure as _Figure
_save = _Figure.savefig
def _recording_savefig(fig, *args, **kwargs):
    texts = []
    for ax in fig.axes:
        texts += [("xlabel", ax.get_xlabel()), ("ylabel", ax.get_ylabel())]
        texts += [("tick", t.get_text()) for t in ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend():
            texts += [("legend", t.get_text()) for t in ax.get_legend().get_texts()]
    print("CHART_TEXTS" + _json.dumps(texts, ensure_ascii=False))
    return _save(fig, *args, **kwargs)
_Figure.savefig = _recording_savefig
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notebook")
    demo = subprocess.run(
        [sys.executable, "-m", "ogi.cli", "demo", "--data", str(tmp / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(INSPECT))
    mp = pytest.MonkeyPatch()
    # relative, as a reader types it from the repository root; the kernel runs in notebooks/
    mp.setenv("OGI_DATA", os.path.relpath(tmp / "demo", ROOT))
    mp.setenv("OGI_FIGURES", str(tmp / "figures"))
    try:  # raises CellExecutionError on the first failing cell
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        ).execute()
    finally:
        mp.undo()
    return nb, tmp / "figures"


def test_notebook_runs_clean(executed):
    nb, _ = executed
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "missing from font" not in stderr and "Warning" not in stderr.replace("WARNING | Kernel", "")
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "淄博市应急管理局" in text and "carry_over_consistent" in text
    assert "font for Chinese labels:" in text


def test_notebook_charts_draw_chinese(executed):
    _, figures = executed
    pngs = sorted(p.name for p in figures.glob("*.png"))
    assert pngs == ["appeals.png", "outcome_shares.png", "quality.png", "requests_per_year.png", "yoy.png"]
    png = figures / "outcome_shares.png"
    assert Image.open(png).size[0] >= 800
    assert len(title_glyphs(png)) >= 20 and repeated_glyphs(png) == 0


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def _outputs_text(nb) -> str:
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    return "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)


def test_charts_have_no_leftover_labels_float_years_or_unmarked_synthetic_names(executed):
    nb, _ = executed
    text = _outputs_text(nb)
    charts = [json.loads(part.splitlines()[0]) for part in text.split("CHART_TEXTS")[1:]]
    assert len(charts) == 5
    texts = [t for chart in charts for t in chart]
    labels = [t for kind, t in texts if kind in ("xlabel", "ylabel")]
    assert not {"row", "label", "agency", "None"} & set(labels), labels
    assert not [t for _, t in texts if re.search(r"\b(19|20)\d\d\.\d\b", t)], "a year drawn as 2019.0"
    fictional = [t for _, t in texts if "示例" in t]
    assert fictional and all("synthetic" in t for t in fictional)
    assert any("平潭" in t for _, t in texts)  # the real agencies are drawn too


def test_year_over_year_skips_and_names_the_gaps(executed):
    nb, _ = executed
    text = _outputs_text(nb)
    assert "平潭综合实验区管委会: no report for 2020, so 2021 is not compared with 2019" in text


def test_year_over_year_compares_consecutive_years_only():
    import pandas as pd

    from publish.panel import year_over_year

    panel = pd.DataFrame(
        {"a": [100.0, 304.0, 152.0], "b": [10.0, None, 20.0]}, index=[2019.0, 2021.0, 2022.0]
    )
    yoy, gaps = year_over_year(panel)
    assert list(yoy.index) == [2019, 2020, 2021, 2022] and list(yoy.columns) == ["a"]
    assert yoy["a"].isna().tolist() == [True, True, True, False] and yoy.loc[2022, "a"] == -50
    assert gaps == [
        "a: no report for 2020, so 2021 is not compared with 2019",
        "b: no report for 2020, 2021, so 2022 is not compared with 2019",
    ]


def test_relative_paths_resolve_from_the_repository_root(tmp_path):
    from publish.panel import resolve

    nb_dir = ROOT / "notebooks"
    assert resolve("data/demo", "x", nb_dir) == ROOT / "data/demo"
    assert resolve(None, "figures", nb_dir) == ROOT / "figures"
    assert resolve(str(tmp_path), "x", nb_dir) == tmp_path
    (tmp_path / "mine").mkdir()
    assert resolve("mine", "x", tmp_path) == tmp_path / "mine"  # found where Jupyter started
