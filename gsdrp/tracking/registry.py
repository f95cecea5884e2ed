"""Promote the best finished trial to the model registry, and predict with a registered model.

The best trial is chosen by its final *validation* RMSE, never by test. The alias ``champion``
moves to it only if it beats the current champion's validation RMSE (or with ``force``).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException

from gsdrp.tracking.access import refused_as
from gsdrp.tracking.lookup import (
    SELECTION_METRIC, TrackingError, best_completed_trial, check_model_uri, existing_store,
)
from gsdrp.tracking.store import MODEL_URI, tracking_uri, use_tracking

MODEL_NAME, ALIAS = "gsdrp", "champion"


@dataclass
class Promotion:
    run_id: str
    version: str
    val_rmse: float
    previous_champion_rmse: float | None
    promoted: bool
    already_champion: bool = False


def best_trial(experiment: str):
    client = existing_store()
    found = client.get_experiment_by_name(experiment)
    if found is None:
        names = ", ".join(sorted(e.name for e in client.search_experiments())) or "none"
        raise TrackingError(f"no MLflow experiment named {experiment!r} at {tracking_uri()} (experiments: {names})")
    run = best_completed_trial(client, found.experiment_id)
    if run is None:
        raise TrackingError(f"experiment {experiment!r} has no completed trial with a logged model")
    return run


def promote(experiment: str, force: bool = False, model_name: str = MODEL_NAME, alias: str = ALIAS) -> Promotion:
    """Register the best trial and move ``alias`` to it; an account that may not (docs/security.md) is refused
    at its first write, so nothing is written."""
    run = best_trial(experiment)
    with refused_as(f"move models:/{model_name}@{alias}"):
        return _register_and_move(run, force, model_name, alias)


def _register_and_move(run, force: bool, model_name: str, alias: str) -> Promotion:
    client = use_tracking()
    rmse = run.data.metrics[SELECTION_METRIC]
    existing = [v for v in client.search_model_versions(f"name = '{model_name}'") if v.run_id == run.info.run_id] if _registered(client, model_name) else []
    version = existing[0] if existing else _register(run.data.tags[MODEL_URI], model_name)
    client.set_model_version_tag(model_name, version.version, SELECTION_METRIC, str(rmse))
    try:
        champion = client.get_model_version_by_alias(model_name, alias)
        champion_rmse = float(client.get_run(champion.run_id).data.metrics[SELECTION_METRIC])
    except MlflowException:
        champion, champion_rmse = None, None
    if champion is not None and champion.version == version.version:
        return Promotion(run.info.run_id, str(version.version), rmse, champion_rmse, False, already_champion=True)
    promoted = force or champion is None or rmse < champion_rmse
    if promoted:
        client.set_registered_model_alias(model_name, alias, version.version)
    return Promotion(run.info.run_id, str(version.version), rmse, champion_rmse, promoted)


def _register(model_uri: str, model_name: str):
    """``mlflow.register_model`` without its progress lines on stderr, so that a refusal stays one line."""
    with contextlib.redirect_stderr(io.StringIO()):
        return mlflow.register_model(model_uri, model_name)


def _registered(client, model_name: str) -> bool:
    try:
        client.get_registered_model(model_name)
        return True
    except MlflowException:
        return False


def load_model(model_uri: str):
    """The pyfunc behind ``model_uri``, after checking that the URI resolves (a clear error if not)."""
    check_model_uri(model_uri)
    return mlflow.pyfunc.load_model(model_uri)


def predict(model_uri: str, table: pd.DataFrame) -> pd.DataFrame:
    return load_model(model_uri).predict(table)
