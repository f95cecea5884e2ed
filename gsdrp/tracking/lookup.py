"""Checked look-ups in the tracking store: each missing thing is a ``TrackingError`` naming it and the fix.

Used before any model is loaded, so a mistyped name, alias or run id costs a second, not a model load.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.exceptions import MlflowException

from gsdrp.errors import UserError
from gsdrp.tracking.store import KIND, OUTCOME, tracking_uri, use_tracking

PROMOTE_FIRST = "run 'gsdrp promote --experiment NAME' first"
COMPLETED_TRIALS = f"tags.`{KIND}` = 'trial' and tags.`{OUTCOME}` = 'completed' and attributes.status = 'FINISHED'"
SELECTION_METRIC = "final_val_rmse"
SERVER_TIMEOUT_S = 5
_MODEL_URI = re.compile(r"models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>[^/]+))?/?")


class TrackingError(UserError):
    """A tracking store, registered model, alias, version or run that is not there."""


def not_found(exc: MlflowException) -> bool:
    return exc.error_code == "RESOURCE_DOES_NOT_EXIST" or "not found" in exc.message


def existing_store() -> MlflowClient:
    """A client for the configured store; a sqlite file or store folder that does not exist is refused, not created."""
    uri = tracking_uri()
    source = "$MLFLOW_TRACKING_URI" if os.environ.get("MLFLOW_TRACKING_URI") else "the default store"
    if uri.startswith(("http://", "https://")):
        try:
            urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=SERVER_TIMEOUT_S).close()
        except (urllib.error.URLError, OSError) as exc:
            raise TrackingError(
                f"no MLflow tracking server answers at {uri} ({source}): start it (mlflow/serve.sh) or fix the URI ({exc})"
            ) from None
        return use_tracking(uri)
    path = uri.removeprefix("sqlite:///") if uri.startswith("sqlite:///") else uri.removeprefix("file://")
    if "://" not in path and not Path(path).exists():
        raise TrackingError(
            f"no MLflow tracking store at {path} ({source}): run a sweep first ('make sweep'), "
            "or set MLFLOW_TRACKING_URI to the store the sweep used"
        )
    return use_tracking(uri)


def check_model_uri(uri: str) -> None:
    """A ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/ID/...`` URI or a model folder that can be loaded."""
    if uri.startswith("runs:/"):
        require_run(existing_store(), uri.removeprefix("runs:/").split("/")[0])
        return
    if not uri.startswith("models:/"):
        if not (Path(uri.removeprefix("file://")) / "MLmodel").is_file():
            raise TrackingError(
                f"no MLflow model at {uri} (no MLmodel file there): pass models:/NAME@ALIAS, models:/NAME/VERSION "
                "or the folder of a logged model"
            )
        return
    parsed = _MODEL_URI.fullmatch(uri)
    if parsed is None:
        raise TrackingError(f"model URI {uri!r} is not models:/NAME@ALIAS or models:/NAME/VERSION")
    name, alias, version = parsed["name"], parsed["alias"], parsed["version"]
    client = existing_store()
    what = f"with alias {alias!r} " if alias else ""
    try:
        model = client.get_registered_model(name)
    except MlflowException as exc:
        if not_found(exc):
            raise TrackingError(f"no registered model {name!r} {what}at {tracking_uri()}: {PROMOTE_FIRST}") from None
        raise
    if alias and alias not in model.aliases:
        known = ", ".join(sorted(model.aliases)) or "none"
        raise TrackingError(f"registered model {name!r} has no alias {alias!r} (aliases: {known}): {PROMOTE_FIRST}")
    if version:
        try:
            client.get_model_version(name, version)
        except MlflowException as exc:
            if not_found(exc):
                raise TrackingError(f"registered model {name!r} has no version {version!r}") from None
            raise


def require_run(client: MlflowClient, run_id: str) -> Run:
    try:
        return client.get_run(run_id)
    except MlflowException as exc:
        if not_found(exc):
            raise TrackingError(
                f"no MLflow run {run_id!r} at {tracking_uri()}: copy a trial's run id from 'mlflow ui', "
                "or pass a run folder of 'gsdrp train'"
            ) from None
        raise


def best_completed_trial(client: MlflowClient, experiment_id: str) -> Run | None:
    """The completed trial with the lowest final validation RMSE (never chosen by test)."""
    runs = client.search_runs(
        [experiment_id], filter_string=COMPLETED_TRIALS, order_by=[f"metrics.{SELECTION_METRIC} ASC"], max_results=1
    )
    return runs[0] if runs else None


def require_completed_trial(run_id: str) -> Run:
    """A sweep trial that ran to the end and logged its model; parent runs and stopped trials are refused."""
    client = existing_store()
    run = require_run(client, run_id)
    best = best_completed_trial(client, run.info.experiment_id)
    hint = f"e.g. the best trial {best.info.run_id}" if best else "the sweep has none"
    tags = run.data.tags
    if tags.get(KIND) == "sweep":
        raise TrackingError(f"run {run_id} is a sweep's parent run, not a trial: pass a completed trial's run id ({hint})")
    if tags.get(OUTCOME) != "completed":
        outcome = tags.get(OUTCOME, "unfinished")
        raise TrackingError(
            f"trial run {run_id} has no final model ({OUTCOME}={outcome}): pass a completed trial's run id ({hint})"
        )
    return run
