"""Tuned baselines: XGBoost, the random forest, the MLP or matrix factorisation searched through the same
runner, trainable interface and MLflow tracking as the GS-ChemDRP sweeps, on any split, starting from the split's shipped
tuned setting (``gsdrp/presets/baselines/``) or else the benchmark's untuned one. Their best trials are
the rivals the GS-ChemDRP sweeps must beat; ``--num-samples 1`` fits and registers the shipped setting alone.

    python sweeps/baselines.py --model xgboost --split cell_blind [--num-samples 12] [--resume]

``--model`` is xgboost (default), random_forest, mlp or matrix_factorisation (the random split's rival:
it knows only identities); every other flag is a sweep flag.

The MLflow experiment is ``baselines-<model>-<split>`` unless ``--name`` says otherwise. Each completed
trial logs its fitted model as a pyfunc, as GS-ChemDRP trials do. On a blind split the best trial is
registered and takes the split's alias (``models:/gsdrp@cell_blind`` ...) if it beats the model there on
validation RMSE, so ``gsdrp predict`` answers that question with whichever model validation prefers; the
random split's ``@champion`` stays a GS-ChemDRP model.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from ray import tune

from gsdrp.config import to_flat_dict
from gsdrp.presets import BASELINE_PRESETS, baseline_preset
from gsdrp.tracking.routing import print_promotion
from gsdrp.tune.baseline_trainable import MODEL_KEY, PREFIX, train_baseline_trial
from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep
from gsdrp.zoo import REGISTRY

SPACES = {
    "xgboost": {
        "baseline.learning_rate": tune.loguniform(0.03, 0.3),
        "baseline.max_depth": tune.randint(4, 11),
        "baseline.min_child_weight": tune.loguniform(1.0, 50.0),
        "baseline.subsample": tune.uniform(0.5, 1.0),
        "baseline.colsample_bytree": tune.uniform(0.1, 0.6),
    },
    "random_forest": {
        "baseline.max_samples": tune.uniform(0.1, 0.4),
        "baseline.max_features": tune.uniform(0.05, 0.4),
        "baseline.min_samples_leaf": tune.randint(1, 21),
    },
    "mlp": {
        "baseline.hidden_1": tune.choice([256, 512, 1024]),
        "baseline.hidden_2": tune.choice([64, 128, 256]),
        "baseline.learning_rate": tune.loguniform(3e-4, 3e-3),
        "baseline.alpha": tune.loguniform(1e-5, 1e-2),
        "baseline.batch_size": tune.choice([256, 512, 1024]),
    },
    "matrix_factorisation": {
        "baseline.dim": tune.choice([16, 32, 64, 128]),
        "baseline.l2": tune.loguniform(1e-4, 1e-1),
        "baseline.lr": tune.loguniform(3e-3, 3e-2),
        "baseline.screen_effect": tune.choice(["global", "pair"]),
    },
}


def start_point(model: str, split: str) -> dict:
    """The first trial, as values of the searched dimensions: the split's tuned setting of ``model`` where
    one ships (``gsdrp/presets/baselines/``), else the benchmark's untuned setting."""
    preset_name = f"{model}-{split.replace('_', '-')}"
    tuned = baseline_preset(preset_name)[1] if preset_name in BASELINE_PRESETS else {}
    values = to_flat_dict(REGISTRY[model][0].config_class(**tuned), PREFIX)
    return {key: values[key] for key in SPACES[model]}


def main(argv: list[str] | None = None):
    chooser = argparse.ArgumentParser(add_help=False)
    chooser.add_argument("--model", choices=sorted(SPACES), default="xgboost")
    known, rest = chooser.parse_known_args(argv)
    # one report per trial: ASHA's first rung (grace period 2) lies past it, so no trial is cut short
    options = parse_options(rest, __doc__, name="baselines", num_samples=12, max_epochs=1, grace_period=2)
    if options.name == "baselines":
        options = replace(options, name=f"baselines-{known.model}-{options.split}")
    space = {MODEL_KEY: known.model, **SPACES[known.model]}
    results = run_sweep(space, options, points_to_evaluate=[start_point(known.model, options.split)], trainable=train_baseline_trial)
    if options.split != "random":
        print_promotion(options.name, options.split)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
