"""Build data/demo_portal/: a static copy of a TRS-style portal column for `ogi demo`.

    python3 tests/build_demo_portal.py

Three agencies over five years, 2019 and 2020 in the 2019 template (HTML reports, UTF-8
and GBK, one as a DOCX attachment), each year's 上年结转 equal to the year before's
结转下年度 except one (平潭 2022), plus two real published PDFs (淮安市洪泽区 2023 and 2024, the 2023 one with its printed
arithmetic errors).  Committed, so the demo needs neither the network nor ../shared.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import synth

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "demo_portal"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
COL = "zwgk/zfxxgknb"


def main() -> None:
    rng = random.Random(2024)
    if OUT.exists():
        shutil.rmtree(OUT)
    col = OUT / COL
    items: list[tuple[str, str, str]] = []
    n = 0
    for agency in ("淄博市应急管理局", "平潭综合实验区管委会", "嘉善县大云镇人民政府"):
        last = None
        for year in (2019, 2020, 2021, 2022, 2023):
            n += 1
            carried = {a: int(last.values[("requests.carried_forward", a)]) for a in synth.APPLICANTS[:-1]} if last else None
            if carried and agency.startswith("平潭") and year == 2022:
                carried["natural_person"] += 3  # as real reports sometimes do: last year's figure revised
            spec = synth.make_spec(rng, "2019" if year < 2021 else "2021", year=year, agency=agency,
                                   carried_over=carried, realistic=True)
            last = spec
            rel = f"{year + 1}01/t{year + 1}01{10 + n:02d}_{8800 + n}.html"
            title = f"{agency}{year}年度政府信息公开工作年度报告"
            (col / rel).parent.mkdir(parents=True, exist_ok=True)
            if agency.startswith("嘉善") and year == 2022:
                docx = f"{year + 1}01/W0{year + 1}0115_{n}.docx"
                (col / docx).write_bytes(synth.render_docx(spec))
                (col / rel).write_text(f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
                                       f'<div class="TRS_Editor"><h1>{title}</h1><p>详见附件：'
                                       f'<a href="./{Path(docx).name}">{title}.docx</a></p></div></body></html>', encoding="utf-8")
            else:
                (col / rel).write_bytes(synth.render_html(spec, encoding="gb18030" if n % 2 else "utf-8"))
            items.append((rel, title, f"{year + 1}-01-{10 + n:02d}"))
    for year in (2023, 2024):
        rel = f"{year + 1}01/t{year + 1}0120_{9900 + year}.html"
        pdf = f"{year + 1}01/P0{year + 1}0120_{year}.pdf"
        title = f"淮安市洪泽区人民政府{year}年政府信息公开工作年度报告"
        (col / pdf).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / f"jiangsu_huaian_hongze_district_gov_{year}.pdf", col / pdf)
        (col / rel).write_text(f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
                               f'<div class="TRS_Editor"><h1>{title}</h1><p>附件：<a href="./{Path(pdf).name}">'
                               f'{title}.pdf</a></p></div></body></html>', encoding="utf-8")
        items.append((rel, title, f"{year + 1}-01-20"))
    items.insert(3, ("notice_1.html", "关于2023年政务公开工作要点的通知", "2023-03-01"))
    items.sort(key=lambda x: x[2], reverse=True)
    pages = [items[i:i + 6] for i in range(0, len(items), 6)]
    for k, chunk in enumerate(pages):
        lis = "\n".join(f'<li><a href="./{r}" title="{t}">{t}</a><span>{d}</span></li>' for r, t, d in chunk)
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
                f'<div class="nav"><a href="/">首页</a></div><ul class="list">{lis}</ul>'
                f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script></body></html>')
        (col / ("index.html" if k == 0 else f"index_{k}.html")).write_text(html, encoding="utf-8")
    (col / "notice_1.html").write_text("<html><body>通知</body></html>", encoding="utf-8")
    (OUT / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    print(f"demo portal: {sum(1 for _ in OUT.rglob('*') if _.is_file())} files in {OUT}")


if __name__ == "__main__":
    main()
