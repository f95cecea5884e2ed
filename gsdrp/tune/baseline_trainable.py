"""The trainable of the baseline sweeps: the sibling of ``trainable.train_trial`` for XGBoost, the random
forest, the MLP and matrix factorisation, so tuned baselines go through the same runner, selection and
MLflow tracking as the GS-ChemDRP trials.

A trial's config names the model (``baseline.model``, a name in ``gsdrp.zoo``) and sets fields of its
typed hyperparameter config as ``baseline.<field>``; ``train.split``, ``train.seed`` and
``model.screen_covariate`` mean what they mean for GS-ChemDRP. The model fits once (XGBoost, the
MLP and matrix factorisation stop early on the validation rows), logs a classical model as a pyfunc
(``gsdrp.tracking.pyfunc``) and the trial reports validation RMSE once.
"""

from __future__ import annotations

from typing import Any

import mlflow
from ray import tune

from gsdrp.baselines.classical import ClassicalModel
from gsdrp.config import ModelConfig, TrainConfig, from_flat_dict
from gsdrp.data.dataset import Dataset
from gsdrp.metrics import regression_metrics
from gsdrp.predictor import DrugResponseModel
from gsdrp.tracking.pyfunc import log_classical_pyfunc
from gsdrp.tracking.store import MODEL_URI
from gsdrp.tune.trial_run import trial_run
from gsdrp.zoo import REGISTRY

PREFIX = "baseline."
MODEL_KEY = f"{PREFIX}model"


def baseline_model(trial: dict[str, Any]) -> tuple[DrugResponseModel, TrainConfig]:
    """The trial's untrained model and its ``TrainConfig``; an unknown model or field raises ``KeyError``."""
    name = trial[MODEL_KEY]
    if name not in REGISTRY:
        raise KeyError(f"{MODEL_KEY}={name!r} is not a model of gsdrp.zoo")
    cls = REGISTRY[name][0]
    values = {key.removeprefix(PREFIX): value for key, value in trial.items() if key.startswith(PREFIX) and key != MODEL_KEY}
    unknown = sorted(set(values) - set(cls.config_class.__dataclass_fields__))
    if unknown:
        raise KeyError(f"search-space key(s) {', '.join(PREFIX + k for k in unknown)}: {cls.config_class.__name__} has no such field")
    screen = trial.get("model.screen_covariate", ModelConfig().screen_covariate)
    model = cls(from_flat_dict(cls.config_class, values), screen)
    model.name = name
    return model, from_flat_dict(TrainConfig, trial, "train.")


def train_baseline_trial(config: dict, datasets: dict[str, Dataset], sweep: dict[str, str]) -> None:
    """Fit the trial's baseline, log its settings, budget and validation/test metrics, report to Tune."""
    model, train_config = baseline_model(config)
    data = datasets[train_config.collection]
    with trial_run(sweep) as new:
        if new:
            mlflow.log_params({
                MODEL_KEY: model.name, "train.split": train_config.split, "train.seed": train_config.seed,
                **{f"{PREFIX}{key}": value for key, value in model.hyperparameters().items()},
            })
        report = model.fit(data, seed=train_config.seed)
        scores = {}
        for part in ("val", "test"):
            rows = data.rows(part)
            metrics = regression_metrics(data.y[rows], model.predict(data, rows), data.drug_idx[rows])
            scores.update({f"{part}_{name}": value for name, value in metrics.items()})
        mlflow.log_metrics({f"budget_{k}": float(v) for k, v in report.budget.items()})
        mlflow.log_metric("val_rmse", scores["val_rmse"], step=1)
        mlflow.log_metrics({f"final_{name}": value for name, value in scores.items()})
        if isinstance(model, ClassicalModel):
            mlflow.set_tag(MODEL_URI, log_classical_pyfunc(model, data).model_uri)
        tune.report({"epoch": 1, "val_rmse": scores["val_rmse"]})
