#!/usr/bin/env python3
"""Convert Vietnam's administrative unit lists into chitieu's gazetteer data files.

Source
    The PyPI package ``vietnamadminunits`` version 1.0.4 (MIT licence, copyright (c) 2025
    Tran Ngoc Minh Hieu), whose data derives from the General Statistics Office's list of
    administrative units. Only its data files are read: ``data/dataset.db`` (SQLite tables
    ``admin_units_legacy`` = the list before 1 July 2025 and ``admin_units`` = the list from
    1 July 2025) and ``data/converter_2025.json`` (old -> new mapping of provinces and communes).
    No code of the package is used or copied. See NOTICE at the repository root.
    SHA-256 of the inputs used for the committed output:
        vietnamadminunits-1.0.4-py3-none-any.whl  737ee3662e877290386c1c45ed4d71f2e5fae34ab6fb9c64bfb4cb74b216ea35
        data/dataset.db                           147cbbf81c8964bb594e1dda7ebab5649bce21efbfd6cb508cab7fefca62257d
        data/converter_2025.json                  84f0848bf401b047775cbb49768c181a9271f77e4a4ec706d293b09bcb4faddd

How to re-run
    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    (cd /tmp/vau && unzip -o vietnamadminunits-1.0.4-py3-none-any.whl)
    python3 tools/convert_admin_units.py /tmp/vau/vietnamadminunits data/units

    Standard library only. The output is byte-for-byte reproducible (gzip with mtime 0, rows
    in a fixed order, ids derived from official codes).

Output (UTF-8, NFC, tab-separated, one header line, gzip'd)
    units.tsv.gz        unit_id level kind name code parent valid_from valid_to
                        one row per *version* of a unit; dates ISO, empty = open-ended.
    successions.tsv.gz  from_unit to_unit date partial   (partial is "true"/"false")

Model
    * Unit 1 is Việt Nam (level nation, kind quoc_gia), the parent of every province.
    * Units of the old list: valid_from empty (they predate our records), valid_to 2025-06-30.
      The old list is the last one before the reform; units that changed earlier are not
      modelled, so a date before 2025 sees that final list.
    * Districts end on 2025-06-30 and have no successors, except the five island districts
      that had no communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): each became a
      đặc khu of the same name, so a full succession district -> đặc khu is recorded.
    * A province of the new list formed only from itself (e.g. Lạng Sơn) is the same unit,
      continuing: one version with no valid_to (a second version if name, kind or code had
      changed, which does not happen in 1.0.4). Every other new province is a new unit with a
      full succession from each old province.
    * A new commune made of exactly one whole old commune with the same name and kind is the
      same unit: its old version ends 2025-06-30 and a new version (parent: the province, new
      code) starts 2025-07-01. Every other new commune is a new unit with a succession from
      each old commune that went into it; partial=true when the old commune was divided
      (DICT_PROVINCE_WARD_DIVIDED), false when it went in whole.
    * Unit ids: 1 for the nation, otherwise  era * 1_000_000 + level * 100_000 + int(code)
      with era 1 = old list, 2 = list of 1 July 2025, level 1 = province, 2 = district,
      3 = commune. A continuing unit keeps its era-1 id. Ids are internal, never codes, and
      are stable across re-runs and across upstream row order.

Names
    The proper name is the full name (e.g. "Xã Vũ Sơn") without its kind word, matched
    case-insensitively ("Thị Trấn Ái Tử" -> "Ái Tử"). The package's short-name columns are not
    used: they add disambiguators such as "Yên Viên (Thị trấn)". Numbered wards keep their
    number as the name: "Phường 1" -> name "1".
    Capitalization: in the source every syllable of a proper name starts with a capital, except
    a handful where a syllable starts with an accented vowel ("Đồng ý", "Đại áng", "Pa ủ",
    "Mường é", "é Tòng", "Ya ly"): an artefact of case conversion. For consistency with the rest
    of the list (and the new list, which has none), the first letter of such syllables is
    capitalized ("Đồng Ý"); nothing else is changed. Names of the form "Nông trường X"
    (thị trấn of state farms) are official as written and kept. Every change is printed.
    Kind: taken from the kind word of the full name. Where the source's type column disagrees
    (e.g. "Thị trấn Ngọc Lặc" typed Xã, "Phường 5" of Phú Nhuận typed Xã), the name wins; the
    conflicts are printed.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import sys
import unicodedata
from pathlib import Path

OLD_END = "2025-06-30"
NEW_START = "2025-07-01"
NATION_ID = 1

# Kind words, longest first, as they start a full name (compared case-insensitively).
KIND_WORDS = [
    ("thành phố", "thanh_pho"),
    ("thị trấn", "thi_tran"),
    ("thị xã", "thi_xa"),
    ("đặc khu", "dac_khu"),
    ("huyện", "huyen"),
    ("phường", "phuong"),
    ("quận", "quan"),
    ("tỉnh", "tinh"),
    ("xã", "xa"),
]
# The source's type column, for the consistency check only.
TYPE_KEYS = {w: k for w, k in KIND_WORDS}
LEVEL_KINDS = {
    "province": {"tinh", "thanh_pho"},
    "district": {"huyen", "quan", "thi_xa", "thanh_pho"},
    "commune": {"xa", "phuong", "thi_tran", "dac_khu"},
}
ISLAND_DISTRICTS = {"huyenbachlongvi", "huyenconco", "huyenhoangsa", "huyenlyson", "huyencondao"}

log_lines: list[str] = []


def log(msg: str) -> None:
    log_lines.append(msg)
    print(msg, file=sys.stderr)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def fix_caps(name: str) -> str:
    """Capitalize the first letter of each syllable, except in 'Nông trường X'."""
    words = name.split(" ")
    start = 2 if len(words) > 2 and words[0] == "Nông" and words[1] == "trường" else 0
    out = []
    for i, w in enumerate(words):
        if i >= start and w[:1].islower():
            w = w[:1].upper() + w[1:]
        out.append(w)
    return " ".join(out)


def split_name(full: str, level: str, type_col: str | None) -> tuple[str, str]:
    """('Xã Vũ Sơn', 'commune', 'Xã') -> ('xa', 'Vũ Sơn')."""
    full = " ".join(nfc(full).split())
    lower = full.lower()
    for word, key in KIND_WORDS:
        if lower.startswith(word + " ") and key in LEVEL_KINDS[level]:
            name = full[len(word) + 1 :].strip()
            fixed = fix_caps(name)
            if fixed != name:
                log(f"capitalized: {full!r} -> {fixed!r}")
            if type_col:
                tkey = TYPE_KEYS.get(nfc(type_col).lower())
                if tkey != key:
                    log(f"kind conflict: {full!r} typed {type_col!r}; using {key}")
            return key, fixed
    raise SystemExit(f"no {level} kind word in {full!r}")


def unit_id(era: int, level: str, code: str) -> int:
    lvl = {"province": 1, "district": 2, "commune": 3}[level]
    return era * 1_000_000 + lvl * 100_000 + int(code)


def main(src: Path, out: Path) -> None:
    db = sqlite3.connect(src / "data" / "dataset.db")
    conv = json.loads((src / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    dict_province = conv["DICT_PROVINCE"]
    whole = conv["DICT_PROVINCE_WARD_NO_DIVIDED"]
    divided = conv["DICT_PROVINCE_WARD_DIVIDED"]

    # version rows: (unit_id, level, kind, name, code, parent, valid_from, valid_to)
    versions: list[tuple] = [(NATION_ID, "nation", "quoc_gia", "Việt Nam", "", "", "", "")]
    successions: set[tuple] = set()

    # ---- the old list -------------------------------------------------------------------
    old_prov: dict[str, dict] = {}  # provinceKey -> info
    old_dist: dict[tuple[str, str], dict] = {}  # (provinceKey, districtKey) -> info
    old_comm: dict[str, dict] = {}  # "prov_dist_ward" key -> info
    rows = db.execute(
        "SELECT province, provinceCode, provinceKey, district, districtType, districtCode,"
        " districtKey, ward, wardType, wardCode, wardKey FROM admin_units_legacy"
    ).fetchall()
    for p, pcode, pkey, d, dtype, dcode, dkey, w, wtype, wcode, wkey in rows:
        if pkey not in old_prov:
            kind, name = split_name(p, "province", None)
            old_prov[pkey] = {"id": unit_id(1, "province", pcode), "kind": kind, "name": name, "code": pcode}
        if (pkey, dkey) not in old_dist:
            kind, name = split_name(d, "district", dtype)
            old_dist[(pkey, dkey)] = {
                "id": unit_id(1, "district", dcode), "kind": kind, "name": name, "code": dcode,
                "parent": old_prov[pkey]["id"],
            }
        if w:
            kind, name = split_name(w, "commune", wtype)
            key = f"{pkey}_{dkey}_{wkey}"
            if key in old_comm:
                raise SystemExit(f"duplicate old commune key {key}")
            old_comm[key] = {
                "id": unit_id(1, "commune", wcode), "kind": kind, "name": name, "code": wcode,
                "parent": old_dist[(pkey, dkey)]["id"],
            }

    # ---- the new list -------------------------------------------------------------------
    new_prov: dict[str, dict] = {}
    new_comm: dict[tuple[str, str], dict] = {}
    rows = db.execute(
        "SELECT province, provinceCode, provinceKey, ward, wardType, wardCode, wardKey FROM admin_units"
    ).fetchall()
    for p, pcode, pkey, w, wtype, wcode, wkey in rows:
        if pkey not in new_prov:
            kind, name = split_name(p, "province", None)
            new_prov[pkey] = {"kind": kind, "name": name, "code": pcode}
        kind, name = split_name(w, "commune", wtype)
        if (pkey, wkey) in new_comm:
            raise SystemExit(f"duplicate new commune key {pkey} {wkey}")
        new_comm[(pkey, wkey)] = {"kind": kind, "name": name, "code": wcode, "prov": pkey}

    # ---- provinces ----------------------------------------------------------------------
    continuing_prov: set[str] = set()
    for pkey, info in new_prov.items():
        sources = dict_province[pkey]
        if sources == [pkey] and pkey in old_prov:
            continuing_prov.add(pkey)
            info["id"] = old_prov[pkey]["id"]
        else:
            info["id"] = unit_id(2, "province", info["code"])
            for s in sources:
                successions.add((old_prov[s]["id"], info["id"], NEW_START, False))
    for pkey, o in old_prov.items():
        n = new_prov.get(pkey) if pkey in continuing_prov else None
        if n and (n["kind"], n["name"], n["code"]) == (o["kind"], o["name"], o["code"]):
            versions.append((o["id"], "province", o["kind"], o["name"], o["code"], NATION_ID, "", ""))
        else:
            versions.append((o["id"], "province", o["kind"], o["name"], o["code"], NATION_ID, "", OLD_END))
            if n:
                versions.append((n["id"], "province", n["kind"], n["name"], n["code"], NATION_ID, NEW_START, ""))
    for pkey, n in new_prov.items():
        if pkey not in continuing_prov:
            versions.append((n["id"], "province", n["kind"], n["name"], n["code"], NATION_ID, NEW_START, ""))

    # ---- districts ----------------------------------------------------------------------
    for o in old_dist.values():
        versions.append((o["id"], "district", o["kind"], o["name"], o["code"], o["parent"], "", OLD_END))

    # ---- communes -----------------------------------------------------------------------
    # new commune -> [(old key, partial)]
    sources: dict[tuple[str, str], list[tuple[str, bool]]] = {k: [] for k in new_comm}
    for pkey, m in whole.items():
        for wkey, olds in m.items():
            sources[(pkey, wkey)].extend((o, False) for o in olds)
    for pkey, m in divided.items():
        for okey, parts in m.items():
            for part in parts:
                sources[(pkey, part["newWardKey"])].append((okey, True))
    mapped_old = {o for srcs in sources.values() for o, _ in srcs}
    missing = [k for k in old_comm if k not in mapped_old]
    if missing:
        raise SystemExit(f"old communes without a successor: {missing[:5]}")

    continuing_old: set[str] = set()
    for nkey, n in new_comm.items():
        srcs = sources[nkey]
        prov_id = new_prov[n["prov"]]["id"]
        same = None
        if len(srcs) == 1 and not srcs[0][1] and srcs[0][0] in old_comm:
            o = old_comm[srcs[0][0]]
            if (o["kind"], o["name"]) == (n["kind"], n["name"]):
                same = o
        if same:
            continuing_old.add(srcs[0][0])
            versions.append((same["id"], "commune", n["kind"], n["name"], n["code"], prov_id, NEW_START, ""))
            continue
        nid = unit_id(2, "commune", n["code"])
        versions.append((nid, "commune", n["kind"], n["name"], n["code"], prov_id, NEW_START, ""))
        for okey, partial in srcs:
            if okey.endswith("_"):
                # An island district with no communes, "province_district_".
                pkey, dkey, _ = okey.split("_")
                if dkey not in ISLAND_DISTRICTS:
                    raise SystemExit(f"unexpected district-level source {okey}")
                successions.add((old_dist[(pkey, dkey)]["id"], nid, NEW_START, partial))
            else:
                successions.add((old_comm[okey]["id"], nid, NEW_START, partial))
    for o in old_comm.values():
        versions.append((o["id"], "commune", o["kind"], o["name"], o["code"], o["parent"], "", OLD_END))

    # ---- checks and output --------------------------------------------------------------
    ids = [v[0] for v in versions]
    keyed = {(v[0], v[6]) for v in versions}
    if len(keyed) != len(versions):
        raise SystemExit("two versions of one unit start on the same day")
    if NATION_ID in ids[1:]:
        raise SystemExit("unit id collision with the nation")
    versions.sort(key=lambda v: (v[0], v[6]))
    succ = sorted(successions)
    out.mkdir(parents=True, exist_ok=True)
    write_tsv(
        out / "units.tsv.gz",
        ["unit_id", "level", "kind", "name", "code", "parent", "valid_from", "valid_to"],
        versions,
    )
    write_tsv(
        out / "successions.tsv.gz",
        ["from_unit", "to_unit", "date", "partial"],
        [(a, b, d, "true" if p else "false") for a, b, d, p in succ],
    )
    print(
        f"old: {len(old_prov)} provinces, {len(old_dist)} districts, {len(old_comm)} communes; "
        f"new: {len(new_prov)} provinces ({len(continuing_prov)} continuing), {len(new_comm)} communes "
        f"({len(continuing_old)} continuing); {len(versions)} versions, {len(succ)} successions "
        f"({sum(1 for s in succ if s[3])} partial)"
    )


def write_tsv(path: Path, header: list[str], rows: list[tuple]) -> None:
    text = io.StringIO()
    for row in [header, *rows]:
        cells = [str(c) for c in row]
        for c in cells:
            if "\t" in c or "\n" in c:
                raise SystemExit(f"tab or newline in {c!r}")
        text.write("\t".join(cells) + "\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    path.write_bytes(buf.getvalue())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: convert_admin_units.py <unzipped vietnamadminunits dir> <output dir>")
    main(Path(sys.argv[1]), Path(sys.argv[2]))
