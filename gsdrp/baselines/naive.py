"""Naive predictors: global mean, per-drug mean, per-cell-line mean, and additive mean effects.

With ``screen_covariate`` each adds a GDSC2 offset fitted by least squares on its training residuals.
Unseen drugs or cell lines (blind splits) fall back to the global mean or a zero effect.
"""

from __future__ import annotations

import numpy as np

from gsdrp.data.dataset import Dataset


def _group_means(values: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    sums = np.bincount(groups, weights=values, minlength=n_groups)
    counts = np.bincount(groups, minlength=n_groups)
    return np.divide(sums, counts, out=np.zeros(n_groups), where=counts > 0), counts > 0


class NaivePredictor:
    """kind: ``mean``, ``drug_mean``, ``cell_mean`` or ``mean_effects`` (mean + cell effect + drug effect)."""

    def __init__(self, kind: str, screen_covariate: bool = False, sweeps: int = 20):
        if kind not in ("mean", "drug_mean", "cell_mean", "mean_effects"):
            raise ValueError(f"unknown naive baseline {kind!r}")
        self.kind, self.screen_covariate, self.sweeps = kind, screen_covariate, sweeps
        self.name = f"naive_{kind}"

    def fit(self, data: Dataset, seed: int = 0) -> None:
        """Backfitting: each component is refitted on the residual of the others until stable."""
        rows = data.rows("train")
        y, cells, drugs, gdsc2 = data.y[rows].astype(np.float64), data.cell_idx[rows], data.drug_idx[rows], data.gdsc2[rows]
        uses_drug, uses_cell = self.kind in ("drug_mean", "mean_effects"), self.kind in ("cell_mean", "mean_effects")
        self.mean, self.screen_offset = 0.0, 0.0
        self.cell_effect, self.drug_effect = np.zeros(len(data.cells)), np.zeros(len(data.drugs))
        for _ in range(self.sweeps if self.kind == "mean_effects" or self.screen_covariate else 1):
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

    def _base(self, cells: np.ndarray, drugs: np.ndarray) -> np.ndarray:
        return self.mean + self.cell_effect[cells] + self.drug_effect[drugs]

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        base = self._base(data.cell_idx[rows], data.drug_idx[rows])
        return (base + self.screen_offset * data.gdsc2[rows]).astype(np.float32)
