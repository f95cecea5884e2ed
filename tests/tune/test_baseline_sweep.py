"""A baseline sweep through the same runner and tracking as GS-ChemDRP: ridge, whose fit is exact, so the
trial at the benchmark's setting must reproduce the committed benchmark row, and the model it logged
must predict the test pairs as the trial scored them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import mlflow
import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO, sweep_env

from .test_sweeps import runs_of

pytestmark = pytest.mark.slow

RIDGE_SWEEP = textwrap.dedent(
    """
    import sys
    from ray import tune
    from gsdrp.tune.baseline_trainable import train_baseline_trial
    from gsdrp.tune.runner import SweepOptions, run_sweep

    space = {"baseline.model": "ridge", "baseline.alpha": tune.loguniform(1.0, 1e4)}
    options = SweepOptions(name="ridge", num_samples=1, max_concurrent=1, max_epochs=1, grace_period=2,
                           storage=sys.argv[1], prepared=sys.argv[2])
    run_sweep(space, options, points_to_evaluate=[{"baseline.alpha": 100.0}], trainable=train_baseline_trial)
    """
)


def run_script(script: str, tmp_path, prepared_root) -> str:
    """Run a sweep script in its own process with a fresh sqlite store; returns the store's URI."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "ray"), str(prepared_root)],
        env=sweep_env(uri), capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return uri


def as_given(data, rows) -> pd.DataFrame:
    """Dataset rows as a user hands them in: cell line, SMILES, screen."""
    return pd.DataFrame({
        "cell_line": [data.cells[c] for c in data.cell_idx[rows]], "smiles": [data.smiles[d] for d in data.drug_idx[rows]],
        "screen": np.where(data.gdsc2[rows] == 1, "GDSC2", "GDSC1"),
    })


def test_a_ridge_sweep_is_tracked_and_its_start_point_reproduces_the_benchmark(prepared_root, real_data, tmp_path, monkeypatch):
    uri = run_script(RIDGE_SWEEP, tmp_path, prepared_root)
    parents, trials = runs_of(uri, "ridge")
    assert len(parents) == 1 and len(trials) == 1  # the start point only: a ridge fit on every pair takes a minute
    (start,) = trials
    assert start.data.tags["gsdrp.outcome"] == "completed" and float(start.data.params["baseline.alpha"]) == 100.0
    table = json.loads((REPO / "benchmarks" / "results" / "random" / "table.json").read_text())
    committed = next(r["rmse"] for r in table if r["model"] == "ridge" and r["screen"])
    assert start.data.metrics["final_test_rmse"] == pytest.approx(committed, abs=1e-3)

    # the logged model, given the test pairs as a user gives them (cell line, SMILES, screen), scores what
    # the trial scored on them
    data = real_data
    test = data.rows("test")
    pairs = as_given(data, test)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)  # mlflow.set_tracking_uri writes it too: restored after the test
    mlflow.set_tracking_uri(uri)
    predicted = mlflow.pyfunc.load_model(start.data.tags["gsdrp.model_uri"]).predict(pairs)
    assert predicted["error"].isna().all()
    rmse = float(np.sqrt(np.mean((predicted["prediction"].to_numpy() - data.y[test]) ** 2)))
    assert rmse == pytest.approx(start.data.metrics["final_test_rmse"], abs=1e-4)


FACTORISATION_FIT = textwrap.dedent(
    """
    import sys
    from gsdrp.tune.baseline_trainable import train_baseline_trial
    from gsdrp.tune.runner import SweepOptions, run_sweep

    options = SweepOptions(name="mf", num_samples=1, max_concurrent=1, max_epochs=1, search="grid",
                           storage=sys.argv[1], prepared=sys.argv[2])
    run_sweep({"baseline.model": "matrix_factorisation_tuned_random"}, options, trainable=train_baseline_trial)
    """
)


def test_a_zoo_model_fitted_as_registered_is_tracked_and_its_logged_factorisation_predicts_as_scored(
    prepared_root, real_data, tmp_path, monkeypatch
):
    """The trainable also fits a model of the zoo by name alone (what ``sweeps/ensemble.py`` registers): tuned
    matrix factorisation, whose pyfunc must predict the test pairs, given by name and SMILES, as the trial did;
    a SMILES two GDSC drug names share gets the mean of both drugs' predictions."""
    uri = run_script(FACTORISATION_FIT, tmp_path, prepared_root)
    _, trials = runs_of(uri, "mf")
    (trial,) = trials
    assert trial.data.params["baseline.dim"] == "64" and trial.data.params["baseline.screen_effect"] == "pair"  # the tuned preset
    assert trial.data.metrics["final_test_rmse"] == pytest.approx(0.89, abs=0.02)  # the benchmark's 0.891 at seed 0
    data = real_data
    test = data.rows("test")
    pairs = as_given(data, test)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    served = mlflow.pyfunc.load_model(trial.data.tags["gsdrp.model_uri"])
    predicted = served.predict(pairs)
    assert predicted["error"].isna().all()
    shared = pd.Series(data.smiles).duplicated(keep=False).to_numpy()[data.drug_idx[test]]
    assert 0 < shared.sum() < len(test)  # both kinds of test pair are there
    factorisation = served.unwrap_python_model().model
    on_dataset = factorisation.predict(data, test)
    assert float(np.sqrt(np.mean((on_dataset - data.y[test]) ** 2))) == pytest.approx(trial.data.metrics["final_test_rmse"], abs=1e-4)
    np.testing.assert_allclose(predicted["prediction"].to_numpy()[~shared], on_dataset[~shared], atol=1e-5)
    row = int(np.flatnonzero(shared)[0])
    twins = [i for i, s in enumerate(data.smiles) if s == pairs["smiles"][row]]
    expected = np.mean([factorisation.predict_indices(data.cell_idx[test[[row]]], np.array([d]), data.gdsc2[test[[row]]]) for d in twins])
    assert predicted["prediction"].iloc[row] == pytest.approx(expected, abs=1e-5)
