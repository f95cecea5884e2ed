"""The trained model as an MLflow pyfunc: a table of (cell_line, smiles[, screen]) -> predicted ln IC50.

Artifacts: the checkpoint and the cell lines' features (standardised gene-set activities and, as
``gene:<symbol>`` columns, expression). The drug encoder
is resolved by name at load time (``$GSDRP_MODELS``, ``../shared/models``, or the Hugging Face
hub); a frozen encoder's drug vectors come from the embedding cache, so the encoder loads only
for SMILES never embedded before. Rows with an unknown cell line or an invalid SMILES get
``prediction`` NaN and an ``error`` naming the culprit; they are never guessed. Models with identity
embeddings use them for cell lines and drugs (by canonical SMILES) seen in training and the
features alone otherwise; a ``path`` column says which.
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
from gsdrp.data.fingerprints import morgan_fingerprints
from gsdrp.data.raw import DataError
from gsdrp.data.prediction_input import REQUIRED_COLUMNS
from gsdrp.data.profiles import GENE_PREFIX, CellTransform, feature_table
from gsdrp.encoders.drug import frozen_embeddings
from gsdrp.errors import UserError
from gsdrp.model.network import Batch, GSChemDRP
from gsdrp.train.loop import load_checkpoint

SCREEN_SHARE = {"GDSC1": 0.0, "GDSC2": 1.0}
DEFAULT_SCREEN = "GDSC2"
FORWARD_BATCH = 32768


def predict_pairs(
    model: GSChemDRP, encoder_name: str, cells: pd.DataFrame, table: pd.DataFrame,
    identity_cells: dict[str, int] | None = None, identity_drugs: dict[str, int] | None = None,
) -> pd.DataFrame:
    """The table plus ``prediction`` and ``error``: ``cell_line``, ``smiles``, optional ``screen`` (blank: GDSC2).

    ``cells`` is ``cell_features``' table; ``identity_*`` map names and canonical SMILES to identity
    indices (from the checkpoint) for models with identity embeddings.

    Identifiers are compared as text, so a cell line named ``5637`` matches whether it came in as a
    number or a string. Each distinct SMILES is standardised and embedded once.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"input table lacks column(s) {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    out = table.copy()
    names, smiles = text_values(out["cell_line"]), text_values(out["smiles"])
    screens = text_values(out["screen"]).replace("", DEFAULT_SCREEN) if "screen" in out else pd.Series(DEFAULT_SCREEN, index=out.index)
    canonical = {s: canonical_smiles(s) for s in smiles.unique() if s}
    known_cells = set(cells.index)
    errors = [
        _row_problem(cell, smile, screen, known_cells, canonical)
        for cell, smile, screen in zip(names, smiles, screens, strict=True)
    ]
    valid = np.array([e is None for e in errors], dtype=bool)
    prediction = np.full(len(out), np.nan, dtype=np.float32)
    identities = (identity_cells or {}, identity_drugs or {})
    if valid.any():
        prediction[valid] = _forward(
            model, encoder_name, cells, names[valid].to_numpy(), smiles[valid].map(canonical).to_numpy(),
            screens[valid].map(SCREEN_SHARE).to_numpy(np.float32), identities,
        )
    out["prediction"] = prediction
    out["error"] = errors
    if model.config.identity:
        cell_known = names.isin(list(identities[0])).to_numpy() & valid
        drug_known = smiles.map(canonical).isin(list(identities[1])).to_numpy() & valid
        out["path"] = np.select(
            [~valid, cell_known & drug_known, cell_known, drug_known],
            ["", "cell+drug identity", "cell identity", "drug identity"], "features only",
        )
    return out


def text_values(column: pd.Series) -> pd.Series:
    """Values as stripped strings; missing values become ``""``, integral floats lose their ``.0``."""

    def one(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.map(one).astype(object)


def canonical_smiles(smiles: str) -> str | None:
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
def _forward(model, encoder_name, features, cells, smiles, screen_share, identities) -> np.ndarray:
    """Predictions in chunks of pairs sorted by cell, so each chunk computes the gene-set path of few cells."""
    model.eval()
    gene_columns = features.columns.str.startswith(GENE_PREFIX)
    activity, expression = features.loc[:, ~gene_columns], features.loc[:, gene_columns]
    unique_smiles, drug_of_pair = np.unique(smiles, return_inverse=True)
    fingerprint = torch.tensor(morgan_fingerprints(list(unique_smiles))) if model.config.drug_fingerprint else None
    drug_ids = torch.tensor([identities[1].get(s, -1) for s in unique_smiles])
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
            expression=torch.tensor(expression.loc[chunk_cells].to_numpy(np.float32)) if model.config.uses_genes else None,
            fingerprint=fingerprint,
            cell_ids=torch.tensor([identities[0].get(c, -1) for c in chunk_cells]),
            drug_ids=drug_ids,
        )
        prediction[rows] = model(batch).prediction.numpy()
    return prediction


class GSChemDRPModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        self.model, self.state = load_checkpoint(Path(context.artifacts["checkpoint"]))
        self.cells = pd.read_parquet(context.artifacts["cells"])
        transform = context.artifacts.get("cell_transform")
        self.transform = CellTransform.load(Path(transform)) if transform else None

    def add_profiles(self, profiles: pd.DataFrame) -> list[str]:
        """Make the cell lines of ``profiles`` (``read_profiles``) predictable; returns the genes filled in.
        A name the model already has is refused, so a profile never silently replaces a packaged cell line."""
        if self.transform is None:
            raise UserError("this model was logged before gsdrp could read expression profiles: retrain it to use --expression")
        clash = sorted(set(profiles.index) & set(self.cells.index))
        if clash:
            raise UserError(f"--expression: {clash[0]!r} is a cell line the model already has; give your profile another name")
        features, filled = self.transform.features(profiles)
        self.cells = pd.concat([self.cells, features[self.cells.columns]])
        return filled

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        state = self.state
        return predict_pairs(
            self.model, state["model_config"]["encoder"], self.cells, model_input,
            state["identity_cells"], state["identity_drugs"],
        )


def cell_features(data: Dataset) -> pd.DataFrame:
    """The cells' features as the model artifact stores them: standardised gene-set activities, then
    expression as ``gene:<Entrez ID>`` columns (cells x (sets + genes))."""
    return feature_table(data.activity, data.expression, data.cells, data.set_names, data.genes)


def log_pyfunc(checkpoint: Path, data: Dataset, name: str = "model"):
    """Log the model trained on ``data`` (with the gsdrp package as code) to the active run; returns the ModelInfo."""
    with tempfile.TemporaryDirectory() as tmp:
        cells_file, transform_file = Path(tmp) / "cells.parquet", Path(tmp) / "cell_transform.json"
        cell_features(data).to_parquet(cells_file)
        CellTransform.of(data).save(transform_file)
        return mlflow.pyfunc.log_model(
            name=name,
            python_model=GSChemDRPModel(),
            artifacts={"checkpoint": str(checkpoint), "cells": str(cells_file), "cell_transform": str(transform_file)},
            code_paths=[str(Path(gsdrp.__file__).parent)],
            pip_requirements=["torch", "transformers", "rdkit", "pandas", "pyarrow", "numpy", "mlflow"],
        )
