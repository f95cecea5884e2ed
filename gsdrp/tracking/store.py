"""The tracking URI and the sweep/trial run layout.

``$MLFLOW_TRACKING_URI`` if set, else a sqlite store ``mlflow/mlflow.db`` in the checkout (git-ignored).
Inside a Ray job the checkout is Ray's temporary copy of the working directory, so there the URI must be set.
A sweep is one parent run (tag ``gsdrp.kind=sweep``); each Tune trial is one nested run
(``mlflow.parentRunId``) named after the trial and tagged with its trial id, so a retried or
resumed trial finds and continues its own run instead of creating a second one.
"""

from __future__ import annotations

import os
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_SOURCE_NAME, MLFLOW_SOURCE_TYPE

from gsdrp.tracking.ui import EXPERIMENT_KIND_TAG, TRAINING_KIND

_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE = _REPO_ROOT / "mlflow" / "mlflow.db"
KIND, TRIAL_ID, OUTCOME, REASON = "gsdrp.kind", "gsdrp.trial_id", "gsdrp.outcome", "gsdrp.failure_reason"
MODEL_URI, NODE = "gsdrp.model_uri", "gsdrp.ray_node_id"


# Set by Ray in the environment of a `ray job submit` entrypoint.
RAY_JOB_ENV = "RAY_JOB_CONFIG_JSON_ENV_VAR"


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    if RAY_JOB_ENV in os.environ:
        raise SystemExit(
            "MLFLOW_TRACKING_URI is not set in this Ray job: runs would go to Ray's temporary copy of the "
            "working directory and vanish with it; set it in the runtime env (env_vars)"
        )
    DEFAULT_STORE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_STORE}"


def use_tracking(uri: str | None = None) -> MlflowClient:
    """Point this process at ``uri`` (default: ``tracking_uri()``); return a client for it."""
    mlflow.set_tracking_uri(uri or tracking_uri())
    return MlflowClient()


def experiment_id(client: MlflowClient, name: str) -> str:
    """Get or create an experiment of training runs; with a sqlite store its artifacts go to ``artifacts/``
    beside the database."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    uri = tracking_uri()
    location = None
    if uri.startswith("sqlite:///"):
        location = (Path(uri.removeprefix("sqlite:///")).parent / "artifacts" / name).resolve().as_uri()
    return client.create_experiment(name, artifact_location=location, tags={EXPERIMENT_KIND_TAG: TRAINING_KIND})


def source_tags(script: str) -> dict[str, str]:
    """MLflow's run-source tags naming ``script``; a trial run would otherwise name Ray's worker process."""
    return {MLFLOW_SOURCE_NAME: script, MLFLOW_SOURCE_TYPE: "LOCAL"}


def find_trial_run(client: MlflowClient, experiment_id: str, parent_run_id: str, trial_id: str):
    runs = client.search_runs(
        [experiment_id],
        filter_string=f"tags.`mlflow.parentRunId` = '{parent_run_id}' and tags.`{TRIAL_ID}` = '{trial_id}'",
        max_results=1,
    )
    return runs[0] if runs else None
