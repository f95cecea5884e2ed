"""Matrix factorisation: y = mu + b_cell + b_drug + <p_cell, q_drug> (+ screen offset), no features.

The classic strong baseline for a random pair split, where every test cell line and drug was seen
in training. A cell line or drug without training rows (blind splits) has no learned bias or
factor: it takes the training rows' average of both, so it is predicted as the average known cell
line (or drug) would be.
Trained with Adam on minibatches, L2 on the factors, early stopping on validation RMSE.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from gsdrp.data.dataset import Dataset
from gsdrp.metrics import rmse
from gsdrp.predictor import DrugResponseModel, FitReport

STATE = "factorisation.pt"


@dataclass(frozen=True)
class FactorisationConfig:
    dim: int = field(default=32, metadata={"help": "factors per cell line and per drug"})
    l2: float = field(default=1e-3, metadata={"help": "L2 penalty on the factors (per row)"})
    lr: float = field(default=1e-2, metadata={"help": "Adam learning rate"})
    batch_size: int = field(default=8192, metadata={"help": "pairs per step"})
    max_epochs: int = field(default=300, metadata={"help": "most epochs"})
    patience: int = field(default=10, metadata={"help": "epochs without a better validation RMSE before stopping"})


class Factors(nn.Module):
    def __init__(self, n_cells: int, n_drugs: int, dim: int, mean: float):
        super().__init__()
        self.mean = nn.Parameter(torch.tensor(mean))
        self.cell_bias, self.drug_bias = nn.Parameter(torch.zeros(n_cells)), nn.Parameter(torch.zeros(n_drugs))
        self.cell_factors = nn.Parameter(torch.randn(n_cells, dim) * 0.01)
        self.drug_factors = nn.Parameter(torch.randn(n_drugs, dim) * 0.01)
        self.screen_offset = nn.Parameter(torch.zeros(()))

    def forward(self, cells, drugs, gdsc2):
        interaction = (self.cell_factors[cells] * self.drug_factors[drugs]).sum(-1)
        return self.mean + self.cell_bias[cells] + self.drug_bias[drugs] + interaction + self.screen_offset * gdsc2


class FactorisationModel(DrugResponseModel):
    config_class = FactorisationConfig

    def __init__(self, config: FactorisationConfig = FactorisationConfig(), screen_covariate: bool = False):
        super().__init__("matrix_factorisation", config, screen_covariate)

    def _inputs(self, data: Dataset, rows: np.ndarray):
        gdsc2 = data.gdsc2[rows] if self.screen_covariate else np.zeros(len(rows), np.float32)
        return torch.as_tensor(data.cell_idx[rows]), torch.as_tensor(data.drug_idx[rows]), torch.as_tensor(gdsc2)

    def fit(self, data: Dataset, seed: int = 0) -> FitReport:
        torch.manual_seed(seed)
        c, train, val = self.config, data.rows("train"), data.rows("val")
        self.factors = Factors(len(data.cells), len(data.drugs), c.dim, float(data.y[train].mean()))
        optimizer = torch.optim.Adam(self.factors.parameters(), lr=c.lr)
        cells, drugs, gdsc2 = self._inputs(data, train)
        y = torch.as_tensor(data.y[train])
        generator = torch.Generator().manual_seed(seed)
        monitor = np.random.default_rng(seed).permutation(train)[: len(val)]  # training rows scored each epoch
        counts = self._training_counts(data, train)
        history, best, best_state, stale = [], float("inf"), None, 0
        for epoch in range(1, c.max_epochs + 1):
            for batch in torch.randperm(len(y), generator=generator).split(c.batch_size):
                pred = self.factors(cells[batch], drugs[batch], gdsc2[batch])
                penalty = (self.factors.cell_factors[cells[batch]] ** 2 + self.factors.drug_factors[drugs[batch]] ** 2).sum(-1)
                loss = ((pred - y[batch]) ** 2).mean() + c.l2 * penalty.mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            self._average_unseen(counts)
            val_rmse = rmse(data.y[val], self.predict(data, val))
            train_rmse = rmse(data.y[monitor], self.predict(data, monitor))
            history.append({"epoch": epoch, "train_rmse": train_rmse, "val_rmse": val_rmse})
            if val_rmse < best:
                best, best_state, stale = val_rmse, copy.deepcopy(self.factors.state_dict()), 0
            else:
                stale += 1
            if stale >= c.patience:
                break
        self.factors.load_state_dict(best_state)
        best_epoch = min(history, key=lambda h: h["val_rmse"])["epoch"]
        return FitReport({"rows_seen": len(train), "epochs_run": len(history), "best_epoch": best_epoch}, history)

    @staticmethod
    def _training_counts(data: Dataset, train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training rows of each cell line and of each drug (zero = unseen)."""
        return (
            np.bincount(data.cell_idx[train], minlength=len(data.cells)),
            np.bincount(data.drug_idx[train], minlength=len(data.drugs)),
        )

    @torch.no_grad()
    def _average_unseen(self, counts: tuple[np.ndarray, np.ndarray]) -> None:
        """Give cell lines and drugs without training rows the row-weighted average bias and factors
        of those with rows; they get no gradient, so only this sets them."""
        for count, bias, factors in (
            (counts[0], self.factors.cell_bias, self.factors.cell_factors),
            (counts[1], self.factors.drug_bias, self.factors.drug_factors),
        ):
            unseen = count == 0
            if unseen.any():
                weight = torch.as_tensor(count / count.sum(), dtype=bias.dtype)
                bias[unseen] = weight @ bias
                factors[unseen] = weight @ factors

    @torch.no_grad()
    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        return self.factors(*self._inputs(data, rows)).numpy().astype(np.float32)

    def save_state(self, folder: Path) -> None:
        torch.save(self.factors.state_dict(), folder / STATE)

    def load_state(self, folder: Path) -> None:
        state = torch.load(folder / STATE, weights_only=True)
        n_cells, dim = state["cell_factors"].shape
        self.factors = Factors(n_cells, len(state["drug_bias"]), dim, 0.0)
        self.factors.load_state_dict(state)
