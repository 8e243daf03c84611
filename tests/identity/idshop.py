"""Small hand-made sources for identity tests: a CRM export, a store membership list, web events.

(A module of its own: several conftest.py exist, so none is importable by name.)
"""

from __future__ import annotations

import json

from helpers import write

CRM = {"kind": "customers", "format": "csv", "path": "data/crm.csv", "key": ["crm_id"],
       "columns": {"客户编号": "crm_id", "姓名": "name", "性别": "gender", "生日": "birth_date",
                   "手机号": "phone", "邮箱": "email", "会员号": "member_id"}}
STORE = {"kind": "customers", "format": "csv", "path": "data/store.csv", "key": ["member_id"],
         "columns": {"会员号": "member_id", "姓名": "name", "性别": "gender", "生日": "birth_date", "手机号": "phone"}}
WEB = {"kind": "events", "format": "jsonl", "path": "data/web.jsonl",
       "columns": {"messageId": "message_id", "type": "type", "userId": "user_id", "anonymousId": "anonymous_id",
                   "previousId": "previous_id", "timestamp": "timestamp"}}
_EVENT = {"userId": None, "anonymousId": None, "previousId": None, "timestamp": "2024-01-05T10:00:00+08:00"}
CRM_HEADER = "客户编号,姓名,性别,生日,手机号,邮箱,会员号\n"
STORE_HEADER = "会员号,姓名,性别,生日,手机号\n"


def load(ws, crm: list[str] = (), store: list[str] = (), events: list[dict] = (), *,
         crm_header: str = CRM_HEADER, store_header: str = STORE_HEADER) -> None:
    """Write the rows under the headers and import them (sources ``crm``, ``store``, ``web``)."""
    if crm:
        write(ws.root / "data/crm.csv", crm_header + "\n".join(crm) + "\n")
        ws.ingest.load("crm")
    if store:
        write(ws.root / "data/store.csv", store_header + "\n".join(store) + "\n")
        ws.ingest.load("store")
    if events:
        write(ws.root / "data/web.jsonl", "".join(json.dumps({**_EVENT, **e}) + "\n"
                                                  for e in events))
        ws.ingest.load("web")


def cli(root, columns: int = 200, timeout: int = 300):
    """run(*args, lang="en"): ``huaxiang --lang <lang> identity <args> -w <root>`` in a real process."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": str(columns)}

    def run(*args: str, lang: str = "en") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "huaxiang.cli", "--lang", lang, "identity", *args, "-w", str(root)],
                              env=env, capture_output=True, text=True, timeout=timeout)

    return run


def customers(ws) -> list[list[str]]:
    """The customers as sorted lists of 'source/key', sorted."""
    rows = ws.warehouse.raw.execute("""SELECT list_sort(list(source || '/' || source_key)) FROM customer_records
                                       GROUP BY customer_id""").fetchall()
    return sorted(r[0] for r in rows)


def customer_of(ws, source: str, key: str) -> str:
    return ws.warehouse.raw.execute("SELECT customer_id FROM customer_records WHERE source = ? AND source_key = ?",
                                    [source, key]).fetchone()[0]


def rules_problem(ws, text: str):
    """The one problem ``plan`` reports for an identity.yml with ``text``."""
    import pytest

    from huaxiang.definitions.loader import DefinitionError

    write(ws.root / "identity.yml", text)
    with pytest.raises(DefinitionError) as info:
        ws.plan()
    problem, = info.value.problems
    return problem
