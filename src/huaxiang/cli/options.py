"""What every command group shares: the ``--workspace`` option and opening that workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Workspace = Annotated[Path, typer.Option("--workspace", "-w", help="workspace folder / 工作区目录")]


def open_workspace(path: Path):
    """The workspace at ``path`` (imported late: ``--help`` stays fast)."""
    import huaxiang

    return huaxiang.open_workspace(path)
