"""SQL sources: any SQLAlchemy URL, streamed with server-side cursors in batches.

Rows never accumulate in Python beyond one batch; values are converted with the same rules
as Excel cells. Error messages never contain the password from the URL.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import duckdb
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from huaxiang.ingest.readers._core import Progress, ReadError, ReadSpec, Staged, reader
from huaxiang.ingest.readers._duck import BatchWriter, column_names
from huaxiang.ingest.readers._values import column_texts

BATCH_ROWS = 50_000


@reader("sql")
def read_sql(
    con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str, progress: Progress | None
) -> Staged:
    """Stage the result of ``spec.query``; ``_row`` is the 1-based position in the result."""
    if not spec.url or not spec.query:
        raise ReadError("format sql needs both url and query", code="sql_error")
    safe_url = _redacted(spec.url)
    try:
        engine = sa.create_engine(spec.url)
    except Exception as err:  # bad URL, missing driver: both are the user's configuration
        raise ReadError(_clean(f"cannot connect: {err}", spec.url), file=safe_url, code="sql_error") from None
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(sa.text(spec.query))
            names = column_names(list(result.keys()), file=safe_url, row=None)
            with BatchWriter(con, table, names) as out:
                while batch := result.fetchmany(BATCH_ROWS):
                    numbers = list(range(out.rows + 1, out.rows + len(batch) + 1))
                    out.append(column_texts(batch, len(names)), numbers)
                    if progress is not None:
                        progress(out.rows, None)
    except sa.exc.SQLAlchemyError as err:
        raise ReadError(_clean(_message(err), spec.url), file=safe_url, code="sql_error") from None
    finally:
        engine.dispose()
    return Staged(table=table, columns=names, rows=out.rows, encoding=None)


def _message(err: sa.exc.SQLAlchemyError) -> str:
    """The database's own message, without SQLAlchemy's SQL echo and background links."""
    original = getattr(err, "orig", None)
    return str(original) if original is not None else str(err).split("\n")[0]


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


def _clean(message: str, url: str) -> str:
    """Remove the password wherever a driver echoed it (some include the full URL)."""
    try:
        password = make_url(url).password
    except Exception:
        password = None
    message = message.replace(url, _redacted(url))
    if password:
        for form in {str(password), quote(str(password), safe=""), quote_plus(str(password))}:
            message = message.replace(form, "***")
    return message
