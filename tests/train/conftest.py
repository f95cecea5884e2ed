from __future__ import annotations

import pytest

from gsdrp.config import DataConfig
from gsdrp.data.dataset import load_dataset


@pytest.fixture(scope="session")
def real_data(prepared_root):
    """The real random split (hallmark sets) from the session's prepared cache."""
    return load_dataset(DataConfig(), "random", "hallmark", out=prepared_root)
