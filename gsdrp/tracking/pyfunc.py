"""The trained model as an MLflow pyfunc: a table of (cell_line, smiles[, screen]) -> predicted ln IC50.

Artifacts: the checkpoint and the cell lines' standardised gene-set activities. The drug encoder
is resolved by name at load time (``$GSDRP_MODELS``, ``../shared/models``, or the Hugging Face
hub). Rows with an unknown cell line or an invalid SMILES get ``prediction`` NaN and an ``error``
naming the culprit; they are never guessed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import torch

import gsdrp
from gsdrp.data.drugs import standardise_smiles
from gsdrp.data.raw import DataError
from gsdrp.encoders.drug import SmilesEncoder
from gsdrp.model.network import Batch, GSChemDRP
from gsdrp.train.loop import load_checkpoint

INPUT_COLUMNS = ("cell_line", "smiles")
SCREEN_SHARE = {"GDSC1": 0.0, "GDSC2": 1.0}


def predict_pairs(
    model: GSChemDRP, encoder: SmilesEncoder | None, activity: pd.DataFrame, table: pd.DataFrame
) -> pd.DataFrame:
    """Predictions for a table with ``cell_line``, ``smiles`` and optionally ``screen`` (default GDSC2)."""
    missing = [c for c in INPUT_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"input table lacks column(s) {', '.join(missing)} (needs {', '.join(INPUT_COLUMNS)})")
    out = table.copy()
    screens = out["screen"] if "screen" in out else pd.Series("GDSC2", index=out.index)
    errors, canonical = [], []
    for cell, smiles, screen in zip(out["cell_line"], out["smiles"], screens, strict=True):
        problem, standard = None, None
        if cell not in activity.index:
            problem = f"unknown cell line {cell!r}"
        elif screen not in SCREEN_SHARE:
            problem = f"unknown screen {screen!r} (GDSC1 or GDSC2)"
        else:
            try:
                standard = standardise_smiles(smiles, str(smiles))
            except DataError:
                problem = f"invalid SMILES {smiles!r}"
        errors.append(problem)
        canonical.append(standard)
    valid = np.array([e is None for e in errors])
    prediction = np.full(len(out), np.nan, dtype=np.float32)
    if valid.any():
        prediction[valid] = _forward(model, encoder, activity, out["cell_line"][valid], np.array(canonical)[valid], screens[valid])
    out["prediction"] = prediction
    out["error"] = errors
    return out


@torch.no_grad()
def _forward(model, encoder, activity, cells, smiles, screens) -> np.ndarray:
    model.eval()
    unique_cells, cell_of_pair = np.unique(cells.to_numpy(), return_inverse=True)
    unique_smiles, drug_of_pair = np.unique(smiles, return_inverse=True)
    tokens = (model.encoder or encoder).tokenize(list(unique_smiles))
    drug_input = (tokens["input_ids"], tokens["attention_mask"])
    if model.encoder is None:
        drug_input = encoder(*drug_input)
    batch = Batch(
        torch.tensor(activity.loc[unique_cells].to_numpy(np.float32)),
        drug_input,
        torch.as_tensor(cell_of_pair),
        torch.as_tensor(drug_of_pair),
        torch.tensor(screens.map(SCREEN_SHARE).to_numpy(np.float32)),
    )
    return model(batch).prediction.numpy()


class GSChemDRPModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        self.model, state = load_checkpoint(Path(context.artifacts["checkpoint"]))
        self.encoder = None if self.model.encoder is not None else SmilesEncoder(state["model_config"]["encoder"]).eval()
        self.activity = pd.read_parquet(context.artifacts["cells"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return predict_pairs(self.model, self.encoder, self.activity, model_input)


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
