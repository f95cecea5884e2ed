"""GS-ChemDRP behind the benchmark's ``Predictor`` interface."""

from __future__ import annotations

import numpy as np

from gsdrp.config import ModelConfig, TrainConfig, replace
from gsdrp.data.dataset import Dataset
from gsdrp.train.loop import FitResult, Trainer


class GSChemDRPPredictor:
    def __init__(self, model_config: ModelConfig, train_config: TrainConfig):
        self.model_config, self.train_config = model_config, train_config
        self.name = f"gs_chemdrp_{model_config.variant}"
        self.screen_covariate = model_config.screen_covariate

    def fit(self, data: Dataset, seed: int = 0) -> FitResult:
        self.trainer = Trainer(data, self.model_config, replace(self.train_config, seed=seed))
        return self.trainer.fit()

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        return self.trainer.predict(rows).prediction
