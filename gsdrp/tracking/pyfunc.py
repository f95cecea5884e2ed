"""A trained model as an MLflow pyfunc: a table of (cell_line, smiles[, screen]) -> predicted ln IC50.

Artifacts: the model (a GS-ChemDRP checkpoint, or a classical baseline's saved folder), the cell
lines' features (standardised gene-set activities and, as ``gene:<Entrez ID>`` columns, expression)
and the transform that turns a user's expression profile into them. The drug encoder
is resolved by name at load time (``$GSDRP_MODELS``, ``../shared/models``, or the Hugging Face
hub); a frozen encoder's drug vectors come from the embedding cache, so the encoder loads only
for SMILES never embedded before. Rows with an unknown cell line or an invalid SMILES get
``prediction`` NaN and an ``error`` naming the culprit; they are never guessed. Models with identity
embeddings use them for cell lines and drugs (by canonical SMILES) seen in training and the
features alone otherwise; a ``path`` column says which.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import torch

import gsdrp
from gsdrp import zoo
from gsdrp.baselines.classical import ClassicalModel
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


@dataclass
class CheckedPairs:
    """An input table read and checked, per row: cell line (as text), canonical SMILES (None if invalid or
    empty), GDSC2 share (NaN for an unknown screen) and error (None if the row can be predicted)."""

    table: pd.DataFrame
    cells: pd.Series
    smiles: pd.Series
    screen_share: pd.Series
    errors: list[str | None]

    @property
    def valid(self) -> np.ndarray:
        return np.array([e is None for e in self.errors], dtype=bool)

    def answered(self, valid_predictions: np.ndarray) -> pd.DataFrame:
        """The table plus ``prediction`` (NaN where the row is invalid) and ``error``."""
        prediction = np.full(len(self.errors), np.nan, dtype=np.float32)
        prediction[self.valid] = valid_predictions
        return self.table.assign(prediction=prediction, error=self.errors)


def check_pairs(table: pd.DataFrame, known_cells: set[str]) -> CheckedPairs:
    """Read ``cell_line``, ``smiles`` and optional ``screen`` (blank: GDSC2) of each row; a row with an unknown
    cell line, an invalid SMILES or an unknown screen gets its error instead of a prediction.

    Identifiers are compared as text, so a cell line named ``5637`` matches whether it came in as a
    number or a string. Each distinct SMILES is standardised once.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"input table lacks column(s) {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    names, smiles = text_values(table["cell_line"]), text_values(table["smiles"])
    screens = text_values(table["screen"]).replace("", DEFAULT_SCREEN) if "screen" in table else pd.Series(DEFAULT_SCREEN, index=table.index)
    canonical = {s: canonical_smiles(s) for s in smiles.unique() if s}
    errors = [
        _row_problem(cell, smile, screen, known_cells, canonical)
        for cell, smile, screen in zip(names, smiles, screens, strict=True)
    ]
    return CheckedPairs(table.copy(), names, smiles.map(canonical), screens.map(SCREEN_SHARE), errors)


def predict_pairs(
    model: GSChemDRP, encoder_name: str, cells: pd.DataFrame, table: pd.DataFrame,
    identity_cells: dict[str, int] | None = None, identity_drugs: dict[str, int] | None = None,
) -> pd.DataFrame:
    """The table (``check_pairs``) plus ``prediction`` and ``error``, predicted by a GS-ChemDRP network.

    ``cells`` is ``cell_features``' table; ``identity_*`` map names and canonical SMILES to identity
    indices (from the checkpoint) for models with identity embeddings. Each distinct SMILES is embedded once.
    """
    pairs = check_pairs(table, set(cells.index))
    valid = pairs.valid
    identities = (identity_cells or {}, identity_drugs or {})
    predicted = np.empty(0, dtype=np.float32)
    if valid.any():
        predicted = _forward(
            model, encoder_name, cells, pairs.cells[valid].to_numpy(), pairs.smiles[valid].to_numpy(),
            pairs.screen_share[valid].to_numpy(np.float32), identities,
        )
    out = pairs.answered(predicted)
    if model.config.identity:
        cell_known = pairs.cells.isin(list(identities[0])).to_numpy() & valid
        drug_known = pairs.smiles.isin(list(identities[1])).to_numpy() & valid
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


class CellFeaturesModel(mlflow.pyfunc.PythonModel):
    """What every registered gsdrp model shares: the cell lines it knows (``cell_features``' table), and
    the transform that turns a user's expression profile into the same features."""

    def load_cells(self, context) -> None:
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


class GSChemDRPModel(CellFeaturesModel):
    """A GS-ChemDRP network (its checkpoint) behind the pyfunc interface (``predict_pairs``)."""

    def load_context(self, context) -> None:
        self.model, self.state = load_checkpoint(Path(context.artifacts["checkpoint"]))
        self.load_cells(context)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        state = self.state
        return predict_pairs(
            self.model, state["model_config"]["encoder"], self.cells, model_input,
            state["identity_cells"], state["identity_drugs"],
        )


class ClassicalPyfunc(CellFeaturesModel):
    """A classical baseline (``gsdrp.baselines.classical``: XGBoost, random forest, ridge, MLP) behind the same
    input and output as ``GSChemDRPModel``: expression of the cell line, Morgan fingerprint of the SMILES."""

    def load_context(self, context) -> None:
        self.model = zoo.load(Path(context.artifacts["model"]))
        self.load_cells(context)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        pairs = check_pairs(model_input, set(self.cells.index))
        valid = pairs.valid
        if not valid.any():
            return pairs.answered(np.empty(0, dtype=np.float32))
        genes = self.cells.loc[:, self.cells.columns.str.startswith(GENE_PREFIX)]
        unique_smiles, drug_of_pair = np.unique(pairs.smiles[valid].to_numpy(), return_inverse=True)
        return pairs.answered(self.model.predict_features(
            genes.loc[pairs.cells[valid]].to_numpy(np.float32), morgan_fingerprints(list(unique_smiles))[drug_of_pair],
            pairs.screen_share[valid].to_numpy(np.float32),
        ))


def cell_features(data: Dataset) -> pd.DataFrame:
    """The cells' features as the model artifact stores them: standardised gene-set activities, then
    expression as ``gene:<Entrez ID>`` columns (cells x (sets + genes))."""
    return feature_table(data.activity, data.expression, data.cells, data.set_names, data.genes)


def log_pyfunc(checkpoint: Path, data: Dataset, name: str = "model"):
    """Log the GS-ChemDRP network trained on ``data`` to the active run; returns the ModelInfo."""
    return _log(GSChemDRPModel(), {"checkpoint": checkpoint}, data, name, ["torch", "transformers"])


def log_classical_pyfunc(model: ClassicalModel, data: Dataset, name: str = "model"):
    """Log a classical baseline fitted on ``data`` to the active run; returns the ModelInfo."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = model.save(Path(tmp) / "model")
        return _log(ClassicalPyfunc(), {"model": folder}, data, name, ["scikit-learn", "xgboost", "joblib"])


def _log(python_model: CellFeaturesModel, model_artifacts: dict[str, Path], data: Dataset, name: str, requirements: list[str]):
    """Log ``python_model`` with its artifacts, the cells' features and transform, and the gsdrp package as code."""
    with tempfile.TemporaryDirectory() as tmp:
        cells_file, transform_file = Path(tmp) / "cells.parquet", Path(tmp) / "cell_transform.json"
        cell_features(data).to_parquet(cells_file)
        CellTransform.of(data).save(transform_file)
        return mlflow.pyfunc.log_model(
            name=name,
            python_model=python_model,
            artifacts={**{k: str(v) for k, v in model_artifacts.items()}, "cells": str(cells_file), "cell_transform": str(transform_file)},
            code_paths=[str(Path(gsdrp.__file__).parent)],
            pip_requirements=[*requirements, "rdkit", "pandas", "pyarrow", "numpy", "mlflow"],
        )
