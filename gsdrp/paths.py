"""Default folders, anchored to the checkout (Ray runs trials in their own working folders)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_PREPARED = "GSDRP_PREPARED"
DEFAULT_PREPARED = Path(os.environ.get(ENV_PREPARED, REPO_ROOT / "data" / "prepared"))
