"""The documentation site builds with ``mkdocs build --strict``: no warning, no request to the network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).parent / "mkdocs"


def test_the_site_builds_strictly_without_a_warning(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([str(MKDOCS), "build", "--strict", "--site-dir", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARNING" not in log, log
    pages = {p.parent.name for p in tmp_path.glob("*/index.html")}
    assert {"data", "model", "benchmark", "sweeps", "cluster", "security", "interpretation", "cli", "api"} <= pages
    api = (tmp_path / "api" / "index.html").read_text()
    assert "DrugResponseModel" in api and "TrainConfig" in api and "promote" in api  # mkdocstrings rendered
    assert "fonts.googleapis.com" not in (tmp_path / "index.html").read_text()
