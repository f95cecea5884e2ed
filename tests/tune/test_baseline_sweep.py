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

from .conftest import REPO, sweep_env
from .test_sweeps import runs_of

pytestmark = pytest.mark.slow

RIDGE_SWEEP = textwrap.dedent(
    """
    import sys
    from ray import tune
    from gsdrp.tune.baseline_trainable import train_baseline_trial
    from gsdrp.tune.runner import SweepOptions, run_sweep

    space = {"baseline.model": "ridge", "baseline.alpha": tune.loguniform(1.0, 1e4)}
    options = SweepOptions(name="ridge", num_samples=2, max_concurrent=1, max_epochs=1, grace_period=2,
                           storage=sys.argv[1], prepared=sys.argv[2])
    run_sweep(space, options, points_to_evaluate=[{"baseline.alpha": 100.0}], trainable=train_baseline_trial)
    """
)


def test_a_ridge_sweep_is_tracked_and_its_start_point_reproduces_the_benchmark(prepared_root, real_data, tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = subprocess.run(
        [sys.executable, "-c", RIDGE_SWEEP, str(tmp_path / "ray"), str(prepared_root)],
        env=sweep_env(uri), capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    parents, trials = runs_of(uri, "ridge")
    assert len(parents) == 1 and len(trials) == 2
    assert {t.data.tags["gsdrp.outcome"] for t in trials} == {"completed"}
    alphas = sorted(float(t.data.params["baseline.alpha"]) for t in trials)
    assert 100.0 in alphas and alphas[0] != alphas[1]  # the start point, then one HyperOpt draw
    start = next(t for t in trials if float(t.data.params["baseline.alpha"]) == 100.0)
    table = json.loads((REPO / "benchmarks" / "results" / "random" / "table.json").read_text())
    committed = next(r["rmse"] for r in table if r["model"] == "ridge" and r["screen"])
    assert start.data.metrics["final_test_rmse"] == pytest.approx(committed, abs=1e-3)

    # the logged model, given the test pairs as a user gives them (cell line, SMILES, screen), scores what
    # the trial scored on them
    data = real_data
    test = data.rows("test")
    pairs = pd.DataFrame({
        "cell_line": [data.cells[c] for c in data.cell_idx[test]], "smiles": [data.smiles[d] for d in data.drug_idx[test]],
        "screen": np.where(data.gdsc2[test] == 1, "GDSC2", "GDSC1"),
    })
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)  # mlflow.set_tracking_uri writes it too: restored after the test
    mlflow.set_tracking_uri(uri)
    predicted = mlflow.pyfunc.load_model(start.data.tags["gsdrp.model_uri"]).predict(pairs)
    assert predicted["error"].isna().all()
    rmse = float(np.sqrt(np.mean((predicted["prediction"].to_numpy() - data.y[test]) ** 2)))
    assert rmse == pytest.approx(start.data.metrics["final_test_rmse"], abs=1e-4)
