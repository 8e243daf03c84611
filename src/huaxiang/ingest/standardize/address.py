"""Chinese postal addresses → province / city / district, offline, inside the one SELECT.

How it runs:

1. three anchored regexes, each a trie of names from ``data/regions.csv``, cut administrative
   tokens off the start of the address: any unit first, then a city or district, then a district
   ("广东|深圳|南山区|科技园…"), about a microsecond per row each. One trie of all valid chains
   (~140k characters) or three tries concatenated in one regex would be simpler, but both blow
   RE2's DFA budget and run 10-50x slower;
2. the longest of ``t1+t2+t3``, ``t1+t2``, ``t1`` that is a *chain* (a real nesting such as
   广东深圳南山区, see ``regions.chains()``) is looked up in the chain dictionary, which yields
   province|city|district at once. "上海南京路" finds no chain 上海南京 and falls back to 上海.

Why the lookup is a vectorized Arrow UDF and not a join: the pipeline needs one expression per
output column over the input table, so a join can only be written as a correlated subquery, and
DuckDB plans one such subquery per output column, each grouping the whole address column and
re-running the regexes (measured 10x slower). The UDF receives whole batches, looks up each
*distinct* key of the batch once in a cached dict, and DuckDB evaluates it once per row for all
six output fields (common subexpression). It is the dictionary half of a hash join, nothing
more; a Spark port would use a broadcast join or a pandas UDF.

Conventions:

* municipalities and SARs use the province name as the city: 北京市 / 北京市 / 朝阳区;
* county-level units governed by a province directly (仙桃市, 石河子市) are cities;
* a key that fits several places keeps only the levels they agree on. "朝阳区" alone is in Beijing
  and in Changchun, so all three levels stay NULL with reason ``ambiguous_address``; "北京朝阳区"
  or "长春朝阳区" resolves it. Full names win over short ones ("吉林市" is the city, "吉林" the
  province) and a bare name is read at the broadest level ("海南" is the province);
* text with no recognizable start gets ``unrecognized_address``; district short names are not
  recognized (see ``regions.py``).
"""

from __future__ import annotations

from functools import cache, lru_cache

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from . import regions
from ._registry import Cleaned, null_string, standardizer
from .text import half_width, join_cjk, normalize

LEVELS = ("province", "city", "district")
_COUNTRY_PREFIX = "^(?:中华人民共和国|中国)"


@cache
def _token_patterns() -> tuple[str, str, str]:
    first = regions.prefix_pattern(regions.spellings(*LEVELS))
    second = regions.prefix_pattern(regions.spellings("city", "district"))
    third = regions.prefix_pattern(regions.spellings("district"))
    return f"^{first}", f"^{second}", f"^{third}"


_FIELDS = (*LEVELS, *(f"{level}_reason" for level in LEVELS))


def _reasons(place: regions.Place) -> list[str | None]:
    """Per level: NULL when named (or simply not given), 'ambiguous_address' when left open."""
    return [None if getattr(place, level) or not place.ambiguous else "ambiguous_address" for level in LEVELS]


@cache
def _chain_parts() -> dict[str, tuple[str | None, ...]]:
    return {
        chain: (*(getattr(place, level) for level in LEVELS), *_reasons(place))
        for chain, place in regions.chains().items()
    }


_UNRECOGNIZED = (None, None, None, *["unrecognized_address"] * len(LEVELS))
_MISSING = (None,) * (2 * len(LEVELS))


@lru_cache(maxsize=1 << 18)
def _resolve(packed_keys: str | None) -> str:
    """'c|k1|k2|k3' → 'province|city|district|reasons…' of the longest key that is a chain."""
    if not packed_keys or packed_keys.startswith("|"):
        fields = _MISSING
    else:
        parts = _chain_parts()
        keys = reversed(packed_keys.split("|")[1:])
        fields = next((parts[k] for k in keys if k in parts), _UNRECOGNIZED)
    return "|".join(f or "" for f in fields)


@ibis.udf.scalar.pyarrow(name="huaxiang_address_parts", null_handling="special")
def _address_parts(keys: str) -> str:
    """Resolve each distinct 'c|k1|k2|k3' of the batch once against the chain dictionary.

    One packed string per row (split in SQL) is cheaper to build than a struct, and DuckDB
    evaluates the call once per row for all six output fields.
    """
    keys = pa.chunked_array([keys]) if isinstance(keys, pa.Array) else keys
    unique = keys.unique()
    found = pa.array([_resolve(k) for k in unique.to_pylist()], pa.string())
    return pc.take(found, pc.index_in(keys, value_set=unique))


@ibis.udf.scalar.pyarrow(name="huaxiang_region_name", null_handling="special")
def _region_name(level: str, text: str) -> str:
    """Full name of a province / city / district spelling; each distinct value looked up once."""
    names = regions.level_names(level[0].as_py())
    text = pa.chunked_array([text]) if isinstance(text, pa.Array) else text
    unique = text.unique()
    found = pa.array([names.get(v) for v in unique.to_pylist()], pa.string())
    return pc.take(found, pc.index_in(text, value_set=unique))


def _squashed(col: ir.StringValue) -> ir.StringValue:
    """Normalized text without any whitespace or leading country name.

    Kept free of CASE/NULLIF at the top: DuckDB does not share subexpressions below a CASE, and
    the token chain refers to this text several times.
    """
    text = half_width(col).re_replace(r"\s+", "")
    return text.re_replace(_COUNTRY_PREFIX, "")


def _after(text: ir.StringValue, prefix: ir.StringValue) -> ir.StringValue:
    return text.right(text.length() - prefix.length())


def _keys(col: ir.StringValue) -> ir.StringValue:
    """'c|t1|t1t2|t1t2t3': a first character (or '') and the first one, two and three tokens.

    A token that is not there is '' (RE2 returns '' for no match), which keeps the chain free of
    CASE expressions; the tries nest (district ⊂ city or district ⊂ any), so once a token is
    missing all later ones are too.
    """
    first, second, third = _token_patterns()
    text = _squashed(col)
    t1 = text.re_extract(first, 0)
    rest = _after(text, t1)
    t2 = rest.re_extract(second, 0)
    t3 = _after(rest, t2).re_extract(third, 0)
    k2 = t1 + t2
    # The leading field is '' exactly when there is no text; no CASE, so DuckDB shares t1/t2/t3.
    return text.left(1) + "|" + t1 + "|" + k2 + "|" + k2 + t3


def split_address(col: ir.StringValue) -> dict[str, Cleaned]:
    """'province', 'city', 'district' and the normalized full 'address' of a Chinese address column."""
    fields = _address_parts(_keys(col)).split("|")
    parts = {name: fields[i].nullif("") for i, name in enumerate(_FIELDS)}
    out = {"address": Cleaned(join_cjk(normalize(col)), null_string())}
    for level in LEVELS:
        out[level] = Cleaned(parts[level], parts[f"{level}_reason"])
    return out


def _one_level(col: ir.StringValue, level: str) -> Cleaned:
    text = normalize(col).replace(" ", "")
    value = _region_name(level, text)
    return Cleaned(value, ibis.ifelse(text.notnull() & value.isnull(), f"unknown_{level}", null_string()))


@standardizer("province")
def province(col: ir.StringValue) -> Cleaned:
    """Full province name from a column holding just the province ("广东" → "广东省")."""
    return _one_level(col, "province")


@standardizer("city")
def city(col: ir.StringValue) -> Cleaned:
    """Full city name ("深圳" → "深圳市", "北京" → "北京市")."""
    return _one_level(col, "city")


@standardizer("district")
def district(col: ir.StringValue) -> Cleaned:
    """A known district / county name, written in full ("南山区"); short names are not guessed."""
    return _one_level(col, "district")
