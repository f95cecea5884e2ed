"""The trained model as an MLflow pyfunc: a table of (cell_line, smiles[, screen]) -> predicted ln IC50.

Artifacts: the checkpoint and the cell lines' standardised gene-set activities. The drug encoder
is resolved by name at load time (``$GSDRP_MODELS``, ``../shared/models``, or the Hugging Face
hub); a frozen encoder's drug vectors come from the embedding cache, so the encoder loads only
for SMILES never embedded before. Rows with an unknown cell line or an invalid SMILES get
``prediction`` NaN and an ``error`` naming the culprit; they are never guessed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import torch

import gsdrp
from gsdrp.data.dataset import Dataset
from gsdrp.data.drugs import standardise_smiles
from gsdrp.data.raw import DataError
from gsdrp.data.prediction_input import REQUIRED_COLUMNS
from gsdrp.encoders.drug import frozen_embeddings
from gsdrp.model.network import Batch, GSChemDRP
from gsdrp.train.loop import load_checkpoint

SCREEN_SHARE = {"GDSC1": 0.0, "GDSC2": 1.0}
DEFAULT_SCREEN = "GDSC2"
FORWARD_BATCH = 32768


def predict_pairs(model: GSChemDRP, encoder_name: str, activity: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The table plus ``prediction`` and ``error``: ``cell_line``, ``smiles``, optional ``screen`` (blank: GDSC2).

    Identifiers are compared as text, so a cell line named ``5637`` matches whether it came in as a
    number or a string. Each distinct SMILES is standardised and embedded once.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"input table lacks column(s) {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    out = table.copy()
    cells, smiles = _text(out["cell_line"]), _text(out["smiles"])
    screens = _text(out["screen"]).replace("", DEFAULT_SCREEN) if "screen" in out else pd.Series(DEFAULT_SCREEN, index=out.index)
    canonical = {s: _canonical(s) for s in smiles.unique() if s}
    known_cells = set(activity.index)
    errors = [
        _row_problem(cell, smile, screen, known_cells, canonical)
        for cell, smile, screen in zip(cells, smiles, screens, strict=True)
    ]
    valid = np.array([e is None for e in errors], dtype=bool)
    prediction = np.full(len(out), np.nan, dtype=np.float32)
    if valid.any():
        prediction[valid] = _forward(
            model, encoder_name, activity, cells[valid].to_numpy(), smiles[valid].map(canonical).to_numpy(),
            screens[valid].map(SCREEN_SHARE).to_numpy(np.float32),
        )
    out["prediction"] = prediction
    out["error"] = errors
    return out


def _text(column: pd.Series) -> pd.Series:
    """Values as stripped strings; missing values become ``""``, integral floats lose their ``.0``."""

    def one(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.map(one).astype(object)


def _canonical(smiles: str) -> str | None:
    try:
        return standardise_smiles(smiles, smiles)
    except DataError:
        return None


def _row_problem(cell: str, smiles: str, screen: str, known_cells: set, canonical: dict) -> str | None:
    if not cell:
        return "empty cell_line"
    if cell not in known_cells:
        return f"unknown cell line {cell!r}"
    if screen not in SCREEN_SHARE:
        return f"unknown screen {screen!r} (GDSC1 or GDSC2; blank means {DEFAULT_SCREEN})"
    if not smiles:
        return "empty smiles"
    if canonical[smiles] is None:
        return f"invalid SMILES {smiles!r}"
    return None


@torch.no_grad()
def _forward(model, encoder_name, activity, cells, smiles, screen_share) -> np.ndarray:
    """Predictions in chunks of pairs sorted by cell, so each chunk computes the gene-set path of few cells."""
    model.eval()
    unique_smiles, drug_of_pair = np.unique(smiles, return_inverse=True)
    if model.encoder is None:  # frozen: cached vectors, the encoder runs only for SMILES never seen
        drug_input = torch.tensor(frozen_embeddings(list(unique_smiles), encoder_name))
    else:
        tokens = model.encoder.tokenize(list(unique_smiles))
        drug_input = (tokens["input_ids"], tokens["attention_mask"])
    order = np.argsort(cells, kind="stable")
    prediction = np.empty(len(cells), dtype=np.float32)
    for start in range(0, len(order), FORWARD_BATCH):
        rows = order[start : start + FORWARD_BATCH]
        chunk_cells, cell_of_pair = np.unique(cells[rows], return_inverse=True)
        batch = Batch(
            torch.tensor(activity.loc[chunk_cells].to_numpy(np.float32)), drug_input, torch.as_tensor(cell_of_pair),
            torch.as_tensor(drug_of_pair[rows]), torch.as_tensor(screen_share[rows]),
        )
        prediction[rows] = model(batch).prediction.numpy()
    return prediction


class GSChemDRPModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        self.model, state = load_checkpoint(Path(context.artifacts["checkpoint"]))
        self.encoder_name = state["model_config"]["encoder"]
        self.activity = pd.read_parquet(context.artifacts["cells"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return predict_pairs(self.model, self.encoder_name, self.activity, model_input)


def cell_activity(data: Dataset) -> pd.DataFrame:
    """The cells' standardised gene-set activities as the model artifact stores them (cells x sets)."""
    return pd.DataFrame(data.activity, index=pd.Index(data.cells, name="cell"), columns=data.set_names)


def log_pyfunc(checkpoint: Path, activity: pd.DataFrame, name: str = "model"):
    """Log the model (with the gsdrp package as code) to the active run; returns the ModelInfo."""
    with tempfile.TemporaryDirectory() as tmp:
        cells = Path(tmp) / "cells.parquet"
        activity.to_parquet(cells)
        return mlflow.pyfunc.log_model(
            name=name,
            python_model=GSChemDRPModel(),
            artifacts={"checkpoint": str(checkpoint), "cells": str(cells)},
            code_paths=[str(Path(gsdrp.__file__).parent)],
            pip_requirements=["torch", "transformers", "rdkit", "pandas", "pyarrow", "numpy", "mlflow"],
        )
