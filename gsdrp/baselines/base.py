"""One interface for every model the benchmark compares: naive, classical and deep."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from gsdrp.data.dataset import Dataset


class Predictor(Protocol):
    """Fit on the dataset's training rows (validation rows for early stopping), predict any rows."""

    name: str
    screen_covariate: bool

    def fit(self, data: Dataset, seed: int) -> None: ...

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray: ...
