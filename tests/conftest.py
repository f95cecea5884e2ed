"""Shared fixtures: the real staged data (../shared/data), prepared once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gsdrp.config import DataConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import prepare
from gsdrp.data.raw import resolve_raw_dir

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]


def sweep_env(tracking_uri: str, **extra: str) -> dict[str, str]:
    """The environment of a sweep driver: a local instance unless ``extra`` names ``RAY_ADDRESS``."""
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "RAY_AUTH_MODE": "token"}
    env.pop("RAY_ADDRESS", None)
    return {**env, **extra}


def smoke_command(storage: Path, prepared: Path, *args: str, max_epochs: int = 2) -> list[str]:
    return [
        sys.executable, str(REPO / "sweeps" / "smoke.py"), "--storage", str(storage), "--prepared", str(prepared),
        "--max-epochs", str(max_epochs), *args,
    ]


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return resolve_raw_dir()


@pytest.fixture(scope="session")
def prepared_root(tmp_path_factory, raw_dir) -> Path:
    """The default dataset, prepared from the real raw files into a session-private cache."""
    root = tmp_path_factory.mktemp("prepared")
    prepare(DataConfig(), raw_dir, root)
    return root


@pytest.fixture(scope="session")
def real_data(prepared_root):
    """The real random split (hallmark sets) from the session's prepared cache."""
    return load_dataset(DataConfig(), "random", "hallmark", out=prepared_root)


@pytest.fixture(scope="session")
def finished_smoke_sweep(prepared_root, tmp_path_factory) -> tuple[str, Path, str]:
    """``sweeps/smoke.py`` at its smallest (2 trials, 1 epoch) on a fresh sqlite store, run once for the tests
    that read a finished sweep; returns the store's URI, its folder and what the driver printed."""
    folder = tmp_path_factory.mktemp("smoke-sweep")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    done = subprocess.run(
        smoke_command(folder / "ray", prepared_root, "--num-samples", "2", max_epochs=1),
        env=sweep_env(uri), capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return uri, folder, done.stdout


@pytest.fixture()
def raw_copy(tmp_path, raw_dir) -> Path:
    """A raw folder of symlinks to the real files; tests replace single files to break them."""
    for source in raw_dir.rglob("*"):
        if source.is_file():
            target = tmp_path / "raw" / source.relative_to(raw_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    return tmp_path / "raw"
