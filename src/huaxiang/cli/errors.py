"""Expected failures become a clear message and an exit code, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable

import typer

from huaxiang.cli import render
from huaxiang.definitions.loader import DefinitionError
from huaxiang.engine.warehouse import WorkspaceBusy
from huaxiang.i18n import t
from huaxiang.identity import DecisionError, IdentityNotBuilt, TooFewRecords
from huaxiang.ingest.load import IngestError
from huaxiang.predict import PredictError
from huaxiang.profiles import ProfileError
from huaxiang.workspace import WorkspaceError


def _busy(exc: WorkspaceBusy) -> str:
    holder = exc.holder
    what = holder.get("command", "?") if holder.get("pid") == exc.pid or exc.pid is None else "?"
    return t("error.busy", path=exc.path, pid=exc.pid or holder.get("pid", "?"), command=what,
             since=holder.get("since", "?"))


def _ingest(exc: IngestError) -> str:
    """Where (file, row, column) and what kind of problem, in the user's language; the detail as raised."""
    where = t("error.where.sep").join(x for x in (
        exc.file, t("error.where.row", row=exc.row) if exc.row else None,
        t("error.where.column", column=exc.column) if exc.column else None) if x)
    kind = t(f"error.code.{exc.code}")
    detail = exc.message if kind.startswith("error.code.") else f"{kind}{t('error.where.colon')}{exc.message}"
    return f"{where}{t('error.where.colon')}{detail}" if where else detail


def guarded(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except WorkspaceBusy as exc:
            render.error(_busy(exc))
        except DefinitionError as exc:
            render.error(t("error.definitions", n=len(exc.problems)), [str(p) for p in exc.problems])
        except IngestError as exc:
            render.error(t("error.load", load_id=exc.load_id or "-", message=_ingest(exc)), exc.details[:20])
        except IdentityNotBuilt:
            render.error(t("identity.not_built"))
        except DecisionError as exc:
            render.error(t(f"review.error.{exc.code}", **exc.params))
        except TooFewRecords as exc:
            render.error(t("match.too_few", records=exc.records, needed=exc.needed))
        except ProfileError as exc:
            render.error(t(f"profiles.error.{exc.code}", **exc.params))
        except PredictError as exc:
            render.error(t(f"predict.error.{exc.code.removeprefix('predict.')}", **exc.params))
        except (WorkspaceError, FileExistsError) as exc:
            render.error(str(exc))
        raise typer.Exit(1)

    return wrapper
