"""The trainable of the baseline sweeps: the sibling of ``trainable.train_trial`` for XGBoost, the random
forest, the MLP and matrix factorisation, and for any other model of the zoo fitted as registered (an
ensemble: ``sweeps/ensemble.py``), so they go through the same runner, selection and MLflow tracking as
the GS-ChemDRP trials.

A trial's config names the model (``baseline.model``, a name in ``gsdrp.zoo``) and sets fields of its
typed hyperparameter config as ``baseline.<field>``; ``train.split``, ``train.seed`` and
``model.screen_covariate`` mean what they mean for GS-ChemDRP. The model fits once (XGBoost, the
MLP, matrix factorisation and deep members stop early on the validation rows), logs itself as a pyfunc
(``gsdrp.tracking.pyfunc.log_model``; naive models do not) and the trial reports validation RMSE once.
"""

from __future__ import annotations

from typing import Any

import mlflow
from ray import tune

from gsdrp import zoo
from gsdrp.baselines.naive import NaiveModel
from gsdrp.config import ModelConfig, TrainConfig, from_flat_dict
from gsdrp.data.dataset import Dataset
from gsdrp.metrics import regression_metrics
from gsdrp.predictor import DrugResponseModel, FitReport
from gsdrp.tracking.pyfunc import log_model
from gsdrp.tracking.store import MODEL_URI
from gsdrp.tune.trial_run import trial_run

PREFIX = "baseline."
MODEL_KEY = f"{PREFIX}model"


def baseline_model(trial: dict[str, Any]) -> tuple[DrugResponseModel, TrainConfig]:
    """The trial's untrained model and its ``TrainConfig``; an unknown model or field raises ``KeyError``.
    Without ``baseline.<field>`` values the model is the zoo's as registered (a tuned baseline, an ensemble)."""
    name = trial[MODEL_KEY]
    if name not in zoo.REGISTRY:
        raise KeyError(f"{MODEL_KEY}={name!r} is not a model of gsdrp.zoo")
    train_config = from_flat_dict(TrainConfig, trial, "train.")
    screen = trial.get("model.screen_covariate", ModelConfig().screen_covariate)
    values = {key.removeprefix(PREFIX): value for key, value in trial.items() if key.startswith(PREFIX) and key != MODEL_KEY}
    if not values:
        return zoo.build(name, screen, train_config), train_config
    cls = zoo.REGISTRY[name][0]
    unknown = sorted(set(values) - set(cls.config_class.__dataclass_fields__))
    if unknown:
        raise KeyError(f"search-space key(s) {', '.join(PREFIX + k for k in unknown)}: {cls.config_class.__name__} has no such field")
    model = cls(from_flat_dict(cls.config_class, values), screen)
    model.name = name
    return model, train_config


def train_baseline_trial(config: dict, datasets: dict[str, Dataset], sweep: dict[str, str]) -> None:
    """Fit the trial's baseline, log its settings, budget and validation/test metrics, report to Tune."""
    model, train_config = baseline_model(config)
    data = datasets[train_config.collection]
    with trial_run(sweep) as new:
        if new:
            log_settings(model, train_config)
        scores = log_fit(model, model.fit(data, seed=train_config.seed), data)
        tune.report({"epoch": 1, "val_rmse": scores["val_rmse"]})


def log_settings(model: DrugResponseModel, train_config: TrainConfig) -> None:
    """The model's settings as ``baseline.<field>`` params of the active run, and all of them (an ensemble's
    members' too) as ``hyperparameters.json``."""
    settings = model.hyperparameters()
    mlflow.log_params({
        MODEL_KEY: model.name, "train.split": train_config.split, "train.seed": train_config.seed,
        **{f"{PREFIX}{key}": value for key, value in settings.items() if not isinstance(value, dict)},
    })
    mlflow.log_dict(settings, "hyperparameters.json")


def log_fit(model: DrugResponseModel, report: FitReport, data: Dataset) -> dict[str, float]:
    """Log a fitted model's budget (``budget.json``; its numbers also as metrics), its validation and test
    metrics and the model itself (naive models excepted) to the active run; returns the metrics."""
    scores = {}
    for part in ("val", "test"):
        rows = data.rows(part)
        metrics = regression_metrics(data.y[rows], model.predict(data, rows), data.drug_idx[rows])
        scores.update({f"{part}_{name}": value for name, value in metrics.items()})
    mlflow.log_dict(report.budget, "budget.json")
    mlflow.log_metrics({f"budget_{k}": float(v) for k, v in report.budget.items() if isinstance(v, int | float)})
    mlflow.log_metric("val_rmse", scores["val_rmse"], step=1)
    mlflow.log_metrics({f"final_{name}": value for name, value in scores.items()})
    if not isinstance(model, NaiveModel):
        mlflow.set_tag(MODEL_URI, log_model(model, data).model_uri)
    return scores
