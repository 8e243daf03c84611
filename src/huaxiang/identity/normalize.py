"""Values people type (a phone in any spelling, an e-mail in capitals) as ingest stores them.

Lookups and the block list go through the very standardizers ingest used, so ``138 0013 8000``,
``+86-138-0013-8000`` and ``8613800138000`` all find ``+8613800138000``.
"""

from __future__ import annotations

import ibis

from huaxiang.engine.warehouse import Warehouse
from huaxiang.ingest import standardize


def normalized_forms(wh: Warehouse, values: list[str], region: str) -> list[str]:
    """Every form a value may be stored in: trimmed and lower-cased, as a phone, as an e-mail."""
    if not values:
        return []
    forms = ibis.memtable({"v": [str(v) for v in values]}, schema={"v": "string"})
    expr = forms.select(raw=forms.v.strip().lower(), phone=standardize.get("phone")(forms.v, region=region).value,
                        email=standardize.get("email")(forms.v).value)
    table = wh.ibis.to_pyarrow(expr)
    out = {v for name in ("raw", "phone", "email") for v in table.column(name).to_pylist() if v}
    return sorted(out)
