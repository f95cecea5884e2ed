"""Shared fixtures: the real staged data (../shared/data), prepared once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gsdrp.config import DataConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import prepare
from gsdrp.data.raw import resolve_raw_dir

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


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


@pytest.fixture()
def raw_copy(tmp_path, raw_dir) -> Path:
    """A raw folder of symlinks to the real files; tests replace single files to break them."""
    for source in raw_dir.rglob("*"):
        if source.is_file():
            target = tmp_path / "raw" / source.relative_to(raw_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    return tmp_path / "raw"
