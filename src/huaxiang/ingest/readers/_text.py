"""Text files: refuse what is not text, detect the encoding, hand DuckDB a UTF-8 file.

DuckDB's pip build cannot load the ``encodings`` extension offline, so anything that is not
UTF-8 (GBK and GB18030 exports from Chinese systems, UTF-16 "Unicode text" from Excel) is
transcoded into a temporary UTF-8 copy in streaming chunks. UTF-8 files are passed through
untouched because that path decides the import speed of the common case.
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from huaxiang.ingest.readers._core import Progress, ReadError

T = TypeVar("T")

CHUNK_BYTES = 1 << 22
_MAX_CARRY = 1 << 26
_SNIFF_BYTES = 1 << 20
_UTF8_EVIDENCE = 4
_GB_FAMILY = frozenset({"gbk", "gb18030", "gb2312"})
_SIGNATURES = (
    (b"PK\x03\x04", "an Excel (.xlsx) or other zip file; use format xlsx for workbooks"),
    (b"PAR1", "a Parquet file; use format parquet"),
    (b"\xd0\xcf\x11\xe0", "a legacy Excel (.xls) or other Office file; use format xlsx"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file; decompress it first"),
    (b"SQLite format 3\x00", "a SQLite database; use format sql"),
)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Byte classes for spotting two UTF-8 encoded CJK characters in a row (E4-E9 lead, 2 trail bytes)
_CLASSES = bytes(
    ord("L") if 0xE4 <= b <= 0xE9 else ord("C") if 0x80 <= b <= 0xBF else ord(".") for b in range(256)
)
_TWO_UTF8_CJK = b"LCCLCC"


def detect_encoding(path: Path, sample_bytes: int = _SNIFF_BYTES) -> str:
    """Guess 'utf-8-sig', 'utf-16', 'utf-8' or 'gb18030' from a BOM and a strict UTF-8 decode.

    GB18030 is the fallback because it is a superset of GBK and GB2312; files in other legacy
    encodings fail later with an 'encoding' error that asks for an explicit encoding.
    """
    with open(path, "rb") as f:
        return _guess(f.read(sample_bytes))


def _guess(sample: bytes) -> str:
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError as err:
        # Several real UTF-8 characters before the first bad byte: a UTF-8 file with a foreign
        # row, which the UTF-8 path reports by row; GBK text stops decoding almost at once.
        prefix = sample[: err.start].decode("utf-8")
        return "utf-8" if sum(not c.isascii() for c in prefix) >= _UTF8_EVIDENCE else "gb18030"
    return "utf-8"


def check_text(path: Path) -> bytes:
    """Reject empty and binary files before DuckDB produces a confusing error; return a sample."""
    with open(path, "rb") as f:
        sample = f.read(_SNIFF_BYTES)
    size = path.stat().st_size
    body = sample
    for bom, _ in _BOMS:
        body = body.removeprefix(bom)
    if not body.strip() and size <= len(sample):
        raise ReadError("the file is empty", file=str(path), code="empty_file")
    for signature, looks_like in _SIGNATURES:
        if sample.startswith(signature):
            raise ReadError(f"not a text file: looks like {looks_like}", file=str(path), code="not_text")
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError("not a text file: it contains NUL bytes (binary data)", file=str(path), code="not_text")
    return sample


def codec_name(encoding: str, *, file: str) -> str:
    """Normalise an encoding name ('UTF8', 'cp936'...) to Python's canonical codec name."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ReadError(f"unknown encoding {encoding!r}", file=file, code="encoding") from None


def with_utf8(
    path: Path,
    requested: str,
    progress: Progress | None,
    use: Callable[[Path, str], T],
    *,
    bom_ok: bool = True,
) -> T:
    """Call ``use(utf8_path, encoding)`` on the file, transcoding first if it is not UTF-8.

    When auto-detection saw only ASCII in the sample, a later non-UTF-8 byte most likely
    means a GBK file whose Chinese starts late, so that case is retried as GB18030 once.
    ``bom_ok=False`` is for consumers that reject a byte order mark (DuckDB's JSON reader).
    """
    sample = check_text(path)
    if requested == "auto":
        encoding = _guess(sample)
    else:
        encoding = codec_name(requested, file=str(path))
    if encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        with utf8_copy(path, encoding, progress, bom_ok=bom_ok) as readable:
            return use(readable, encoding)
    except ReadError as err:
        if err.code != "encoding" or requested != "auto" or encoding != "utf-8" or not sample.isascii():
            raise
    with utf8_copy(path, "gb18030", progress) as readable:
        return use(readable, "gb18030")


def not_utf8(file: str, row: int | None, requested: str) -> ReadError:
    """The error for bytes DuckDB rejected as UTF-8, with the fix users usually need."""
    if requested == "auto":
        message = ("the file starts as UTF-8 but this row is not valid UTF-8 (mixed encodings?); "
                   "save the whole file in one encoding")
    else:
        message = ("not valid UTF-8; the file may be GBK/GB18030 encoded: "
                   "try encoding gb18030 (or gbk), or leave encoding on auto")
    return ReadError(message, file=file, row=row, code="encoding")


@contextmanager
def utf8_copy(path: Path, encoding: str, progress: Progress | None,
              *, bom_ok: bool = True) -> Iterator[Path]:
    """Yield ``path`` itself when it is UTF-8, else a temporary UTF-8 copy removed afterwards."""
    if encoding == "utf-8" or (encoding == "utf-8-sig" and bom_ok):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="huaxiang-read-") as tmp:
        target = Path(tmp) / "utf8.txt"
        transcode(path, target, encoding, progress)
        yield target


def transcode(src: Path, dst: Path, encoding: str, progress: Progress | None = None) -> None:
    """Stream ``src`` into ``dst`` as UTF-8, failing on the first line that is not ``encoding``.

    Blocks end at a newline so lines are whole for error reporting; the incremental decoder
    still carries characters split across reads (and handles codecs like UTF-16 whose
    newline bytes can appear inside characters).
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    total, done, line, carry = src.stat().st_size, 0, 1, b""
    with open(src, "rb") as f, open(dst, "w", encoding="utf-8", newline="") as out:
        while True:
            chunk = f.read(CHUNK_BYTES)
            done += len(chunk)
            block = carry + chunk
            cut = len(block) if not chunk or len(block) > _MAX_CARRY else block.rfind(b"\n") + 1
            block, carry = block[:cut], block[cut:]
            out.write(_decode_block(decoder, block, encoding, line, src, final=not chunk))
            line += block.count(b"\n")
            if progress is not None:
                progress(done, total)
            if not chunk:
                return


def _decode_block(decoder: codecs.IncrementalDecoder, block: bytes, encoding: str,
                  line: int, src: Path, *, final: bool) -> str:
    try:
        text = decoder.decode(block, final=final)
    except UnicodeDecodeError as err:
        data = bytes(err.object)
        start = data.rfind(b"\n", 0, err.start) + 1
        end = data.find(b"\n", err.start)
        hint = ("; this row looks like UTF-8: try encoding utf-8"
                if _utf8_or_none(data[start:end if end >= 0 else len(data)]) is not None
                else " (mixed encodings, or the wrong encoding setting?)")
        raise ReadError(f"not valid {encoding}{hint}", file=str(src),
                        row=line + data.count(b"\n", 0, start), code="encoding") from None
    if encoding in _GB_FAMILY:
        _refuse_utf8_lines(block, line, encoding, src)
    return text


def _refuse_utf8_lines(block: bytes, line: int, encoding: str, src: Path) -> None:
    """GB18030 decodes most UTF-8 Chinese without error, as mojibake; catch such lines.

    A line is flagged only if it is entirely valid UTF-8 and its GB18030 reading needs
    characters outside GB2312, which real GBK text almost never satisfies at the same time.
    """
    classes = block.translate(_CLASSES)
    pos = classes.find(_TWO_UTF8_CJK)
    while pos >= 0:
        start = block.rfind(b"\n", 0, pos) + 1
        end = block.find(b"\n", pos)
        end = len(block) if end < 0 else end
        if _looks_utf8(block[start:end]):
            raise ReadError(
                f"this row is UTF-8 encoded but the file is {encoding} (mixed encodings); "
                "save the whole file in one encoding",
                file=str(src), row=line + block.count(b"\n", 0, start), code="encoding",
            )
        pos = classes.find(_TWO_UTF8_CJK, end)


def _looks_utf8(line: bytes) -> bool:
    if _utf8_or_none(line) is None:
        return False
    try:
        line.decode("gb18030").encode("gb2312")
    except UnicodeError:
        return True
    return False


def _utf8_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
