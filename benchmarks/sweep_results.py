"""Write a finished sweep's trials from its MLflow store into ``benchmarks/results/sweeps/`` (committed results).

One ``<experiment>.json`` per sweep: the sweep's settings (split, trials x epochs, date, CPU seconds), the
dimensions that varied between trials and one row per trial (searched values, outcome, epochs run, best-epoch validation
RMSE, final validation and test metrics for trials that ran to the end), plus how well validation ranks
the completed trials by test RMSE (Spearman over trials) and the trial that validation selects.

    python benchmarks/sweep_results.py --tracking-uri sqlite:///mlflow/mlflow.db --experiment full-cell_blind
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from mlflow import MlflowClient
from scipy import stats

OUT = Path(__file__).resolve().parent / "results" / "sweeps"
FINAL = ("final_val_rmse", "final_val_pcc", "final_test_rmse", "final_test_pcc")


def _number(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def sweep_record(client: MlflowClient, experiment: str) -> dict:
    """The latest sweep (parent run) of ``experiment`` and its trials, as plain JSON values."""
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise SystemExit(f"no MLflow experiment named {experiment!r}")
    parents = client.search_runs([found.experiment_id], "tags.`gsdrp.kind` = 'sweep'", order_by=["attributes.start_time DESC"], max_results=1)
    if not parents:
        raise SystemExit(f"experiment {experiment!r} holds no sweep")
    parent = parents[0]
    runs = client.search_runs([found.experiment_id], f"tags.`mlflow.parentRunId` = '{parent.info.run_id}'", max_results=1000)
    keys = sorted({key for run in runs for key in run.data.params})
    searched = [key for key in keys if len({run.data.params.get(key) for run in runs}) > 1 and key != "train.seed"]
    trials, seconds = [], 0.0
    for run in runs:
        history = client.get_metric_history(run.info.run_id, "val_rmse")
        seconds += ((run.info.end_time or run.info.start_time) - run.info.start_time) / 1e3
        trials.append({
            "trial": run.data.tags.get("gsdrp.trial_id", run.info.run_name),
            **{key: run.data.params.get(key) for key in searched},
            "outcome": run.data.tags.get("gsdrp.outcome", run.info.status.lower()),
            "epochs": len(history),
            "val_rmse": _number(min((m.value for m in history), default=np.nan)),
            **{name: _number(run.data.metrics.get(name, np.nan)) for name in FINAL},
            "run_id": run.info.run_id,
        })
    trials.sort(key=lambda t: t["val_rmse"] if t["val_rmse"] is not None else np.inf)
    done = [t for t in trials if t["final_test_rmse"] is not None]
    rank = stats.spearmanr([t["final_val_rmse"] for t in done], [t["final_test_rmse"] for t in done]).statistic if len(done) > 2 else None
    params = parent.data.params
    return {
        "experiment": experiment,
        "split": params.get("sweep.split"),
        "date": datetime.fromtimestamp(parent.info.start_time / 1e3, UTC).strftime("%Y-%m-%d"),
        "trials": len(trials),
        "completed": len(done),
        "max_epochs": int(params.get("sweep.max_epochs", 0)),
        "trial_cpu_seconds": round(seconds * float(params.get("sweep.cpus_per_trial", 1))),
        "searched": searched,
        "selected": min(done, key=lambda t: t["final_val_rmse"]) if done else None,
        "spearman_val_test": _number(rank),
        "rows": trials,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment", required=True, action="append", help="repeatable")
    args = parser.parse_args(argv)
    client = MlflowClient(args.tracking_uri)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in args.experiment:
        record = sweep_record(client, name)
        (OUT / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
        best = record["selected"]
        print(f"{name}: {record['trials']} trials ({record['completed']} completed), "
              f"selected by validation: val {best['final_val_rmse']}, test {best['final_test_rmse']}; "
              f"Spearman(val, test) over completed trials {record['spearman_val_test']}")


if __name__ == "__main__":
    main()
