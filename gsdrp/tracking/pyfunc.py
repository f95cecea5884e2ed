"""A trained model as an MLflow pyfunc: a table of (cell_line, smiles[, screen]) -> predicted ln IC50.

Every model of the zoo that learns from data logs one way (``log_model``): GS-ChemDRP, the classical
baselines, matrix factorisation, and ensembles of them (their mean, as ``gsdrp.ensemble`` predicts).
Artifacts: the model's served folder (``write_served``), the cell lines' features (standardised
gene-set activities and, as ``gene:<Entrez ID>`` columns, expression) and the transform that turns a
user's expression profile into them. The drug encoder is resolved by name at load time
(``$GSDRP_MODELS``, ``../shared/models``, or the Hugging Face hub); a frozen encoder's drug vectors
come from the embedding cache, so the encoder loads only for SMILES never embedded before. Rows a
model cannot answer (``gsdrp.tracking.pairs``; matrix factorisation: a cell line or drug outside its
training data) get ``prediction`` NaN and an ``error`` naming the culprit; they are never guessed.
GS-ChemDRP models with identity embeddings use them for cell lines and drugs (by canonical SMILES)
seen in training and the features alone otherwise; a ``path`` column says which.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import torch

import gsdrp
from gsdrp import zoo
from gsdrp.baselines.classical import ClassicalModel
from gsdrp.baselines.factorisation import FactorisationModel
from gsdrp.data.dataset import Dataset
from gsdrp.data.fingerprints import morgan_fingerprints
from gsdrp.data.profiles import GENE_PREFIX, CellTransform, feature_table
from gsdrp.encoders.drug import frozen_embeddings
from gsdrp.ensemble import EnsembleModel
from gsdrp.errors import UserError
from gsdrp.model.network import Batch, GSChemDRP
from gsdrp.predictor import DrugResponseModel
from gsdrp.tracking.pairs import CheckedPairs, check_pairs
from gsdrp.train.loop import load_checkpoint, save_checkpoint
from gsdrp.train.predictor import GSChemDRPModel as DeepModel

CHECKPOINT, KIND_FILE, TRAINED, INDEX = "checkpoint.pt", "served.json", "trained.json", "index.json"

FORWARD_BATCH = 32768


def predict_pairs(
    model: GSChemDRP, encoder_name: str, cells: pd.DataFrame, table: pd.DataFrame,
    identity_cells: dict[str, int] | None = None, identity_drugs: dict[str, list[int]] | None = None,
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


def _forward(model, encoder_name, features, cells, smiles, screen_share, identities) -> np.ndarray:
    """Predictions for pairs of (cell line, canonical SMILES). A SMILES that several trained drugs share (one
    compound screened under two GDSC names) is predicted once with each drug's identity and averaged, as
    matrix factorisation does."""
    unique_smiles, drug_of_pair = np.unique(smiles, return_inverse=True)
    drug_ids = [np.atleast_1d(identities[1].get(s, -1)) for s in unique_smiles]  # old checkpoints: one index
    per_smiles = np.array([len(ids) for ids in drug_ids])
    variant_smiles = np.repeat(np.arange(len(unique_smiles)), per_smiles)  # one variant per (SMILES, identity)
    variants_of_pair = per_smiles[drug_of_pair]
    pair_of_row = np.repeat(np.arange(len(cells)), variants_of_pair)
    nth_variant = np.arange(len(pair_of_row)) - np.repeat(np.cumsum(variants_of_pair) - variants_of_pair, variants_of_pair)
    variant_of_row = (np.cumsum(per_smiles) - per_smiles)[drug_of_pair][pair_of_row] + nth_variant
    predicted = _forward_rows(
        model, encoder_name, features, cells[pair_of_row], unique_smiles, variant_smiles, variant_of_row,
        screen_share[pair_of_row], identities[0], torch.tensor(np.concatenate(drug_ids)),
    )
    return (np.bincount(pair_of_row, predicted, minlength=len(cells)) / variants_of_pair).astype(np.float32)


@torch.no_grad()
def _forward_rows(model, encoder_name, features, cells, unique_smiles, variant_smiles, drug_of_row, screen_share, identity_cells, drug_ids):
    """Predictions in chunks of rows sorted by cell, so each chunk computes the gene-set path of few cells;
    drug ``i`` of a row is SMILES ``variant_smiles[i]`` with identity ``drug_ids[i]``."""
    model.eval()
    gene_columns = features.columns.str.startswith(GENE_PREFIX)
    activity, expression = features.loc[:, ~gene_columns], features.loc[:, gene_columns]
    fingerprint = torch.tensor(morgan_fingerprints(list(unique_smiles))[variant_smiles]) if model.config.drug_fingerprint else None
    if model.encoder is None:  # frozen: cached vectors, the encoder runs only for SMILES never seen
        drug_input = torch.tensor(frozen_embeddings(list(unique_smiles), encoder_name)[variant_smiles])
    else:
        tokens = model.encoder.tokenize([unique_smiles[i] for i in variant_smiles])
        drug_input = (tokens["input_ids"], tokens["attention_mask"])
    order = np.argsort(cells, kind="stable")
    prediction = np.empty(len(cells), dtype=np.float32)
    for start in range(0, len(order), FORWARD_BATCH):
        rows = order[start : start + FORWARD_BATCH]
        chunk_cells, cell_of_pair = np.unique(cells[rows], return_inverse=True)
        batch = Batch(
            torch.tensor(activity.loc[chunk_cells].to_numpy(np.float32)), drug_input, torch.as_tensor(cell_of_pair),
            torch.as_tensor(drug_of_row[rows]), torch.as_tensor(screen_share[rows]),
            expression=torch.tensor(expression.loc[chunk_cells].to_numpy(np.float32)) if model.config.uses_genes else None,
            fingerprint=fingerprint,
            cell_ids=torch.tensor([identity_cells.get(c, -1) for c in chunk_cells]),
            drug_ids=drug_ids,
        )
        prediction[rows] = model(batch).prediction.numpy()
    return prediction


class CellFeaturesModel(mlflow.pyfunc.PythonModel):
    """What every registered gsdrp model shares: the cell lines it knows (``cell_features``' table), the
    transform that turns a user's expression profile into the same features, and the cell lines and
    drugs it was trained on (``trained``), by which ``gsdrp predict`` routes pairs.

    A subclass loads its model from a served folder (``load_model``) and answers checked pairs
    (``predict_valid``); members of an ensemble share their ensemble's cells."""

    def load_context(self, context) -> None:
        self.load_cells(context.artifacts)
        self.load_model(Path(context.artifacts["model"]))

    def load_cells(self, artifacts: dict[str, str]) -> None:
        self.cells = pd.read_parquet(artifacts["cells"])
        transform = artifacts.get("cell_transform")
        self.transform = CellTransform.load(Path(transform)) if transform else None

    def load_model(self, folder: Path) -> None:
        """Read the model from its served folder (``write_served``)."""
        raise NotImplementedError

    def trained(self) -> tuple[set[str], set[str]]:
        """The cell lines and canonical SMILES with training rows."""
        recorded = json.loads((self.folder / TRAINED).read_text())
        return set(recorded["cells"]), set(recorded["smiles"])

    def check(self, table: pd.DataFrame) -> CheckedPairs:
        return check_pairs(table, set(self.cells.index))

    def predict_valid(self, pairs: CheckedPairs) -> np.ndarray:
        """Predictions for the valid rows of ``pairs``, in order."""
        raise NotImplementedError

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        pairs = self.check(model_input)
        return pairs.answered(self.predict_valid(pairs) if pairs.valid.any() else np.empty(0, dtype=np.float32))

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
        checkpoint = context.artifacts.get("checkpoint")  # a sweep trial's (``log_pyfunc``)
        if checkpoint is None:
            return super().load_context(context)
        self.load_cells(context.artifacts)
        self.model, self.state = load_checkpoint(Path(checkpoint))

    def load_model(self, folder: Path) -> None:
        self.model, self.state = load_checkpoint(folder / CHECKPOINT)

    def trained(self) -> tuple[set[str], set[str]]:
        return set(self.state["identity_cells"]), set(self.state["identity_drugs"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        state = self.state
        return predict_pairs(
            self.model, state["model_config"]["encoder"], self.cells, model_input,
            state["identity_cells"], state["identity_drugs"],
        )


class ClassicalPyfunc(CellFeaturesModel):
    """A classical baseline (``gsdrp.baselines.classical``: XGBoost, random forest, ridge, MLP) behind the same
    input and output as ``GSChemDRPModel``: expression of the cell line, Morgan fingerprint of the SMILES."""

    def load_model(self, folder: Path) -> None:
        self.folder, self.model = folder, zoo.load(folder)

    def predict_valid(self, pairs: CheckedPairs) -> np.ndarray:
        valid = pairs.valid
        genes = self.cells.loc[:, self.cells.columns.str.startswith(GENE_PREFIX)]
        unique_smiles, drug_of_pair = np.unique(pairs.smiles[valid].to_numpy(), return_inverse=True)
        return self.model.predict_features(
            genes.loc[pairs.cells[valid]].to_numpy(np.float32), morgan_fingerprints(list(unique_smiles))[drug_of_pair],
            pairs.screen_share[valid].to_numpy(np.float32),
        )


class FactorisationPyfunc(CellFeaturesModel):
    """Matrix factorisation (``gsdrp.baselines.factorisation``): it knows cell lines and drugs by name and
    canonical SMILES only, so a pair with either outside its training data is refused, not guessed. A SMILES
    that several GDSC drugs share (one compound screened under two names) gets the mean of their predictions."""

    def load_model(self, folder: Path) -> None:
        self.folder, self.model = folder, zoo.load(folder)
        index = json.loads((folder / INDEX).read_text())
        self.cell_index = {c: i for i, c in enumerate(index["cells"])}
        self.drug_indices: dict[str, list[int]] = {}
        for i, smiles in enumerate(index["smiles"]):
            self.drug_indices.setdefault(smiles, []).append(i)
        self.known_cells, self.known_smiles = self.trained()

    def check(self, table: pd.DataFrame) -> CheckedPairs:
        pairs = super().check(table)
        pairs.refuse(~pairs.cells.isin(self.known_cells).to_numpy(), "matrix factorisation knows only the cell lines it was trained on")
        pairs.refuse(~pairs.smiles.isin(self.known_smiles).to_numpy(), "matrix factorisation knows only the drugs it was trained on")
        return pairs

    def predict_valid(self, pairs: CheckedPairs) -> np.ndarray:
        valid = pairs.valid
        cells = pairs.cells[valid].map(self.cell_index).to_numpy(np.int64)
        drugs = [self.drug_indices[s] for s in pairs.smiles[valid]]
        pair_of = np.repeat(np.arange(len(drugs)), [len(d) for d in drugs])  # one entry per (pair, drug of its SMILES)
        predicted = self.model.predict_indices(
            cells[pair_of], np.concatenate(drugs).astype(np.int64), pairs.screen_share[valid].to_numpy(np.float32)[pair_of]
        )
        return (np.bincount(pair_of, predicted) / np.bincount(pair_of)).astype(np.float32)


class EnsemblePyfunc(CellFeaturesModel):
    """An ensemble (``gsdrp.ensemble``): the mean of its fits' predictions, each fit served as its own kind.
    A row that any fit cannot answer gets that fit's error; it is trained on what all its fits were."""

    def load_model(self, folder: Path) -> None:
        self.fits = [served(fit) for fit in sorted(folder.glob("fit-*"))]

    def trained(self) -> tuple[set[str], set[str]]:
        cells, smiles = zip(*(fit.trained() for fit in self.fits), strict=True)
        return set.intersection(*cells), set.intersection(*smiles)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        answers = []
        for fit in self.fits:
            fit.cells = self.cells  # a fit sees the ensemble's cell lines, user profiles included
            answers.append(fit.predict(context, model_input))
        errors = pd.concat([a["error"] for a in answers], axis=1).bfill(axis=1).iloc[:, 0]
        prediction = np.mean([a["prediction"].to_numpy() for a in answers], axis=0).astype(np.float32)
        return model_input.assign(prediction=np.where(errors.isna(), prediction, np.nan), error=errors.where(errors.notna(), None))


KINDS: dict[str, type[CellFeaturesModel]] = {
    "gs_chemdrp": GSChemDRPModel, "classical": ClassicalPyfunc, "factorisation": FactorisationPyfunc, "ensemble": EnsemblePyfunc,
}


def served(folder: Path) -> CellFeaturesModel:
    """The pyfunc of a served folder (``write_served``), its model loaded; its cells are set by whoever holds it."""
    model = KINDS[json.loads((folder / KIND_FILE).read_text())["kind"]]()
    model.load_model(folder)
    return model


def write_served(model: DrugResponseModel, data: Dataset, folder: Path) -> type[CellFeaturesModel]:
    """Write what the pyfunc of a model fitted on ``data`` needs into ``folder``; returns the pyfunc's class.

    GS-ChemDRP: its checkpoint. Classical and matrix factorisation: the saved model and the cell lines and
    drugs with training rows (factorisation also its index of all of them). Ensemble: one such folder per fit.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(model, DeepModel):
        save_checkpoint(folder / CHECKPOINT, model.trainer_on(data))
        kind = "gs_chemdrp"
    elif isinstance(model, EnsembleModel):
        for i, fit in enumerate(model.fits):
            write_served(fit, data, folder / f"fit-{i:02d}")
        kind = "ensemble"
    elif isinstance(model, ClassicalModel | FactorisationModel):
        model.save(folder)
        train = data.rows("train")
        cells, drugs = np.unique(data.cell_idx[train]), np.unique(data.drug_idx[train])
        trained = {"cells": [data.cells[i] for i in cells], "smiles": [data.smiles[i] for i in drugs]}
        (folder / TRAINED).write_text(json.dumps(trained))
        if isinstance(model, FactorisationModel):
            (folder / INDEX).write_text(json.dumps({"cells": data.cells, "smiles": data.smiles}))
        kind = "classical" if isinstance(model, ClassicalModel) else "factorisation"
    else:
        raise UserError(f"{model.name}: a {type(model).__name__} is not registered (only models that learn from data are)")
    (folder / KIND_FILE).write_text(json.dumps({"kind": kind}))
    return KINDS[kind]


def cell_features(data: Dataset) -> pd.DataFrame:
    """The cells' features as the model artifact stores them: standardised gene-set activities, then
    expression as ``gene:<Entrez ID>`` columns (cells x (sets + genes))."""
    return feature_table(data.activity, data.expression, data.cells, data.set_names, data.genes)


def log_pyfunc(checkpoint: Path, data: Dataset, name: str = "model"):
    """Log the GS-ChemDRP network of a checkpoint (a sweep trial's), trained on ``data``, to the active run;
    returns the ModelInfo."""
    return _log(GSChemDRPModel(), {"checkpoint": checkpoint}, data, name)


def log_model(model: DrugResponseModel, data: Dataset, name: str = "model"):
    """Log any model of the zoo fitted on ``data`` (``write_served``) to the active run; returns the ModelInfo."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        python_model = write_served(model, data, folder)()
        return _log(python_model, {"model": folder}, data, name)


def _log(python_model: CellFeaturesModel, model_artifacts: dict[str, Path], data: Dataset, name: str):
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
            pip_requirements=REQUIREMENTS,
        )


REQUIREMENTS = ["torch", "transformers", "scikit-learn", "xgboost", "joblib", "rdkit", "pandas", "pyarrow", "numpy", "mlflow"]
