"""Make the project importable when pytest is run as ``.venv/bin/pytest``.

Why: there is no installed package or ``pythonpath`` setting yet, and the
``pytest`` script does not put the working directory on ``sys.path``.
Remove this file once the project config sets ``pythonpath = ["."]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
if PROJECT_ROOT not in sys.path:
    sys.path.insert(0, PROJECT_ROOT)
