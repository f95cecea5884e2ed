"""The sweep summary's table and plot, and the heatmap's choice of rows, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from ray import tune

from gsdrp.explain.plots import furthest_from_uniform
from gsdrp.tracking.summary import format_table, plot_against_params, searched

BASELINES = {"naive_drug_mean": {"rmse": 1.459, "pcc": 0.846}, "naive_mean_effects": {"rmse": 1.287, "pcc": 0.883}}


def trials() -> pd.DataFrame:
    return pd.DataFrame({
        "trial": ["a", "b"], "train.lr": ["0.005", "0.0079"], "model.residual_gate": ["False", "True"],
        "outcome": ["stopped_early_by_scheduler", "completed"], "epochs": [3, 7], "val_rmse": [1.36, 1.244],
        "final_val_rmse": [np.nan, 1.244], "final_val_pcc": [np.nan, 0.891], "final_test_rmse": [np.nan, 1.25],
        "final_test_pcc": [np.nan, 0.89], "run_id": ["r1", "r2"],
    })


def test_searched_keys_are_the_varying_ones():
    space = {"model.dim": 64, "train.collection": "hallmark", "train.lr": tune.loguniform(1e-3, 1e-2),
             "model.heads": tune.grid_search([2, 4]), "model.residual_gate": tune.choice([False, True])}
    assert searched(space) == ["train.lr", "model.heads", "model.residual_gate"]


def test_table_shows_trials_and_baselines_side_by_side():
    text = format_table(trials(), ["train.lr", "model.residual_gate"], BASELINES)
    lines = text.splitlines()
    assert lines[0].split() == ["trial", "lr", "residual_gate", "outcome", "epochs", "val", "RMSE", "val", "PCC"]
    assert "stopped (ASHA)" in lines[1] and "1.360" in lines[1]
    assert "completed" in lines[2] and "1.244" in lines[2] and "0.891" in lines[2]
    assert "naive_mean_effects" in lines[4] and "1.287" in lines[4] and "0.883" in lines[4]


def test_plot_has_one_panel_per_searched_parameter(tmp_path):
    path = plot_against_params(trials(), ["train.lr", "model.residual_gate"], BASELINES, tmp_path / "plot.png")
    assert path.stat().st_size > 10_000


def test_heatmap_rows_are_the_drugs_furthest_from_uniform_grouped_by_pathway():
    uniform = np.full(4, 0.25)
    matrix = pd.DataFrame(
        [uniform, [0.7, 0.1, 0.1, 0.1], [0.4, 0.2, 0.2, 0.2], [0.1, 0.1, 0.1, 0.7], uniform + [0.01, -0.01, 0, 0]],
        index=["flat", "strong", "mild", "other", "almost flat"], columns=list("ABCD"),
    )
    chosen = furthest_from_uniform(matrix, {"strong": "Mitosis", "mild": "Mitosis", "other": "Apoptosis"}, rows=3)
    assert list(chosen.index) == ["other  (Apoptosis)", "strong  (Mitosis)", "mild  (Mitosis)"]
    assert chosen.iloc[0].tolist() == [0.1, 0.1, 0.1, 0.7]
