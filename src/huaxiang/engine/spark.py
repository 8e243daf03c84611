"""Spark: one session per process, Ibis on it, and tables moved between the DuckDB warehouse and Spark.

The warehouse stays the DuckDB file: ingestion writes it, and results come back to it. A build
step that runs on Spark gets its inputs with :func:`to_spark` (DuckDB's ``COPY … (FORMAT
parquet)`` into ``.huaxiang/spark/<run>/``, read by Spark as temp views) and returns its result
with :func:`from_spark` (Spark's Arrow path), which the caller writes into DuckDB.

Times: the warehouse stores naive UTC. They go to Parquet as instants (``TIMESTAMPTZ`` with
DuckDB's zone UTC), Spark reads them as ``TIMESTAMP`` in a session whose zone is UTC, and they
come back as naive UTC, so no value moves on the way. Decimals keep their precision and scale.

The session is started once per process and reused (``getOrCreate``): the JVM, the driver's
memory and the master are fixed by the first call; the SQL settings are set again on every call.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from huaxiang.domain.workspace import SparkConfig
from huaxiang.engine.warehouse import Warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Spark's folder in a workspace: its SQL warehouse, scratch space, and the Parquet of each run
SPARK_DIR = Path(".huaxiang") / "spark"

_LOG4J = """\
# written by huaxiang.engine.spark: Spark's own messages at WARN, known start-up noise left out
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.hostname.name = org.apache.spark.util.Utils
logger.hostname.level = error
logger.hadoop.name = org.apache.hadoop.util.NativeCodeLoader
logger.hadoop.level = error
logger.conf.name = org.apache.spark.SparkConf
logger.conf.level = error
logger.plans.name = org.apache.spark.sql.catalyst.util.SparkStringUtils
logger.plans.level = error
logger.plantext.name = org.apache.spark.sql.catalyst.util.StringUtils
logger.plantext.level = error
"""

_session: SparkSession | None = None


def spark_session(config: SparkConfig | None = None, root: Path | None = None) -> SparkSession:
    """The process's Spark session, started on first use with ``config``; its folders under ``root/.huaxiang/spark``.

    Without ``root`` (a script, a test) the folders go to a temporary directory.
    """
    global _session
    config = config or SparkConfig()
    if _session is None or _session.sparkContext._jsc is None:  # none yet, or stopped
        _session = _start(config, _folder(root))
    for key, value in _runtime(config).items():
        _session.conf.set(key, value)
    return _session


def _folder(root: Path | None) -> Path:
    folder = (Path(root) / SPARK_DIR) if root is not None else Path(tempfile.mkdtemp(prefix="huaxiang-spark-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def _runtime(config: SparkConfig) -> dict[str, str]:
    """SQL settings a running session takes (set on every ``spark_session`` call)."""
    return {
        "spark.sql.session.timeZone": "UTC",  # stored times are naive UTC
        "spark.sql.shuffle.partitions": str(config.shuffle_partitions),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # DuckDB writes proleptic Gregorian dates, as Spark 3+ does: read them as they are
        "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
        "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
        # a profile build's plans have hundreds of columns; their text (for events nobody listens to
        # with the UI off) is cut instead of filling the driver's heap
        "spark.sql.maxPlanStringLength": "100000",
    }


def _start(config: SparkConfig, folder: Path) -> SparkSession:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    log4j = folder / "log4j2.properties"
    log4j.write_text(_LOG4J, encoding="utf-8")
    builder = (SparkSession.builder.appName("huaxiang").master(config.master)
               .config("spark.driver.memory", config.driver_memory)
               .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log4j.as_uri()}")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
               .config("spark.local.dir", str(folder / "tmp"))
               # Splink's Scala UDFs (jaro_winkler, jaccard…) that its Spark SQL calls
               .config("spark.jars", similarity_jar_location()))
    for key, value in _runtime(config).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if config.master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # Python UDFs run in this interpreter (with its packages), not in PATH's python3. Set before
        # any UDF is made: each takes the interpreter when it is created (CI, with no virtualenv on
        # the PATH, ran the DuckDB similarity UDFs in a python3 without pandas)
        session.sparkContext.pythonExec = sys.executable
    session.sparkContext.setLogLevel("WARN")
    _quiet_python_side()
    register_similarity_udfs(session)  # usable from any Spark SQL, not only Splink's
    register_duckdb_functions(session)
    return session


def register_similarity_udfs(session: SparkSession) -> None:
    """Splink's Scala similarity functions (``jaro_winkler``, ``jaccard``…) as SQL functions, unless they are.

    A session started elsewhere (a test's own fixture) may lack the jar: it is added to the session then.
    """
    from pyspark.errors import AnalysisException
    from splink.backends.spark import similarity_jar_location
    from splink.internals.spark.jar_location import get_scala_udfs

    for name, java_class, dtype in get_scala_udfs():
        if session.catalog.functionExists(name):
            continue
        try:
            session.udf.registerJavaFunction(name, java_class, dtype)
        except AnalysisException:  # the class is not on the classpath
            session.sql(f"ADD JAR '{_literal(similarity_jar_location())}'")
            session.udf.registerJavaFunction(name, java_class, dtype)


def _quiet_python_side() -> None:
    """PySpark 4 logs every failed query as JSON on stderr before raising it: the exception says it all."""
    import logging

    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # PySpark 3.5 logs nothing of the kind
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


#: DuckDB's string similarity functions, callable in Spark SQL as ``duckdb_<name>`` (see ``register_duckdb_functions``)
DUCKDB_FUNCTIONS = ("jaro_winkler_similarity", "jaccard")


def register_duckdb_functions(session: SparkSession) -> None:
    """``duckdb_jaro_winkler_similarity(a, b)`` and ``duckdb_jaccard(a, b)`` in Spark SQL, computed by DuckDB.

    A pair's similarity must be the same number on both engines, and the functions of the same
    names are not: DuckDB's work on UTF-8 bytes, Splink's Java ones on characters (and round the
    Jaro transpositions down). So Spark hands each Arrow batch of pairs to DuckDB (a vectorised
    Python UDF; the workers need the duckdb package, as any machine running huaxiang has).
    """
    from pyspark.sql.functions import pandas_udf

    for name in DUCKDB_FUNCTIONS:
        if not session.catalog.functionExists(f"duckdb_{name}"):
            session.udf.register(f"duckdb_{name}", pandas_udf(_by_duckdb(name), "double"))


def _by_duckdb(name: str) -> Any:
    import pandas as pd

    def call(a: pd.Series, b: pd.Series) -> pd.Series:
        import duckdb

        pairs = pa.table({"a": pa.array(a, pa.string(), from_pandas=True), "b": pa.array(b, pa.string(), from_pandas=True)})
        with duckdb.connect() as con:
            out = con.execute(f"SELECT {name}(a, b) AS v FROM pairs").to_arrow_table()
        return out.column("v").to_pandas()

    call.__annotations__ = {"a": pd.Series, "b": pd.Series, "return": pd.Series}  # not strings: Spark reads them
    return call


def ibis_spark(session: SparkSession) -> Any:
    """An Ibis backend on ``session`` (the same expressions as on ``Warehouse.ibis``)."""
    import ibis

    return ibis.pyspark.connect(session)


def run_folder(wh: Warehouse, run: str) -> Path:
    """``.huaxiang/spark/<run>/`` next to the warehouse file: where a run's Parquet goes."""
    return wh.path.resolve().parent / SPARK_DIR / run


def new_run(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def remove_run(wh: Warehouse, run: str) -> None:
    shutil.rmtree(run_folder(wh, run), ignore_errors=True)


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def to_spark(wh: Warehouse, session: SparkSession, tables: list[str] | dict[str, str], *,
             run: str = "adhoc") -> dict[str, DataFrame]:
    """Warehouse tables, or queries, as Spark temp views: ``{view: DataFrame}``.

    ``tables``: names of warehouse tables (each view takes the table's name), or ``{view: table
    name or SELECT}``. Each goes through a Parquet file in :func:`run_folder`; the caller removes
    the run (:func:`remove_run`) once Spark is done with it.
    """
    items = {t: t for t in tables} if isinstance(tables, list) else dict(tables)
    folder = run_folder(wh, run)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for view, source in items.items():
        query = f'SELECT * FROM "{source}"' if _NAME.match(source) else source
        if wh.raw.execute(f"SELECT 1 FROM ({query}) LIMIT 1").fetchone() is None:
            # Spark cannot infer the schema of a Parquet file without rows: an empty frame from Arrow,
            # with one empty chunk per column (DuckDB's has none, which Spark's timestamp check refuses)
            df = session.createDataFrame(wh.raw.execute(query).to_arrow_table().schema.empty_table())
            df.createOrReplaceTempView(view)
            out[view] = df
            continue
        # "v_": Hadoop skips files whose names start with "_" or "." (temp tables such as _touched do)
        for old in folder.glob(f"v_{view}.*.parquet"):  # the view's previous file in this run: replaced below
            old.unlink()
        path = folder / f"v_{view}.{uuid.uuid4().hex[:8]}.parquet"  # a new name: no listing Spark cached applies
        wh.raw.execute(f"COPY ({_as_instants(wh, query)}) TO '{_literal(str(path))}' (FORMAT parquet)")
        df = session.read.parquet(str(path))
        df.createOrReplaceTempView(view)
        out[view] = df
    return out


def _as_instants(wh: Warehouse, query: str) -> str:
    """``query`` with its naive (UTC) timestamp columns cast to TIMESTAMPTZ, which Spark reads as TIMESTAMP."""
    columns = wh.raw.execute(f"DESCRIBE ({query})").fetchall()
    cols = []
    for name, dtype, *_ in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        naive = dtype.startswith("TIMESTAMP") and "TIME ZONE" not in dtype
        cols.append(f"CAST({quoted} AS TIMESTAMPTZ) AS {quoted}" if naive else quoted)
    return f"SELECT {', '.join(cols)} FROM ({query})"


def _literal(text: str) -> str:
    return text.replace("'", "''")


def from_spark(data: Any) -> pa.Table:
    """A Spark DataFrame or an Ibis expression on Spark, collected as Arrow; timestamps naive UTC.

    Through Spark's Arrow path (not pandas), so decimals stay decimals and nulls stay nulls.
    """
    from pyspark.sql import DataFrame

    if not isinstance(data, DataFrame):  # an Ibis expression: its SQL on its backend's session
        backend = data._find_backend()
        data = backend.raw_sql(backend.compile(data.as_table()))
    if hasattr(data, "toArrow"):  # Spark 4
        table = data.toArrow()
    else:  # Spark 3.5
        from pyspark.sql.pandas.types import to_arrow_schema

        table = pa.Table.from_batches(data._collect_as_arrow(), schema=to_arrow_schema(data.schema))
    return _naive_utc(table)


def _naive_utc(table: pa.Table) -> pa.Table:
    """Instants (timestamps with a zone) as naive UTC, how the warehouse stores times."""
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            column = table.column(i).cast(pa.timestamp(field.type.unit, tz="UTC")).cast(pa.timestamp(field.type.unit))
            table = table.set_column(i, field.with_type(column.type), column)
    return table
