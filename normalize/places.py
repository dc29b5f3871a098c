"""Agency name (+ the portal's region) → where the agency sits: code, names, level.

Why this exists: researchers compare cities and counties, but reports only print a name
like "淄博市应急管理局".  We read the chain of division names at the start of the name
(山东省 → 淄博市 → 张店区 → 某街道) against the national list in data/divisions/, each
link a child of the one before.  A name that fits more than one division (朝阳区 is in
Beijing and Changchun) is narrowed with the portal's region, and left null with the
reason if it is still ambiguous: a wrong place is worse than none.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from .textnorm import norm

DATA = Path(__file__).resolve().parents[1] / "data" / "divisions"
RULES = Path(__file__).resolve().parent / "templates" / "places.yaml"
LEVELS = ("province", "city", "county", "township", "unknown")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province, city, county
    parent_code: str
    province: str
    city: str
    county: str

    @property
    def label(self) -> str:
        """省市县 path and code, for notes (北京市朝阳区 110105)."""
        return f"{self.province}{self.city if self.city != self.province else ''}{self.county} {self.code}"


@dataclass(frozen=True)
class Place:
    """The places columns of a report (SCHEMA.md), plus the township and how it was found."""

    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    admin_level: str = "unknown"
    note: str | None = None
    unit: str | None = None  # the rest of the name after the places: 应急管理局, 人民政府 …

    @property
    def agency_key(self) -> str | None:
        """The same agency across years, however its name is printed (洪泽区人民政府 and
        淮安市洪泽区人民政府 are one): place code + township + the rest of the name."""
        if self.region_code is None:
            return f"name/{self.unit}" if self.unit else None
        return f"{self.region_code}/{self.township or ''}/{self.unit or ''}"

    def columns(self) -> dict[str, str | None]:
        return {
            "region_code": self.region_code,
            "province": self.province,
            "city": self.city,
            "county": self.county,
            "township": self.township,
            "admin_level": self.admin_level,
            "place_note": self.note,
            "agency_key": self.agency_key,
        }


@dataclass(frozen=True)
class _Entry:
    division: Division
    kind: str  # full, form (恩施州), short (淄博, only before a zone word), former (old name)
    parent_name: str = ""  # for former names: the parent printed with it
    detail: str = ""


class Gazetteer:
    """The national division list, indexed by every name an agency may print."""

    def __init__(self, folder: Path = DATA, rules_path: Path = RULES):
        if not (folder / "divisions.csv").exists():
            raise FileNotFoundError(
                f"the national division list is missing from {folder}: run from a clone "
                "installed with scripts/setup, or rebuild it with scripts/build_divisions.py"
            )
        rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
        self.rules = rules
        self.divisions: dict[str, Division] = {}
        with open(folder / "divisions.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.divisions[row["code"]] = Division(**row)
        self.abolished: dict[str, str] = {}
        with open(folder / "abolished.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                parent = self.divisions[row["parent_code"]]
                city = parent.name if parent.level == "city" else (parent.city or parent.province)
                county = row["name"] if row["level"] == "county" else ""
                if row["level"] == "city":
                    city = row["name"]
                self.divisions[row["code"]] = Division(
                    row["code"], row["name"], row["level"], parent.code, parent.province, city, county
                )
                successor = self.divisions.get(row["merged_into"])
                self.abolished[row["code"]] = (
                    f"{row['name']} was abolished in {row['year']}"
                    + (f" (merged into {successor.name})" if successor else "")
                    + ": its last code"
                )
        self.children: dict[str, list[str]] = {}
        for d in self.divisions.values():
            self.children.setdefault(d.parent_code, []).append(d.code)
        self.index: dict[str, list[_Entry]] = {}
        for d in self.divisions.values():
            self._add(d.name, _Entry(d, "full"))
            for kind, name in self._variants(d):
                self._add(name, _Entry(d, kind))
        with open(folder / "former_names.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                d = self.divisions.get(row["code"])
                if d and row["old_name"] != d.name:
                    self._add(
                        row["old_name"],
                        _Entry(
                            d,
                            "former",
                            row["old_parent"],
                            f"{row['old_name']} became {d.name} ({row['type']} {row['year']})",
                        ),
                    )
        self.townships: dict[str, dict[str, str]] = {}
        with open(folder / "townships.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.townships.setdefault(row["county_code"], {})[row["name"]] = row["code"]
        self.max_len = max(map(len, self.index))
        self.town_max = max(len(n) for names in self.townships.values() for n in names)
        self.prefixes = sorted(rules["prefixes"], key=len, reverse=True)
        self.zones = sorted(rules["zone_keywords"], key=len, reverse=True)
        self.scenic = sorted(rules["scenic_keywords"], key=len, reverse=True)
        self.township_re = re.compile(rules["township_pattern"])
        self.division_like = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:市|县|区|旗|州|盟))")

    def _add(self, name: str, entry: _Entry) -> None:
        entries = self.index.setdefault(name, [])
        if all(e.division.code != entry.division.code for e in entries):
            entries.append(entry)

    def _variants(self, d: Division) -> list[tuple[str, str]]:
        """Short names and printed forms of one division (淄博市 → 淄博; 恩施…自治州 → 恩施州)."""
        rules = self.rules
        if d.level == "province" and d.name in rules["province_short"]:
            return [("short", rules["province_short"][d.name])]
        out: list[tuple[str, str]] = []
        for ending in rules["endings"]:
            if d.name.endswith(ending) and len(d.name) > len(ending):
                stem = d.name[: -len(ending)]
                if ending.startswith("自治"):
                    stem = self._strip_ethnic(stem)
                    if len(stem) >= 2 and ending in rules["forms"]:
                        out.append(("form", stem + rules["forms"][ending]))
                if len(stem) >= 2:
                    out.append(("short", stem))
                break
        return out

    def _strip_ethnic(self, stem: str) -> str:
        changed = True
        while changed:
            changed = False
            for group in self.rules["ethnic_groups"]:
                if stem.endswith(group) and len(stem) > len(group):
                    stem, changed = stem[: -len(group)], True
        return stem

    def ancestors(self, code: str) -> list[str]:
        out = []
        while code:
            out.append(code)
            code = self.divisions[code].parent_code if code in self.divisions else ""
        return out

    def related(self, a: str, b: str) -> bool:
        """One division contains the other (or they are the same)."""
        return a in self.ancestors(b) or b in self.ancestors(a)

    def counties_under(self, code: str) -> list[str]:
        """The county-level divisions inside `code` (itself if it is one)."""
        d = self.divisions.get(code)
        if d is None:
            return []
        if d.level == "county":
            return [code]
        out = []
        for child in self.children.get(code, []):
            out.extend(self.counties_under(child))
        return out

    # -- reading a name -----------------------------------------------------------

    def _zone_at(self, text: str, pos: int) -> bool:
        return any(text.startswith(z, pos) for z in self.zones)

    def _short_fits(self, entry: _Entry, text: str, pos: int) -> bool:
        """A short name counts only right before a zone word (淄博|高新区, 平潭|综合实验区);
        a county's only before a development zone, not a scenic area (泰山|风景名胜区)."""
        if self._zone_at(text, pos) or any(text.startswith(w, pos) for w in self.rules["short_name_words"]):
            return True
        return entry.division.level != "county" and any(text.startswith(z, pos) for z in self.scenic)

    def _skip_zone(self, text: str, pos: int) -> int:
        """Past a zone keyword right after the chain, so a township after it can be read."""
        for z in self.zones + self.scenic:
            if text.startswith(z, pos):
                return pos + len(z)
        return pos

    def _division_at(self, text: str, pos: int, within: list[Division] | None) -> tuple[list[_Entry], int]:
        """Longest division name at `pos` that fits under one of `within` (any, if None)."""
        for length in range(min(self.max_len, len(text) - pos), 1, -1):
            entries = self.index.get(text[pos : pos + length])
            if not entries:
                continue
            fits = []
            for e in entries:
                if e.kind == "short" and not self._short_fits(e, text, pos + length):
                    continue
                if within is not None:
                    if not any(
                        e.division.code != w.code and w.code in self.ancestors(e.division.code)
                        for w in within
                    ):
                        continue
                    if (
                        e.kind == "former"
                        and e.parent_name
                        and not any(e.parent_name.endswith(w.name) for w in within)
                    ):
                        continue
                fits.append(e)
            if fits:
                return fits, length
        return [], 0

    def _township_at(self, text: str, pos: int, areas: list[str]) -> list[tuple[str, str, str]]:
        """(county code, township name, township code) for township names at `pos` in `areas`."""
        counties = [c for a in areas for c in self.counties_under(a)]
        for length in range(min(self.town_max, len(text) - pos), 1, -1):
            name = text[pos : pos + length]
            hits = [(c, name, self.townships[c][name]) for c in counties if name in self.townships.get(c, {})]
            if hits:
                return hits
        return []

    def _unknown_division(self, text: str, pos: int) -> str | None:
        """A division-like word left unread after the chain (漳州市|龙海市 before 2021 data).

        Reading on from the parent would put a county's report at city level, so such a
        name is left unresolved instead.
        """
        m = self.division_like.match(text, pos)
        if not m or self.township_re.match(text, pos):
            return None
        word = m.group(1)
        if any(word.endswith(z) for z in self.zones + self.scenic) or word in self.rules["area_words"]:
            return None
        if any(w in word for w in self.rules["agency_words"]):
            return None
        return word

    def resolve(self, agency: str | None, region_hint: str | None = None) -> Place:
        """Where `agency` sits; `region_hint` is the 6-digit code of the portal it came from."""
        place = self._resolve(agency, region_hint)
        if place.region_code is None and agency:  # still one key per printed name
            place = replace(place, unit=re.sub(r"\s+", "", norm(agency)))
        return place

    def _resolve(self, agency: str | None, region_hint: str | None) -> Place:
        hint = self.divisions.get((region_hint or "").strip()[:6]) if region_hint else None
        text = re.sub(r"\s+", "", norm(agency or ""))
        text = re.sub(r"^[(\[（【].*?[)\]）】]", "", text)
        stripped = True
        while stripped:
            stripped = False
            for p in self.prefixes:
                if text.startswith(p) and len(text) > len(p):
                    text, stripped = text[len(p) :], True
        if not text and hint is None:
            return Place(note="no agency name")
        if any(text.startswith(c) for c in self.rules["central"]):
            return Place(note="central government body: no local division")

        pos, cands, notes = 0, None, []
        while pos < len(text):
            entries, length = self._division_at(text, pos, cands)
            if not entries:
                break
            notes = [e.detail for e in entries if e.kind == "former"]
            cands, pos = [e.division for e in entries], pos + length

        township, unit_at = None, pos
        if cands is not None:
            after_zone = self._skip_zone(text, pos)
            towns = self._township_at(text, after_zone, [d.code for d in cands if d.level == "county"])
            if towns:
                cands = [self.divisions[c] for c, _, _ in towns]
                township = towns[0][1]
                pos = unit_at = after_zone + len(township)
        elif hint is not None:
            towns = self._township_at(text, 0, [hint.code])
            if towns:
                cands = [self.divisions[c] for c, _, _ in towns]
                township = towns[0][1]
                pos = unit_at = len(township)
                notes.append("township read within the portal's region")

        if cands is None:
            if hint is None:
                return Place(note="no division named in the agency name, and no portal region")
            cands = [hint]
            notes.append("agency name names no division: place from the portal's region")
        if len(cands) > 1 and hint is not None:
            narrowed = [d for d in cands if self.related(d.code, hint.code)]
            if narrowed:
                cands = narrowed
                if len(narrowed) == 1:
                    notes.append("ambiguous name narrowed by the portal's region")
        if len(cands) > 1:
            names = ", ".join(d.label for d in cands[:6])
            return Place(note=f"ambiguous: {text[:pos] or text[:8]} could be {names}")
        d = cands[0]
        if hint is not None and not self.related(d.code, hint.code):
            return Place(
                note=f"the name's {d.label} is outside the portal's region {hint.label}: not resolved"
            )
        if d.code in self.abolished:
            notes.append(self.abolished[d.code])
        unknown = self._unknown_division(text, pos) if township is None else None
        if unknown:
            return Place(note=f"{unknown} after {text[:pos]} is not in the division list: not resolved")
        m = self.township_re.match(text, pos) if township is None else None
        if m:
            township = m.group("township")
            unit_at = pos + len(township)
            notes.append("township not in the division list")
        level = "township" if township else d.level
        city = d.city or None
        if d.level == "province":
            city = None
        return Place(
            region_code=d.code,
            province=d.province or None,
            city=city,
            county=d.county or None,
            township=township,
            admin_level=level,
            note="; ".join(notes) or None,
            unit=text[unit_at:] or None,
        )


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


def resolve(agency: str | None, region_hint: str | None = None) -> Place:
    """Module-level shortcut using the shipped national list."""
    return gazetteer().resolve(agency, region_hint)
