"""Matrix factorisation: y = mu + b_cell + b_drug + <p_cell, q_drug> (+ GDSC2 shift), no features.

The GDSC2 shift is one number, or (``screen_effect="pair"``) a second factorisation of the same form,
o + a_cell + a_drug + <r_cell, t_drug>: the rival to GS-ChemDRP's per-pair shift (docs/model.md).

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
from typing import Literal

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
    screen_effect: Literal["global", "pair"] = field(
        default="global",
        metadata={"help": "with the screen covariate, the GDSC2 shift: one number, or its own factorisation over cell line and drug"},
    )


class BiasedFactors(nn.Module):
    """b_cell + b_drug + <p_cell, q_drug>, one bias and one factor vector per cell line and per drug."""

    def __init__(self, n_cells: int, n_drugs: int, dim: int):
        super().__init__()
        self.cell_bias, self.drug_bias = nn.Parameter(torch.zeros(n_cells)), nn.Parameter(torch.zeros(n_drugs))
        self.cell_factors = nn.Parameter(torch.randn(n_cells, dim) * 0.01)
        self.drug_factors = nn.Parameter(torch.randn(n_drugs, dim) * 0.01)

    def forward(self, cells, drugs):
        interaction = (self.cell_factors[cells] * self.drug_factors[drugs]).sum(-1)
        return self.cell_bias[cells] + self.drug_bias[drugs] + interaction

    def penalty(self, cells, drugs):
        """Squared norm of the factors a batch uses, per row."""
        return (self.cell_factors[cells] ** 2 + self.drug_factors[drugs] ** 2).sum(-1)

    @torch.no_grad()
    def average_unseen(self, counts: tuple[np.ndarray, np.ndarray]) -> None:
        """Give cell lines and drugs without training rows (``counts`` zero) the row-weighted average bias
        and factors of those with rows; they get no gradient, so only this sets them."""
        for count, bias, factors in ((counts[0], self.cell_bias, self.cell_factors), (counts[1], self.drug_bias, self.drug_factors)):
            unseen = count == 0
            if unseen.any():
                weight = torch.as_tensor(count / count.sum(), dtype=bias.dtype)
                bias[unseen] = weight @ bias
                factors[unseen] = weight @ factors


class Factors(nn.Module):
    def __init__(self, n_cells: int, n_drugs: int, dim: int, mean: float, pair_shift: bool = False):
        super().__init__()
        self.mean = nn.Parameter(torch.tensor(mean))
        self.response = BiasedFactors(n_cells, n_drugs, dim)
        self.screen_offset = nn.Parameter(torch.zeros(()))
        self.shift = BiasedFactors(n_cells, n_drugs, dim) if pair_shift else None

    def forward(self, cells, drugs, gdsc2):
        offset = self.screen_offset + (self.shift(cells, drugs) if self.shift is not None else 0.0)
        return self.mean + self.response(cells, drugs) + offset * gdsc2

    def penalty(self, cells, drugs):
        shift = self.shift.penalty(cells, drugs) if self.shift is not None else 0.0
        return self.response.penalty(cells, drugs) + shift

    def average_unseen(self, counts: tuple[np.ndarray, np.ndarray]) -> None:
        self.response.average_unseen(counts)
        if self.shift is not None:
            self.shift.average_unseen(counts)


class FactorisationModel(DrugResponseModel):
    config_class = FactorisationConfig

    def __init__(
        self, config: FactorisationConfig = FactorisationConfig(), screen_covariate: bool = False, name: str = "matrix_factorisation"
    ):
        super().__init__(name, config, screen_covariate)

    def _inputs(self, cells: np.ndarray, drugs: np.ndarray, gdsc2: np.ndarray):
        """Index and GDSC2-share tensors; the share is zero without the screen covariate."""
        gdsc2 = gdsc2 if self.screen_covariate else np.zeros(len(cells), np.float32)
        return torch.as_tensor(cells), torch.as_tensor(drugs), torch.as_tensor(gdsc2)

    def fit(self, data: Dataset, seed: int = 0) -> FitReport:
        torch.manual_seed(seed)
        c, train, val = self.config, data.rows("train"), data.rows("val")
        pair_shift = self.screen_covariate and c.screen_effect == "pair"
        self.factors = Factors(len(data.cells), len(data.drugs), c.dim, float(data.y[train].mean()), pair_shift)
        optimizer = torch.optim.Adam(self.factors.parameters(), lr=c.lr)
        cells, drugs, gdsc2 = self._inputs(data.cell_idx[train], data.drug_idx[train], data.gdsc2[train])
        y = torch.as_tensor(data.y[train])
        generator = torch.Generator().manual_seed(seed)
        monitor = np.random.default_rng(seed).permutation(train)[: len(val)]  # training rows scored each epoch
        counts = self._training_counts(data, train)
        history, best, best_state, stale = [], float("inf"), None, 0
        for epoch in range(1, c.max_epochs + 1):
            for batch in torch.randperm(len(y), generator=generator).split(c.batch_size):
                pred = self.factors(cells[batch], drugs[batch], gdsc2[batch])
                loss = ((pred - y[batch]) ** 2).mean() + c.l2 * self.factors.penalty(cells[batch], drugs[batch]).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            self.factors.average_unseen(counts)
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

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        return self.predict_indices(data.cell_idx[rows], data.drug_idx[rows], data.gdsc2[rows])

    @torch.no_grad()
    def predict_indices(self, cells: np.ndarray, drugs: np.ndarray, gdsc2: np.ndarray) -> np.ndarray:
        """Predictions for pairs given by the fit's dataset's cell and drug indices and the GDSC2 share
        (a registered model's input)."""
        return self.factors(*self._inputs(cells, drugs, gdsc2)).numpy().astype(np.float32)

    def save_state(self, folder: Path) -> None:
        torch.save(self.factors.state_dict(), folder / STATE)

    def load_state(self, folder: Path) -> None:
        state = torch.load(folder / STATE, weights_only=True)
        n_cells, dim = state["response.cell_factors"].shape
        pair_shift = any(key.startswith("shift.") for key in state)
        self.factors = Factors(n_cells, len(state["response.drug_bias"]), dim, 0.0, pair_shift)
        self.factors.load_state_dict(state)
