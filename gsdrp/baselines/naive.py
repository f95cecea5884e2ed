"""Naive predictors: global mean, per-drug mean, per-cell-line mean, and additive mean effects.

With ``screen_covariate`` each adds a GDSC2 offset fitted by least squares on its training residuals.
Unseen drugs or cell lines (blind splits) fall back to the global mean or a zero effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from gsdrp.data.dataset import Dataset
from gsdrp.predictor import DrugResponseModel, FitReport

KINDS = ("mean", "drug_mean", "cell_mean", "mean_effects")
STATE = "naive.npz"


@dataclass(frozen=True)
class NaiveConfig:
    kind: Literal["mean", "drug_mean", "cell_mean", "mean_effects"] = field(
        default="mean_effects", metadata={"help": "global mean, per-drug mean, per-cell mean, or mean + cell + drug effects"}
    )
    backfit_sweeps: int = field(default=20, metadata={"help": "backfitting sweeps over the additive components"})


def _group_means(values: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    sums = np.bincount(groups, weights=values, minlength=n_groups)
    counts = np.bincount(groups, minlength=n_groups)
    return np.divide(sums, counts, out=np.zeros(n_groups), where=counts > 0), counts > 0


class NaiveModel(DrugResponseModel):
    config_class = NaiveConfig

    def __init__(self, config: NaiveConfig = NaiveConfig(), screen_covariate: bool = False):
        if config.kind not in KINDS:
            raise ValueError(f"unknown naive baseline {config.kind!r}")
        super().__init__(f"naive_{config.kind}", config, screen_covariate)

    def fit(self, data: Dataset, seed: int = 0) -> FitReport:
        """Backfitting: each component is refitted on the residual of the others until stable."""
        rows = data.rows("train")
        y, cells, drugs, gdsc2 = data.y[rows].astype(np.float64), data.cell_idx[rows], data.drug_idx[rows], data.gdsc2[rows]
        kind = self.config.kind
        uses_drug, uses_cell = kind in ("drug_mean", "mean_effects"), kind in ("cell_mean", "mean_effects")
        self.mean, self.screen_offset = 0.0, 0.0
        self.cell_effect, self.drug_effect = np.zeros(len(data.cells)), np.zeros(len(data.drugs))
        sweeps = self.config.backfit_sweeps if kind == "mean_effects" or self.screen_covariate else 1
        for _ in range(sweeps):
            target = y - self.screen_offset * gdsc2
            self.mean = float((target - self.cell_effect[cells] - self.drug_effect[drugs]).mean())
            if uses_drug:
                self.drug_effect = _group_means(target - self.mean - self.cell_effect[cells], drugs, len(data.drugs))[0]
            if uses_cell:
                self.cell_effect = _group_means(target - self.mean - self.drug_effect[drugs], cells, len(data.cells))[0]
            if self.screen_covariate:
                residual = y - self._base(cells, drugs)
                centred = gdsc2 - gdsc2.mean()
                self.screen_offset = float(centred @ (residual - residual.mean()) / (centred @ centred))
        self.mean += float((y - self._base(cells, drugs) - self.screen_offset * gdsc2).mean())
        return FitReport({"rows_seen": len(rows), "sweeps": sweeps})

    def _base(self, cells: np.ndarray, drugs: np.ndarray) -> np.ndarray:
        return self.mean + self.cell_effect[cells] + self.drug_effect[drugs]

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        base = self._base(data.cell_idx[rows], data.drug_idx[rows])
        return (base + self.screen_offset * data.gdsc2[rows]).astype(np.float32)

    def save_state(self, folder: Path) -> None:
        np.savez(folder / STATE, mean=self.mean, screen_offset=self.screen_offset, cell_effect=self.cell_effect,
                 drug_effect=self.drug_effect)

    def load_state(self, folder: Path) -> None:
        state = np.load(folder / STATE)
        self.mean, self.screen_offset = float(state["mean"]), float(state["screen_offset"])
        self.cell_effect, self.drug_effect = state["cell_effect"], state["drug_effect"]
