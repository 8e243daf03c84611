"""Encodings: detection, transcoding in chunks, and mixed or wrong encodings named by row."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

import pytest

from huaxiang.ingest.readers import ReadError, ReadSpec, detect_encoding, stage
from huaxiang.ingest.readers import _text

ROWS = [("张三", "广东省", "广州市天河区"), ("李四", "浙江省", "杭州市西湖区"), ("王五", "北京市", "朝阳区")]
TEXT = "姓名,省份,地址\n" + "".join(",".join(row) + "\n" for row in ROWS)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def read_error(con, spec: ReadSpec) -> ReadError:
    with pytest.raises(ReadError) as caught:
        stage(con, spec, "t")
    return caught.value


@pytest.mark.parametrize(("data", "expected"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gbk"), "gb18030"),
    ("姓名\n𠮷\n".encode("gb18030"), "gb18030"),
    (b"name,phone\n1,2\n", "utf-8"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
])
def test_detect_encoding(tmp_path, data, expected):
    assert detect_encoding(write(tmp_path / "a.csv", data)) == expected


@pytest.mark.parametrize(("data", "requested", "used"), [
    (TEXT.encode("utf-8"), "auto", "utf-8"),
    (TEXT.encode("utf-8"), "utf-8", "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "auto", "utf-8-sig"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig", "utf-8-sig"),
    (TEXT.encode("gbk"), "auto", "gb18030"),
    (TEXT.encode("gbk"), "gbk", "gbk"),
    (TEXT.encode("gbk"), "GB18030", "gb18030"),
    (TEXT.encode("gbk"), "cp936", "gbk"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "auto", "utf-16"),
])
def test_every_encoding_stages_the_same_rows(con, fetch, tmp_path, data, requested, used):
    staged = stage(con, ReadSpec("csv", write(tmp_path / "a.csv", data), encoding=requested), "t")
    assert staged.columns == ["姓名", "省份", "地址"]
    assert staged.encoding == used
    assert fetch("t") == [(*row, i) for i, row in enumerate(ROWS, start=2)]


@pytest.mark.parametrize("requested", ["auto", "gb18030"])
def test_gb18030_rare_characters_survive(con, fetch, tmp_path, requested):
    text = "姓名,备注\n吉𠮷,㐀字\n王䶮,ok\n"
    path = write(tmp_path / "a.csv", text.encode("gb18030"))
    stage(con, ReadSpec("csv", path, encoding=requested), "t")
    assert fetch("t") == [("吉𠮷", "㐀字", 2), ("王䶮", "ok", 3)]


def test_gbk_file_with_a_utf8_line_names_that_line(con, tmp_path):
    data = TEXT.encode("gbk") + "赵六,四川省,成都市武侯区\n".encode("utf-8") + "孙七,湖北省,武汉市\n".encode("gbk")
    err = read_error(con, ReadSpec("csv", write(tmp_path / "mixed.csv", data)))
    assert (err.code, err.row) == ("encoding", 5)
    assert "UTF-8" in err.message


def test_utf8_file_with_a_gbk_line_names_that_line(con, tmp_path):
    data = TEXT.encode("utf-8") + "赵六,四川省,成都市\n".encode("gbk") + "孙七,湖北省,武汉市\n".encode("utf-8")
    err = read_error(con, ReadSpec("csv", write(tmp_path / "mixed.csv", data)))
    assert (err.code, err.row) == ("encoding", 5)


def test_invalid_bytes_in_a_gbk_file_name_the_line(con, tmp_path):
    data = TEXT.encode("gbk") + b"bad,\xff\xff,x\n" + "孙七,湖北省,武汉市\n".encode("gbk")
    err = read_error(con, ReadSpec("csv", write(tmp_path / "mixed.csv", data)))
    assert (err.code, err.row) == ("encoding", 5)


def test_mixed_encoding_far_into_a_large_utf8_file(con, tmp_path):
    lines = [f"张{i},广东省,地址{i}".encode("utf-8") for i in range(200_000)]
    lines[150_000] = "李四,浙江省,西湖".encode("gbk")
    data = "姓名,省份,地址\n".encode("utf-8") + b"\n".join(lines) + b"\n"
    err = read_error(con, ReadSpec("csv", write(tmp_path / "big.csv", data)))
    assert (err.code, err.row) == ("encoding", 150_002)


def test_explicit_utf8_on_a_gbk_file_suggests_gb18030(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", TEXT.encode("gbk")), encoding="utf-8"))
    assert err.code == "encoding"
    assert "gb18030" in err.message and "gbk" in err.message


def test_explicit_gbk_on_a_utf8_file_suggests_utf8(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", TEXT.encode("utf-8")), encoding="gbk"))
    # the header happens to decode as (GB2312) mojibake; the first data row cannot
    assert (err.code, err.row) == ("encoding", 2)
    assert "utf-8" in err.message.lower()


def test_unknown_encoding_name(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", b"a\n1\n"), encoding="klingon"))
    assert err.code == "encoding" and "klingon" in err.message


def test_ascii_sample_followed_by_gbk_is_retried_as_gb18030(con, fetch, tmp_path):
    ascii_rows = b"".join(b"id%07d,x,y\n" % i for i in range(120_000))  # > 1 MiB sniffed sample
    data = "姓名,省份,地址\n".encode("gbk") + ascii_rows + "张三,广东省,广州\n".encode("gbk")
    staged = stage(con, ReadSpec("csv", write(tmp_path / "late.csv", data)), "t")
    assert staged.encoding == "gb18030"
    assert staged.rows == 120_001
    assert con.execute("SELECT * FROM t WHERE _row = 120002").fetchall() == [("张三", "广东省", "广州", 120_002)]


def _gbk_file_straddling(boundary: int) -> tuple[bytes, list[tuple[str, str]]]:
    """GBK rows (2-byte characters, some 4-byte GB18030 ones) with a character cut at ``boundary``."""
    rows, size, i = [], 0, 0
    while size < boundary + 100_000:
        row = (f"客户{i}号", "广州市天河区体育西路" * (1 + i % 3) + ("𠮷" if i % 7 == 0 else ""))
        rows.append(row)
        size += len((",".join(row) + "\n").encode("gb18030"))
        i += 1
    body = "".join(",".join(r) + "\n" for r in rows).encode("gb18030")
    for pad in range(4):  # trailing spaces in the header are trimmed, but shift every byte after it
        data = ("姓名" + " " * pad + ",地址\n").encode("gb18030") + body
        if _splits_a_character(data, boundary):
            return data, rows
    raise AssertionError("could not place a read boundary inside a character")


def _splits_a_character(data: bytes, cut: int) -> bool:
    try:
        data[:cut].decode("gb18030")
    except UnicodeDecodeError:
        return True
    return False


def test_chunk_boundaries_inside_multibyte_characters_round_trip(con, fetch, tmp_path):
    data, rows = _gbk_file_straddling(_text.CHUNK_BYTES)
    staged = stage(con, ReadSpec("csv", write(tmp_path / "big_gbk.csv", data), encoding="gb18030"), "t")
    assert staged.columns == ["姓名", "地址"]
    assert staged.rows == len(rows)
    assert fetch("t", "姓名", "地址") == rows


def test_utf16_larger_than_a_chunk_round_trips(tmp_path):
    text = "姓名,备注\n" + "".join(f"吉𠮷{i},上下左右\n" for i in range(400_000))
    src = write(tmp_path / "u16.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert src.stat().st_size > _text.CHUNK_BYTES
    dst = tmp_path / "out.csv"
    _text.transcode(src, dst, "utf-16")
    assert dst.read_bytes() == text.encode("utf-8")


def test_transcoding_reports_progress_and_removes_its_temp_copy(con, tmp_path):
    path = write(tmp_path / "a.csv", TEXT.encode("gbk"))
    seen: list[tuple[int, int | None]] = []
    copies: list[Path] = []

    def progress(done: int, total: int | None) -> None:
        seen.append((done, total))
        copies.extend(Path(tempfile.gettempdir()).glob("huaxiang-read-*/utf8.txt"))

    stage(con, ReadSpec("csv", path), "t", progress=progress)
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert copies and not any(copy.exists() for copy in copies)
