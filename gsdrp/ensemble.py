"""Averages of fitted models behind the one model interface: several seeds of one model, or several models.

An ensemble fits each member ``seeds`` times on the same training rows (member seeds
``seed * seeds + i``; each deep member stops early on validation as it would alone) and predicts the
mean of all its fits. It saves as one model folder holding one folder per fit. The benchmark measures
each ensemble against its members alone (docs/benchmark.md), and hands it those fits (``reuse``) so a
member fitted alone at the same seed on the same data is not fitted again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gsdrp.config import ConfigError, TrainConfig
from gsdrp.data.dataset import Dataset
from gsdrp.predictor import DrugResponseModel, FitReport

FIT_PREFIX = "fit-"


@dataclass
class Fitted:
    """A model fitted on an ensemble's data, with its fit's budget and wall seconds."""

    model: DrugResponseModel
    budget: dict[str, Any]
    seconds: float


@dataclass(frozen=True)
class EnsembleConfig:
    members: tuple[str, ...] = ()  # model names in gsdrp.zoo
    seeds: int = 1  # fits per member


class EnsembleModel(DrugResponseModel):
    config_class = EnsembleConfig

    def __init__(self, config: EnsembleConfig, screen_covariate: bool, name: str = "ensemble", train_config: TrainConfig = TrainConfig()):
        from gsdrp import zoo

        super().__init__(name, config, screen_covariate)
        self.train_config = train_config  # what deep members train with
        self.fits: list[DrugResponseModel] = []
        self.reuse: dict[tuple[str, int], Fitted] = {}  # (member, member seed) -> that fit, made on the data fit() gets
        collections = {zoo.build(m, screen_covariate, train_config).collection for m in config.members} - {None}
        if len(collections) > 1:
            raise ConfigError(f"ensemble {name!r}: members need one gene-set collection, not {sorted(collections)}")
        self.collection = collections.pop() if collections else None

    def flat_config(self) -> dict[str, Any]:
        return {"members": ",".join(self.config.members), "seeds": self.config.seeds}

    def hyperparameters(self) -> dict[str, Any]:
        """Also every member's own settings (of its fits once fitted or loaded), so an ensemble over a
        preset that changed is a new setting."""
        from gsdrp import zoo

        seeds = self.config.seeds
        members = {
            m: (self.fits[i * seeds] if self.fits else zoo.build(m, self.screen_covariate, self.train_config)).hyperparameters()
            for i, m in enumerate(self.config.members)
        }
        return {**super().hyperparameters(), "member_settings": members}

    @classmethod
    def config_from_flat(cls, values: dict[str, Any]) -> EnsembleConfig:
        return EnsembleConfig(tuple(str(values["members"]).split(",")), int(values["seeds"]))

    def fit(self, data: Dataset, seed: int) -> FitReport:
        """Fit every member (``reuse`` spares those fitted already); the budget counts the reused fits and
        their seconds, so the ensemble's cost reads as if it had fitted them itself."""
        self.fits, budgets, reused = [], [], []
        for member in self.config.members:
            for member_seed in range(seed * self.config.seeds, (seed + 1) * self.config.seeds):
                if (member, member_seed) in self.reuse:
                    fitted = self.reuse[member, member_seed]
                    reused.append(fitted.seconds)
                else:
                    fitted = self._fit_member(member, data, member_seed)
                budgets.append(fitted.budget)
                self.fits.append(fitted.model)
        budget = {"rows_seen": budgets[0]["rows_seen"], "fits": len(budgets), "members": budgets}
        return FitReport({**budget, "reused_fits": len(reused), "reused_seconds": sum(reused)} if reused else budget)

    def _fit_member(self, member: str, data: Dataset, seed: int) -> Fitted:
        from gsdrp import zoo

        model = zoo.build(member, self.screen_covariate, self.train_config)
        if isinstance(model, EnsembleModel):
            model.reuse = self.reuse
        started = time.perf_counter()
        return Fitted(model, model.fit(data, seed).budget, time.perf_counter() - started)

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        return np.mean([model.predict(data, rows) for model in self.fits], axis=0).astype(np.float32)

    def save_state(self, folder: Path) -> None:
        for i, model in enumerate(self.fits):
            model.save(folder / f"{FIT_PREFIX}{i:02d}")

    def load_state(self, folder: Path) -> None:
        from gsdrp import zoo

        self.fits = [zoo.load(path) for path in sorted(folder.glob(f"{FIT_PREFIX}*"))]
