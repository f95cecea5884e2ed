"""Fit and evaluate GS-ChemDRP on a ``Dataset``: index-tensor batches, early stopping on validation
RMSE with the best weights restored, a per-epoch callback, checkpoints. Knows nothing of Ray or MLflow."""

from __future__ import annotations

import copy
import dataclasses
import math
import random
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from gsdrp.config import DataConfig, ModelConfig, TrainConfig, from_flat_dict, to_flat_dict
from gsdrp.data.dataset import Dataset, load_dataset
from gsdrp.data.fingerprints import FINGERPRINT_BITS, morgan_fingerprints
from gsdrp.encoders.drug import SmilesEncoder, frozen_embeddings
from gsdrp.metrics import rmse
from gsdrp.model.losses import total_loss
from gsdrp.model.network import Batch, GSChemDRP
from gsdrp.train import diagnostics


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite."""


@dataclass
class EpochReport:
    epoch: int
    metrics: dict[str, float]
    model: GSChemDRP
    is_best: bool


Callback = Callable[[EpochReport], None]


@dataclass
class Predictions:
    prediction: np.ndarray
    gates: np.ndarray | None = None  # [rows, K]
    attention: np.ndarray | None = None  # [rows, heads, K]


@dataclass
class FitResult:
    model: GSChemDRP
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = -1
    best_val_rmse: float = float("inf")


@dataclass
class Progress:
    """Where a fit stands: with the weights, optimiser and scheduler, all a resumed fit needs."""

    epoch: int = 0  # epochs finished
    step: int = 0  # optimiser steps taken
    best_epoch: int = -1
    best_val_rmse: float = float("inf")
    stale: int = 0  # epochs since the best one
    history: list[dict[str, float]] = field(default_factory=list)
    best_weights: dict[str, torch.Tensor] | None = None


def _shared_tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    """A tensor sharing the array's memory on CPU (arrays from Ray's object store are read-only; never written)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.as_tensor(array, device=device)


def cell_stratified_order(cells: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A random permutation of the rows whose every stretch holds each cell line in proportion.

    Each row gets the key (its random rank among its cell's rows + U(0, 1)) / the cell's row
    count; sorting by the key spreads every cell's rows evenly over the epoch, so a batch holds
    about ``batch_size / rows`` of each cell's rows. That keeps the cell-grouped attention's
    padding small (``CellGroups``); every row is still seen once per epoch, in random order.
    """
    shuffled = torch.randperm(len(cells), generator=generator)
    cells = cells.cpu()[shuffled]
    counts = torch.bincount(cells)
    by_cell = torch.argsort(cells, stable=True)
    rank = torch.empty_like(cells)
    rank[by_cell] = torch.arange(len(cells)) - (torch.cumsum(counts, 0) - counts)[cells[by_cell]]
    key = (rank + torch.rand(len(cells), generator=generator)) / counts[cells]
    return shuffled[torch.argsort(key)]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


class DrugInputs:
    """Per-drug encoder inputs: cached frozen embeddings, or padded tokens for fine-tuning."""

    def __init__(self, smiles: list[str], config: ModelConfig, encoder: SmilesEncoder | None, device):
        self.encoder = encoder
        if encoder is None:
            self.table = torch.tensor(frozen_embeddings(smiles, config.encoder)).to(device)
            self.dim = self.table.shape[1]
        else:
            tokens = encoder.tokenize(smiles)
            self.ids, self.mask = tokens["input_ids"].to(device), tokens["attention_mask"].to(device)
            self.dim = encoder.hidden_size

    def __call__(self, drugs: torch.Tensor):
        if self.encoder is None:
            return self.table[drugs]
        length = int(self.mask[drugs].sum(dim=1).max())
        return self.ids[drugs, :length], self.mask[drugs, :length]


def build_model(data: Dataset, config: ModelConfig, device: torch.device) -> tuple[GSChemDRP, DrugInputs, dict]:
    """The model, its drug inputs and its shape (the sizes ``GSChemDRP`` is built with, saved in checkpoints)."""
    encoder = SmilesEncoder(config.encoder) if config.finetune_encoder else None
    inputs = DrugInputs(data.smiles, config, encoder, device)
    shape = {
        "n_sets": len(data.set_names), "drug_dim": inputs.dim, "n_genes": len(data.genes),
        "fingerprint_bits": FINGERPRINT_BITS, "n_cells": len(data.cells), "n_drugs": len(data.drugs),
    }
    return GSChemDRP(config, encoder=encoder, **shape).to(device), inputs, shape


def training_rows(data: Dataset, config: TrainConfig) -> np.ndarray:
    """The training pairs a fit uses: all of the split's, or a seeded ``train_fraction`` of them."""
    rows = data.rows("train")
    if config.train_fraction < 1:
        rng = np.random.default_rng(config.seed)
        rows = np.sort(rng.choice(rows, int(len(rows) * config.train_fraction), replace=False))
    return rows


def identities(index: np.ndarray, train_rows: np.ndarray, n: int) -> np.ndarray:
    """Per cell line (or drug): its own index if it has training rows, else -1 (no identity embedding)."""
    seen = np.bincount(index[train_rows], minlength=n) > 0
    return np.where(seen, np.arange(n), -1)


class Trainer:
    """Holds the dataset as tensors on the device and turns row indices into batches."""

    def __init__(self, data: Dataset, model_config: ModelConfig, train_config: TrainConfig):
        self.data, self.model_config, self.config = data, model_config, train_config
        self.device = pick_device(train_config.device)
        seed_everything(train_config.seed)
        self.model, self.drug_inputs, self.shape = build_model(data, model_config, self.device)
        as_tensor = lambda a: _shared_tensor(a, self.device)  # noqa: E731
        self.activity, self.overlap = as_tensor(data.activity), as_tensor(data.set_overlap)
        self.cell_idx, self.drug_idx = as_tensor(data.cell_idx), as_tensor(data.drug_idx)
        self.y, self.gdsc2, self.pathway = as_tensor(data.y), as_tensor(data.gdsc2), as_tensor(data.pathway)
        self.train_rows = training_rows(data, train_config)
        train_rows = self.train_rows
        self.expression = as_tensor(data.expression) if model_config.uses_genes else None
        self.fingerprints = as_tensor(morgan_fingerprints(data.smiles)) if model_config.drug_fingerprint else None
        self.cell_ids = as_tensor(identities(data.cell_idx, train_rows, len(data.cells)))
        self.drug_ids = as_tensor(identities(data.drug_idx, train_rows, len(data.drugs)))
        with torch.no_grad():  # the prediction starts at the training mean; a second output (the pair's screen shift) at bias 0
            bias = self.model.head[-1].bias
            bias.zero_()
            bias[0] = float(data.y[train_rows].mean())
        if self.drug_inputs.encoder is None:
            self.model.drug_standardise.fit(self.drug_inputs(torch.unique(self.drug_idx[train_rows])))
        if self.expression is not None:
            self.model.gene_standardise.fit(self.expression[torch.unique(self.cell_idx[train_rows])])
        self.optimizer = self._optimizer()
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            self.optimizer, factor=train_config.lr_factor, patience=train_config.lr_patience
        )
        self.generator = torch.Generator().manual_seed(train_config.seed)
        self.progress = Progress()

    def batch(self, rows: torch.Tensor) -> tuple[Batch, torch.Tensor]:
        cells, cell_of_pair = torch.unique(self.cell_idx[rows], return_inverse=True)
        drugs, drug_of_pair = torch.unique(self.drug_idx[rows], return_inverse=True)
        batch = Batch(
            self.activity[cells], self.drug_inputs(drugs), cell_of_pair, drug_of_pair, self.gdsc2[rows],
            expression=self.expression[cells] if self.expression is not None else None,
            fingerprint=self.fingerprints[drugs] if self.fingerprints is not None else None,
            cell_ids=self.cell_ids[cells], drug_ids=self.drug_ids[drugs],
        )
        return batch, drugs

    def identity_path(self, rows: np.ndarray) -> np.ndarray | None:
        """Which identity terms each row's prediction used (``identity`` models only)."""
        if not self.model_config.identity:
            return None
        cell = self.cell_ids.cpu().numpy()[self.data.cell_idx[rows]] >= 0
        drug = self.drug_ids.cpu().numpy()[self.data.drug_idx[rows]] >= 0
        return np.select([cell & drug, cell, drug], ["cell+drug identity", "cell identity", "drug identity"], "features only")

    def _optimizer(self) -> torch.optim.Optimizer:
        encoder_params = list(self.model.encoder.parameters()) if self.model.encoder is not None else []
        encoder_ids = {id(p) for p in encoder_params}
        groups = [{"params": [p for p in self.model.parameters() if id(p) not in encoder_ids], "peak_lr": self.config.lr}]
        if encoder_params:
            groups.append({"params": encoder_params, "peak_lr": self.config.encoder_lr})
        for group in groups:
            group["lr"] = group["peak_lr"]
        return torch.optim.AdamW(groups, weight_decay=self.config.weight_decay)

    def _set_learning_rate(self, steps_per_epoch: int) -> None:
        """Linear warm-up of every learning rate over the first ``warmup_epochs``; then, with the cosine
        schedule, a half-cosine decay that reaches zero at ``max_epochs`` (the plateau schedule acts per epoch)."""
        step, warmup_steps = self.progress.step, self.config.warmup_epochs * steps_per_epoch
        if step < warmup_steps:
            factor = (step + 1) / warmup_steps
        elif self.config.schedule == "cosine":
            decay_steps = max(1.0, self.config.max_epochs * steps_per_epoch - warmup_steps)
            factor = 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup_steps) / decay_steps)))
        else:
            return
        for group in self.optimizer.param_groups:
            group["lr"] = group["peak_lr"] * factor

    def _sparsity_ramp(self, steps_per_epoch: int) -> float:
        """The share of alpha the gate sparsity term gets now: rising linearly over ``alpha_warmup_epochs``."""
        warmup_steps = self.model_config.alpha_warmup_epochs * steps_per_epoch
        return 1.0 if warmup_steps == 0 else min(1.0, self.progress.step / warmup_steps)

    def fit(self, callback: Callback | None = None) -> FitResult:
        """Train until early stopping or ``max_epochs``, continuing from ``progress`` (a resumed fit);
        the best epoch's weights are restored at the end."""
        progress = self.progress
        train_rows = torch.as_tensor(self.train_rows, device=self.device)
        steps_per_epoch = -(-len(train_rows) // self.config.batch_size)
        val_rows = self.data.rows("val")
        monitor_rows = np.random.default_rng(self.config.seed).permutation(train_rows.cpu().numpy())[: len(val_rows)]
        while progress.epoch < self.config.max_epochs and progress.stale < self.config.patience:
            epoch = progress.epoch + 1
            started = time.perf_counter()
            self.model.train()
            order = train_rows[cell_stratified_order(self.cell_idx[train_rows], self.generator).to(self.device)]
            sums: dict[str, float] = {}
            for step, start in enumerate(range(0, len(order), self.config.batch_size), 1):
                rows = order[start : start + self.config.batch_size]
                batch, drugs = self.batch(rows)
                output = self.model(batch)
                loss, parts = total_loss(
                    output, self.y[rows], self.pathway[drugs], self.overlap, self.model_config, self._sparsity_ramp(steps_per_epoch)
                )
                if not torch.isfinite(loss):
                    raise NonFiniteLossError(f"non-finite training loss ({loss.item()}) at epoch {epoch}, step {step}")
                self._set_learning_rate(steps_per_epoch)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                parts.update(diagnostics.gene_set_path(self.model, output))
                self.optimizer.step()
                progress.step += 1
                for name, value in {"loss": loss.item(), **parts}.items():
                    sums[name] = sums.get(name, 0.0) + value
            val_rmse = rmse(self.data.y[val_rows], self.predict(val_rows).prediction)
            metrics = {f"train_{k}": v / steps_per_epoch for k, v in sums.items()}
            metrics.update(
                train_rmse=rmse(self.data.y[monitor_rows], self.predict(monitor_rows).prediction),
                val_rmse=val_rmse,
                lr=self.optimizer.param_groups[0]["lr"],
                epoch_seconds=time.perf_counter() - started,
            )
            if self.config.schedule == "plateau":
                self.scheduler.step(val_rmse)
            is_best = val_rmse < progress.best_val_rmse
            if is_best:
                progress.best_epoch, progress.best_val_rmse, progress.stale = epoch, val_rmse, 0
                progress.best_weights = copy.deepcopy(self.model.state_dict())
            else:
                progress.stale += 1
            progress.epoch = epoch
            progress.history.append({"epoch": epoch, **metrics})
            if callback is not None:
                callback(EpochReport(epoch, metrics, self.model, is_best))
        if progress.best_weights is not None:
            self.model.load_state_dict(progress.best_weights)
        return FitResult(self.model, progress.history, progress.best_epoch, progress.best_val_rmse)

    def state_dict(self) -> dict:
        """Weights, optimiser, scheduler, random states and progress: a fit resumes exactly from it."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "generator": self.generator.get_state(),
            "torch_rng": torch.get_rng_state(),  # dropout masks
            "progress": dataclasses.asdict(self.progress),
        }

    def load_state_dict(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        self.progress = Progress(**state["progress"])

    @torch.no_grad()
    def predict(self, rows: np.ndarray, batch_size: int = 8192, keep_weights: bool = False) -> Predictions:
        """Predictions for dataset rows, in their order; gates and attention too if ``keep_weights``.

        Rows are scored in cell-stratified chunks (``cell_stratified_order``, fixed seed), which keeps
        the attention's per-cell padding small, and put back in order.
        """
        self.model.eval()
        rows = np.asarray(rows)
        order = cell_stratified_order(torch.as_tensor(self.data.cell_idx[rows]), torch.Generator().manual_seed(0))
        order = order.numpy()
        preds, gates, attention = [], [], []
        for start in range(0, len(rows), batch_size):
            chunk = torch.as_tensor(rows[order[start : start + batch_size]], device=self.device)
            batch, _ = self.batch(chunk)
            output = self.model(batch)
            preds.append(output.prediction.cpu().numpy())
            if keep_weights and output.gates is not None:
                gates.append(output.gates.cpu().numpy())
                attention.append(output.attention.cpu().numpy())
        restore = np.argsort(order)
        return Predictions(
            np.concatenate(preds)[restore] if preds else np.zeros(0, np.float32),
            np.concatenate(gates)[restore] if gates else None,
            np.concatenate(attention)[restore] if attention else None,
        )


def save_checkpoint(path: Path, trainer: Trainer) -> None:
    """The one checkpoint format, for run folders, Tune checkpoints, ``gsdrp explain`` and the pyfunc:
    the data, model and train configs, the model's shape, set and gene names, the cell lines and
    drugs (canonical SMILES) with identity embeddings, and the trainer's whole state (weights,
    optimiser, scheduler, random states, progress)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = trainer.data
    torch.save(
        {
            "data_config": to_flat_dict(data.config),
            "model_config": to_flat_dict(trainer.model_config),
            "train_config": to_flat_dict(trainer.config),
            "shape": trainer.shape,
            "set_names": data.set_names,
            "genes": data.genes,
            "identity_cells": {data.cells[i]: int(i) for i in trainer.cell_ids.cpu().numpy() if i >= 0},
            "identity_drugs": identity_groups(data.smiles, trainer.drug_ids.cpu().numpy()),
            "trainer": trainer.state_dict(),
        },
        path,
    )


def identity_groups(smiles: list[str], drug_ids: np.ndarray) -> dict[str, list[int]]:
    """Canonical SMILES -> the identity indices of the trained drugs with it (two, where one compound was
    screened under two GDSC names)."""
    groups: dict[str, list[int]] = {}
    for i in drug_ids[drug_ids >= 0]:
        groups.setdefault(smiles[i], []).append(int(i))
    return groups


def read_checkpoint(path: Path, device: str | torch.device = "cpu") -> dict:
    return torch.load(path, map_location=device, weights_only=True)


def load_checkpoint(path: Path, device: str = "cpu") -> tuple[GSChemDRP, dict]:
    """The model alone (eval mode, no dataset needed) and the checkpoint."""
    state = read_checkpoint(path, device)
    config = from_flat_dict(ModelConfig, state["model_config"])
    encoder = SmilesEncoder(config.encoder) if config.finetune_encoder else None
    model = GSChemDRP(config, encoder=encoder, **state["shape"])
    model.load_state_dict(state["trainer"]["model"])
    return model.eval(), state


def restore_trainer(path: Path, prepared: Path) -> Trainer:
    """The trainer a checkpoint was saved from, on its dataset (read from the cache root ``prepared``)."""
    state = read_checkpoint(path)
    train_config = from_flat_dict(TrainConfig, state["train_config"])
    data = load_dataset(from_flat_dict(DataConfig, state["data_config"]), train_config.split, train_config.collection, out=prepared)
    trainer = Trainer(data, from_flat_dict(ModelConfig, state["model_config"]), train_config)
    trainer.load_state_dict(state["trainer"])
    return trainer
