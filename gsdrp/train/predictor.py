"""GS-ChemDRP behind the one model interface (``gsdrp.predictor``): trains with ``Trainer``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gsdrp.config import ModelConfig, TrainConfig, from_flat_dict, replace, to_flat_dict
from gsdrp.data.dataset import Dataset
from gsdrp.predictor import DrugResponseModel, FitReport
from gsdrp.train.loop import Trainer

STATE = "weights.pt"


@dataclass(frozen=True)
class DeepConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


class GSChemDRPModel(DrugResponseModel):
    """``screen_covariate`` is the model config's own switch; the train config's seed is replaced by ``fit``'s.
    ``name`` is the registry name (``gs_chemdrp_<variant>`` unless a preset names it)."""

    config_class = DeepConfig

    def __init__(self, config: DeepConfig = DeepConfig(), screen_covariate: bool | None = None, name: str | None = None):
        if screen_covariate is not None:
            config = DeepConfig(replace(config.model, screen_covariate=screen_covariate), config.train)
        if not config.model.screen_covariate:  # without the covariate there is no shift to shape
            config = DeepConfig(replace(config.model, screen_effect="global"), config.train)
        super().__init__(name or f"gs_chemdrp_{config.model.variant}", config, config.model.screen_covariate)
        self.trainer: Trainer | None = None
        self.weights: dict[str, torch.Tensor] | None = None

    @property
    def collection(self) -> str:
        return self.config.train.collection

    def flat_config(self) -> dict[str, Any]:
        return {**to_flat_dict(self.config.model, "model."), **to_flat_dict(self.config.train, "train.")}

    @classmethod
    def config_from_flat(cls, values: dict[str, Any]) -> DeepConfig:
        return DeepConfig(from_flat_dict(ModelConfig, values, "model."), from_flat_dict(TrainConfig, values, "train."))

    def fit(self, data: Dataset, seed: int = 0) -> FitReport:
        self.trainer = Trainer(data, self.config.model, replace(self.config.train, seed=seed))
        result = self.trainer.fit()
        budget = {"rows_seen": len(self.trainer.train_rows), "epochs_run": len(result.history), "best_epoch": result.best_epoch}
        return FitReport(budget, result.history)

    def _weights(self) -> dict[str, torch.Tensor]:
        return self.trainer.model.state_dict() if self.trainer is not None else self.weights

    def trainer_on(self, data: Dataset) -> Trainer:
        """The trainer holding these weights on ``data`` (rebuilt if the model was loaded or fitted on other data);
        ``data`` must be the dataset of the fit, so identities and standardisation come out as in training."""
        if self.trainer is None or self.trainer.data is not data:
            weights = self._weights()
            self.trainer = Trainer(data, self.config.model, self.config.train)
            self.trainer.model.load_state_dict(weights)
        return self.trainer

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        return self.trainer_on(data).predict(rows).prediction

    def save_state(self, folder: Path) -> None:
        torch.save(self._weights(), folder / STATE)

    def load_state(self, folder: Path) -> None:
        self.weights, self.trainer = torch.load(folder / STATE, weights_only=True), None
