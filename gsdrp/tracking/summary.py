"""A sweep at a glance: every trial's searched parameters and outcome beside the naive baselines.

Logged on the sweep's parent run: ``sweep_trials.csv`` (one row per trial: params, outcome, epochs
run, best epoch's validation RMSE, final validation and test metrics), ``baselines.json`` and
``val_rmse_vs_params.png`` (validation RMSE against each searched parameter, baselines as lines).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

from gsdrp.tracking.store import OUTCOME, TRIAL_ID  # noqa: E402
from gsdrp.tracking.ui import share_view  # noqa: E402

FINAL = ("final_val_rmse", "final_val_pcc", "final_test_rmse", "final_test_pcc")
COLUMNS = ("val_rmse", *FINAL)


def searched(space: dict[str, Any]) -> list[str]:
    """The keys of ``space`` that vary between trials (Tune domains or grids, not constants)."""
    return [key for key, value in space.items() if not isinstance(value, str | int | float | bool)]


def trial_table(client: MlflowClient, experiment_id: str, parent_run_id: str, params: list[str]) -> pd.DataFrame:
    """One row per trial run of the sweep, ordered by validation RMSE (best epoch)."""
    runs = client.search_runs([experiment_id], filter_string=f"tags.`mlflow.parentRunId` = '{parent_run_id}'")
    rows = []
    for run in runs:
        history = client.get_metric_history(run.info.run_id, "val_rmse")
        metrics = run.data.metrics
        rows.append({
            "trial": run.data.tags.get(TRIAL_ID, run.info.run_name),
            **{p: run.data.params.get(p) for p in params},
            "outcome": run.data.tags.get(OUTCOME, run.info.status.lower()),
            "epochs": len(history),
            "val_rmse": min((m.value for m in history), default=float("nan")),
            **{name: metrics.get(name, float("nan")) for name in FINAL},
            "run_id": run.info.run_id,
        })
    table = pd.DataFrame(rows, columns=["trial", *params, "outcome", "epochs", *COLUMNS, "run_id"])
    return table.sort_values("val_rmse", ignore_index=True)


def plot_against_params(table: pd.DataFrame, params: list[str], baselines: dict[str, dict], path: Path) -> Path:
    """Best-epoch validation RMSE of each trial against each searched parameter; baselines as dashed lines."""
    fig, axes = plt.subplots(1, len(params), figsize=(3.6 * len(params), 3.4), sharey=True, squeeze=False)
    completed = table["outcome"] == "completed"
    for ax, param in zip(axes[0], params, strict=True):
        values = pd.to_numeric(table[param], errors="coerce")
        categorical = values.isna().any()
        if categorical:
            levels = sorted(table[param].astype(str).unique())
            values = table[param].astype(str).map(levels.index)
            ax.set_xticks(range(len(levels)), levels)
            ax.set_xlim(-0.5, len(levels) - 0.5)
        elif param.endswith(".lr"):
            ax.set_xscale("log")
        ax.scatter(values[completed], table["val_rmse"][completed], color="tab:blue", label="ran to the end")
        ax.scatter(values[~completed], table["val_rmse"][~completed], color="tab:grey", marker="x", label="stopped early")
        for (name, score), style in zip(baselines.items(), ("dotted", "dashed"), strict=False):
            ax.axhline(score["rmse"], color="tab:red", linestyle=style, linewidth=1, label=f"{name} {score['rmse']:.3f}")
        ax.set(xlabel=param)
    axes[0][0].set_ylabel("validation RMSE (best epoch)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(f"{len(table)} trials: validation RMSE against the searched parameters", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def format_table(table: pd.DataFrame, params: list[str], baselines: dict[str, dict]) -> str:
    """A compact text table of the trials, best first, with the baselines' validation scores under it."""
    shown = table[["trial", *params, "outcome", "epochs", "val_rmse", "final_val_pcc"]].copy()
    shown.columns = ["trial", *[p.split(".", 1)[-1] for p in params], "outcome", "epochs", "val RMSE", "val PCC"]
    for name in ("dropout", "lr"):
        if name in shown:
            shown[name] = pd.to_numeric(shown[name]).map(lambda v: f"{v:.3g}")
    shown["outcome"] = shown["outcome"].replace("stopped_early_by_scheduler", "stopped (ASHA)")
    naive = pd.DataFrame(
        [{"trial": name, "outcome": "baseline", "val RMSE": s["rmse"], "val PCC": s["pcc"]} for name, s in baselines.items()]
    )
    both = pd.concat([shown, naive], ignore_index=True).astype({"epochs": "Int64"})
    for name in ("val RMSE", "val PCC"):
        both[name] = both[name].map(lambda v: "–" if pd.isna(v) else f"{v:.3f}")
    return both.astype(object).fillna("").to_string(index=False)


def log_summary(client: MlflowClient, sweep: dict[str, str], space: dict[str, Any], baselines: dict[str, dict]) -> str:
    """Log the sweep's summary artifacts and baseline metrics on its parent run, share a runs-table
    view with the searched parameters and the scores as columns; return the compact text table."""
    params = searched(space)
    experiment, parent = sweep["experiment_id"], sweep["parent_run_id"]
    table = trial_table(client, experiment, parent, params)
    for name, score in baselines.items():
        client.log_metric(parent, f"{name}_val_rmse", score["rmse"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table.to_csv(folder / "sweep_trials.csv", index=False)
        (folder / "baselines.json").write_text(json.dumps(baselines, indent=1))
        text = format_table(table, params, baselines)
        (folder / "sweep_trials.txt").write_text(text + "\n")
        if params and len(table):
            plot_against_params(table, params, baselines, folder / "val_rmse_vs_params.png")
        client.log_artifacts(parent, str(folder))
    share_view(client, experiment, ["val_rmse", "final_val_rmse", "final_test_rmse", "best_val_rmse"], params)
    return text
