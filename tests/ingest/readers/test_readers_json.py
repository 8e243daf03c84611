"""JSON Lines, JSON arrays and nested documents: keys as columns, nested values as JSON text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huaxiang.ingest.readers import ReadError, ReadSpec, stage

EVENTS = [
    {"type": "track", "event": "下单", "userId": "u1", "anonymousId": None,
     "properties": {"订单号": "O1", "金额": 12.5, "items": [{"sku": "A", "qty": 2}]},
     "timestamp": "2024-01-05T10:30:00Z"},
    {"type": "identify", "userId": "u2", "traits": {"姓名": "李四", "手机号": "13800138000"},
     "context": {"ip": "1.2.3.4", "locale": "zh-CN"}, "timestamp": "2024-01-05T10:31:00Z"},
    {"type": "page", "userId": "", "count": 3, "ratio": 0.25, "vip": True, "timestamp": "2024-01-05T10:32:00Z"},
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def read_error(con, spec: ReadSpec) -> ReadError:
    with pytest.raises(ReadError) as caught:
        stage(con, spec, "t")
    return caught.value


def test_jsonl_events_keep_top_level_keys_and_nest_as_json_text(con, fetch, tmp_path):
    staged = stage(con, ReadSpec("jsonl", write(tmp_path / "events.jsonl", jsonl(EVENTS))), "t")
    assert staged.columns == ["type", "event", "userId", "anonymousId", "properties", "timestamp",
                              "traits", "context", "count", "ratio", "vip"]
    assert (staged.rows, staged.encoding) == (3, "utf-8")
    rows = fetch("t")
    assert rows[0] == ("track", "下单", "u1", None,
                       '{"订单号":"O1","金额":12.5,"items":[{"sku":"A","qty":2}]}',
                       "2024-01-05T10:30:00Z", None, None, None, None, None, 1)
    assert rows[1][6:8] == ('{"姓名":"李四","手机号":"13800138000"}', '{"ip":"1.2.3.4","locale":"zh-CN"}')
    assert rows[2] == ("page", None, None, None, None, "2024-01-05T10:32:00Z", None, None, "3", "0.25", "true", 3)


def test_nested_json_text_works_with_json_extract(con, tmp_path):
    stage(con, ReadSpec("jsonl", write(tmp_path / "events.jsonl", jsonl(EVENTS))), "t")
    assert con.execute("SELECT json_extract_string(properties, '$.订单号') FROM t WHERE _row = 1").fetchall() == [("O1",)]


def test_json_array_rows_are_element_indexes(con, fetch, tmp_path):
    path = write(tmp_path / "a.json", json.dumps([{"姓名": "张三", "金额": 1}, {"姓名": "李四", "城市": "北京"}],
                                                  ensure_ascii=False, indent=2))
    staged = stage(con, ReadSpec("json", path), "t")
    assert staged.columns == ["姓名", "金额", "城市"]
    assert fetch("t") == [("张三", "1", None, 1), ("李四", None, "北京", 2)]


def test_json_path_selects_nested_records(con, fetch, tmp_path):
    doc = {"code": 0, "data": {"total": 2, "items": [{"会员号": "M1", "标签": ["a", "b"]}, {"会员号": "M2"}]}}
    path = write(tmp_path / "api.json", json.dumps(doc, ensure_ascii=False, indent=1))
    staged = stage(con, ReadSpec("json", path, json_path="data.items"), "t")
    assert staged.columns == ["会员号", "标签"]
    assert fetch("t") == [("M1", '["a","b"]', 1), ("M2", None, 2)]


def test_json_path_missing_or_not_a_list(con, tmp_path):
    path = write(tmp_path / "api.json", '{"data": {"items": {"a": 1}}}')
    missing = read_error(con, ReadSpec("json", path, json_path="data.rows"))
    assert missing.code == "not_found" and "data.rows" in missing.message
    assert read_error(con, ReadSpec("json", path, json_path="data.items")).code == "malformed"


def test_json_file_holding_json_lines(con, fetch, tmp_path):
    stage(con, ReadSpec("json", write(tmp_path / "a.json", '{"a": 1}\n{"a": 2}\n')), "t")
    assert fetch("t") == [("1", 1), ("2", 2)]


def test_invalid_json_line_is_named(con, tmp_path):
    body = '{"a": 1}\n{"a": 2}\n{"a": 3 "b": 4}\n{"a": 4}\n'
    err = read_error(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", body)))
    assert (err.code, err.row) == ("malformed", 3)


def test_invalid_json_line_after_blank_lines_uses_the_file_line(con, tmp_path):
    body = '{"a": 1}\n\n\n{"a": 2}\nnot json\n'
    err = read_error(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", body)))
    assert (err.code, err.row) == ("malformed", 5)


def test_truncated_last_line(con, tmp_path):
    body = '{"a": 1}\n{"a": 2}\n{"a": 3, "b": "cut'
    err = read_error(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", body)))
    assert (err.code, err.row) == ("truncated", 3)


def test_a_line_that_is_not_an_object(con, tmp_path):
    err = read_error(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", '{"a": 1}\n[1, 2]\n')))
    assert (err.code, err.row) == ("malformed", 2)


def test_truncated_and_malformed_array_documents(con, tmp_path):
    cut = read_error(con, ReadSpec("json", write(tmp_path / "a.json", '[{"a": 1},\n {"a": 2')))
    assert cut.code == "truncated"
    bad = read_error(con, ReadSpec("json", write(tmp_path / "b.json", '[{"a": 1},\n {"a": }]')))
    assert bad.code == "malformed" and "line 2" in bad.message


def test_gbk_and_bom_jsonl(con, fetch, tmp_path):
    text = '{"姓名": "张三", "城市": "北京"}\n'
    assert stage(con, ReadSpec("jsonl", write(tmp_path / "g.jsonl", text, "gbk")), "t").encoding == "gb18030"
    assert fetch("t") == [("张三", "北京", 1)]
    stage(con, ReadSpec("jsonl", write(tmp_path / "b.jsonl", "\ufeff" + text)), "t")
    assert fetch("t") == [("张三", "北京", 1)]


def test_empty_json_file_and_empty_array(con, fetch, tmp_path):
    assert read_error(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", ""))).code == "empty_file"
    staged = stage(con, ReadSpec("json", write(tmp_path / "e.json", "[]")), "t")
    assert (staged.columns, staged.rows) == ([], 0)
    assert fetch("t") == []


def test_keys_differing_only_in_case_are_duplicates(con, tmp_path):
    err = read_error(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", '{"userId": 1, "userid": 2}\n')))
    assert (err.code, err.column) == ("duplicate_header", "userid")


def test_keys_with_dots_slashes_and_quotes(con, fetch, tmp_path):
    record = {"a.b": 1, "c/d": 2, 'e"f': 3, "~x": 4}
    staged = stage(con, ReadSpec("jsonl", write(tmp_path / "e.jsonl", json.dumps(record) + "\n")), "t")
    assert staged.columns == ["a.b", "c/d", 'e"f', "~x"]
    assert fetch("t") == [("1", "2", "3", "4", 1)]
