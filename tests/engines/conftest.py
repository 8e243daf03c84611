"""The engine suite reuses the hand-made shops of tests/profiles and tests/identity."""

from __future__ import annotations

import sys
from pathlib import Path

for sub in ("profiles", "identity"):
    path = str(Path(__file__).parent.parent / sub)
    if path not in sys.path:
        sys.path.append(path)
