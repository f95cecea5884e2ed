"""How the MLflow UI shows a sweep's experiment.

MLflow 3's UI keeps an experiment's kind in the experiment tag ``mlflow.experimentKind``
(``custom_model_development`` is "Machine learning": the experiment opens on its training runs, not
on the GenAI overview) and follows the ``workflowType`` query parameter of its URL. The runs table's
columns come from a *shared view*: the JSON of a view state stored in the experiment tag
``mlflow.sharedViewState.<key>`` and opened with ``?viewStateShareKey=<key>`` (the UI's Share button).
"""

from __future__ import annotations

import json
import sys

from mlflow import MlflowClient

EXPERIMENT_KIND_TAG, TRAINING_KIND = "mlflow.experimentKind", "custom_model_development"
SHARED_VIEW_TAG, VIEW_KEY = "mlflow.sharedViewState.", "gsdrp-sweep"
DEFAULT_UI = "http://127.0.0.1:5000"


def column(kind: str, name: str) -> str:
    """A runs-table column id as the UI writes it: ``metrics.`val_rmse```, ``params.`train.lr```."""
    return f"{kind}.`{name}`"


def share_view(client: MlflowClient, experiment_id: str, metrics: list[str], params: list[str]) -> str:
    """Store a view of the runs table showing ``metrics`` and ``params``; return its key."""
    columns = [column("attributes", "Source")] + [column("metrics", m) for m in metrics] + [column("params", p) for p in params]
    client.set_experiment_tag(experiment_id, EXPERIMENT_KIND_TAG, TRAINING_KIND)
    client.set_experiment_tag(experiment_id, SHARED_VIEW_TAG + VIEW_KEY, json.dumps({"selectedColumns": columns}))
    return VIEW_KEY


WORKFLOW = "workflowType=machine_learning"


def experiment_url(experiment_id: str, base: str = DEFAULT_UI) -> str:
    """The experiment's runs table in the shared view, in the UI's model-training mode."""
    return f"{base}/#/experiments/{experiment_id}/runs?{WORKFLOW}&viewStateShareKey={VIEW_KEY}"


def run_url(experiment_id: str, run_id: str, base: str = DEFAULT_UI, tab: str = "") -> str:
    """A run's page (``tab``: ``""`` for its overview, or ``artifacts``, ``model-metrics``)."""
    return f"{base}/#/experiments/{experiment_id}/runs/{run_id}{'/' + tab if tab else ''}?{WORKFLOW}"


def ui_instructions(store_uri: str, experiment_id: str) -> str:
    """How to start the MLflow UI on ``store_uri`` and where the experiment's runs table is."""
    return (
        f"Look at it in the MLflow UI:\n  {sys.executable} -m mlflow ui --backend-store-uri {store_uri} --host 127.0.0.1 "
        f"--port 5000\n  then open {experiment_url(experiment_id)}"
    )
