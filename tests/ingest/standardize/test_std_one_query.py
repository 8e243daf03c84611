"""1,000,000 generated values standardized by one DuckDB query (timings live in benchmarks/)."""

import ibis.expr.operations as ops

from huaxiang.ingest import standardize
from huaxiang.ingest.standardize import phone as phone_module

N = 1_000_000


def test_million_rows_in_one_query(con):
    con.raw_sql(
        f"""
        create or replace temp table std_million as
        select
            '1' || (3 + i % 7)::varchar || lpad((i * 7919 % 1000000000)::varchar, 9, '0') as phone,
            'User' || i::varchar || '@Example.COM' as email,
            case when i % 2 = 0 then strftime(DATE '1950-01-01' + (i % 20000)::int, '%Y-%m-%d')
                 else strftime(DATE '1950-01-01' + (i % 20000)::int, '%Y年%-m月%-d日') end as birth
        from range({N}) r(i)
        """
    )
    t = con.table("std_million")
    cols = {}
    for name, column in (("phone", "phone"), ("email", "email"), ("date", "birth")):
        cleaned = standardize.get(name)(t[column])
        cols[column], cols[column + "_reason"] = cleaned.value, cleaned.reason
    out = t.select(**cols)
    assert isinstance(out.op(), ops.Project) and out.op().parent == t.op()  # one SELECT over the input
    phone_module._to_e164.cache_clear()
    stats = con.execute(
        out.aggregate(
            phones=out.phone.count(),
            emails=out.email.count(),
            births=out.birth.count(),
            reasons=(out.phone_reason.notnull() | out.email_reason.notnull() | out.birth_reason.notnull()).sum(),
            first=out.birth.min(),
        )
    )
    assert stats.to_dict("records")[0] | {"first": None} == {
        "phones": N, "emails": N, "births": N, "reasons": 0, "first": None,
    }
    assert phone_module._to_e164.cache_info().currsize == 0  # Chinese numbers never reach Python
