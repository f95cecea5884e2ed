"""``gsdrp predict`` without ``--model``: each pair goes to the registered champion of the question it asks.

The random-split champion (``models:/gsdrp@champion``) answers pairs whose cell line and drug were both
in its training data. A pair with something new goes to the champion of the split that held that out
(docs/sweeps.md, "Which model answers which question"): a SMILES that is not among the champion's
training drugs to ``@drug_blind``, else a cell line that is not among its training cell lines to
``@cell_blind``. Where that alias is not registered the champion answers with features only (a champion
that blends in matrix factorisation refuses the row instead), and the reason says so. Each output row
names the model and the reason.
"""

from __future__ import annotations

import pandas as pd
from mlflow.exceptions import MlflowException

from gsdrp.tracking.lookup import TrackingError, existing_store
from gsdrp.tracking.pairs import canonical_smiles, text_values
from gsdrp.tracking.registry import ALIAS, MODEL_NAME, load_model, promote

SPLIT_ALIASES = {"random": ALIAS, "cell_blind": "cell_blind", "tissue_blind": "tissue_blind", "drug_blind": "drug_blind"}
NEW_DRUG, NEW_CELL = SPLIT_ALIASES["drug_blind"], SPLIT_ALIASES["cell_blind"]


def promote_to_split(experiment: str, split: str) -> str:
    """Register the sweep's best trial and move the split's alias to it if it beats the alias's current
    model on validation RMSE (GS-ChemDRP or tuned baseline alike); returns what happened, in one line.
    A ``TrackingError`` says why nothing could be promoted."""
    alias = SPLIT_ALIASES[split]
    try:
        promotion = promote(experiment, alias=alias)
    except TrackingError as exc:
        raise TrackingError(f"nothing promoted to models:/{MODEL_NAME}@{alias}: {exc}") from None
    state = "now points to" if promotion.promoted or promotion.already_champion else "stays; this sweep's best is"
    return f"models:/{MODEL_NAME}@{alias} {state} version {promotion.version} (validation RMSE {promotion.val_rmse:.3f})"


def print_promotion(experiment: str, split: str) -> None:
    """What a sweep script ends with: ``promote_to_split``'s line, or why nothing was promoted as its exit message."""
    try:
        print(promote_to_split(experiment, split))
    except TrackingError as exc:
        raise SystemExit(str(exc)) from None


def registered_aliases(model_name: str = MODEL_NAME) -> set[str]:
    try:
        return set(existing_store().get_registered_model(model_name).aliases)
    except MlflowException:
        return set()


def plan_routes(table: pd.DataFrame, trained_cells: set[str], trained_drugs: set[str], registered: set[str]) -> pd.DataFrame:
    """Per row of ``table`` (cell_line, smiles): the ``alias`` that answers it and the ``route`` (why).

    ``trained_*`` are the champion's training cell lines and canonical SMILES. Rows the champion will
    reject (an empty or invalid field) stay with it, so the error comes from one place.
    """
    cells, given = text_values(table["cell_line"]), text_values(table["smiles"])
    smiles = given.map({s: canonical_smiles(s) if s else None for s in given.unique()})  # each distinct SMILES once
    plan = pd.DataFrame({"alias": ALIAS, "route": "cell line and drug in the champion's training data"}, index=table.index)
    new_drug = smiles.notna() & ~smiles.isin(trained_drugs)
    new_cell = smiles.notna() & (cells != "") & ~cells.isin(trained_cells) & ~new_drug
    for rows, alias, what in ((new_drug, NEW_DRUG, "a drug"), (new_cell, NEW_CELL, "a cell line")):
        if alias in registered:
            plan.loc[rows] = (alias, f"{what} the champion was not trained on")
        else:
            plan.loc[rows, "route"] = (
                f"{what} the champion was not trained on, but models:/{MODEL_NAME}@{alias} is not registered "
                f"(python sweeps/full.py --split {alias}): left to the champion's features"
            )
    return plan


def load_with_profiles(model_uri: str, profiles: pd.DataFrame | None):
    """The pyfunc behind ``model_uri``, knowing the cell lines of ``profiles`` too (if given), and the
    model genes the profiles lacked."""
    model = load_model(model_uri)
    filled = model.unwrap_python_model().add_profiles(profiles) if profiles is not None else []
    return model, filled


def predict_routed(table: pd.DataFrame, profiles: pd.DataFrame | None = None, model_name: str = MODEL_NAME) -> tuple[pd.DataFrame, list[str]]:
    """The prediction table for ``table``, each row answered by the model ``plan_routes`` picks, with the
    columns ``model`` (its URI) and ``route``; and the model genes that ``profiles`` lacked."""
    uri = f"models:/{model_name}@{{}}".format
    champion, filled = load_with_profiles(uri(ALIAS), profiles)
    plan = plan_routes(table, *champion.unwrap_python_model().trained(), registered_aliases(model_name))
    parts = []
    for alias, rows in plan.groupby("alias").groups.items():
        model = champion if alias == ALIAS else load_with_profiles(uri(alias), profiles)[0]
        parts.append(model.predict(table.loc[rows]))
    out = pd.concat(parts).loc[table.index]
    out["model"] = plan["alias"].map(uri)
    out["route"] = plan["route"]
    return out, filled
