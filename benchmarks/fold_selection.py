"""Does grouped K-fold over the training drugs (or cell lines) rank a sweep's trials better than the split's
own small validation part? (docs/sweeps.md, "Selection by grouped folds")

Takes a blind-split sweep's trials from MLflow (the ``--top`` best by their best validation RMSE, any
outcome), rebuilds each trial's configuration from its logged parameters, and fits it K times on the
folds of the training part (``gsdrp.data.folds``: no drug or cell line on both sides; the split's
validation and test rows in none) and once on the whole training part with the split's validation
for early stopping, which gives its validation and test RMSE. The fold score is the mean of the
folds' best validation RMSE. It reports, over the trials, Spearman(fold score, test) beside
Spearman(validation, test), and the test RMSE of the trial each score selects.

One JSON per sweep under ``benchmarks/results/fold_selection/``, written after every trial, so an
interrupted run resumes.

    python benchmarks/fold_selection.py --tracking-uri sqlite:///mlflow/mlflow.db --experiment full-drug_blind [--folds 3] [--top 8]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import numpy as np
from scipy import stats

from gsdrp.config import DataConfig, ModelConfig, TrainConfig, from_flat_dict
from gsdrp.data.dataset import load_dataset
from gsdrp.data.folds import fold_datasets
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.tracking.store import KIND, use_tracking
from gsdrp.train.loop import Trainer
from gsdrp.train.run import evaluate_trained

RESULTS = Path(__file__).resolve().parent / "results" / "fold_selection"


def top_trials(tracking_uri: str, experiment: str, top: int) -> list:
    client = use_tracking(tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise SystemExit(f"no experiment {experiment!r} at {tracking_uri}")
    runs = client.search_runs([found.experiment_id], f"tags.`{KIND}` = 'trial'", max_results=1000)
    scored = []
    for run in runs:
        history = client.get_metric_history(run.info.run_id, "val_rmse")
        if history:
            scored.append((min(m.value for m in history), run))
    return [run for _, run in sorted(scored, key=lambda item: item[0])[:top]]


def assess(run, folds: int, prepared: Path) -> dict:
    params = run.data.params
    data_config = from_flat_dict(DataConfig, params, "data.")
    model_config = from_flat_dict(ModelConfig, params, "model.")
    train_config = from_flat_dict(TrainConfig, params, "train.")
    data = load_dataset(data_config, train_config.split, train_config.collection, out=prepared)
    started = time.process_time()
    fold_scores = [Trainer(fold, model_config, train_config).fit().best_val_rmse for fold in fold_datasets(data, folds)]
    trainer = Trainer(data, model_config, train_config)
    trainer.fit()
    scores, _ = evaluate_trained(trainer)
    return {
        "run_id": run.info.run_id, "trial": run.info.run_name,
        "fold_rmse": [float(s) for s in fold_scores], "fold_score": float(np.mean(fold_scores)),
        "val_rmse": float(scores["val_rmse"]), "test_rmse": float(scores["test_rmse"]),
        "cpu_seconds": time.process_time() - started,
    }


def summarise(trials: list[dict]) -> dict:
    if len(trials) < 3:
        return {}
    test = [t["test_rmse"] for t in trials]
    by = {key: min(trials, key=lambda t: t[key]) for key in ("fold_score", "val_rmse")}
    return {
        "spearman_fold_test": float(stats.spearmanr([t["fold_score"] for t in trials], test)[0]),
        "spearman_val_test": float(stats.spearmanr([t["val_rmse"] for t in trials], test)[0]),
        "selected_by_folds": {"trial": by["fold_score"]["trial"], "test_rmse": by["fold_score"]["test_rmse"]},
        "selected_by_val": {"trial": by["val_rmse"]["trial"], "test_rmse": by["val_rmse"]["test_rmse"]},
        "best_test_rmse": min(test),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    target = RESULTS / f"{args.experiment}.json"
    record = json.loads(target.read_text()) if target.is_file() else {
        "experiment": args.experiment, "folds": args.folds, "top": args.top, "trials": [],
    }
    done = {t["run_id"] for t in record["trials"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    for run in top_trials(args.tracking_uri, args.experiment, args.top):
        if run.info.run_id in done:
            continue
        trial = assess(run, record["folds"], args.prepared)
        record["trials"].append(trial)
        record.update(date=date.today().isoformat(), summary=summarise(record["trials"]))
        target.write_text(json.dumps(record, indent=1) + "\n")
        print(f"{trial['trial']}: folds {trial['fold_score']:.3f}, val {trial['val_rmse']:.3f}, test {trial['test_rmse']:.3f} "
              f"({trial['cpu_seconds']:.0f} s CPU)", flush=True)
    print(json.dumps(record.get("summary", {}), indent=1))


if __name__ == "__main__":
    main()
