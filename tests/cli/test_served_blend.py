"""A blend is registered and served like any model: matrix factorisation beside GS-ChemDRP, logged to a
real sqlite store as one pyfunc, answers ``gsdrp predict`` as the ensemble predicts its dataset, and a
pair matrix factorisation cannot know gets an error, not a guess."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest

from gsdrp.baselines.factorisation import FactorisationConfig, FactorisationModel
from gsdrp.config import TrainConfig
from gsdrp.ensemble import EnsembleConfig, EnsembleModel, Fitted
from gsdrp.predictor import FitReport
from gsdrp.tracking.store import MODEL_URI, use_tracking
from gsdrp.tune.baseline_trainable import log_fit, log_settings
from gsdrp.train.predictor import DeepConfig, GSChemDRPModel
from tests.cli.conftest import run_cli

NEW_SMILES = "CCO"  # ethanol: valid, and no GDSC drug


def fitted_blend(tiny_trainer) -> tuple[EnsembleModel, FitReport]:
    """The tiny network (1% of the training pairs) and a two-epoch factorisation, averaged: the ensemble's
    own ``fit``, handed both fits as the benchmark hands it fits of its members."""
    data = tiny_trainer.data
    factors = FactorisationModel(FactorisationConfig(max_epochs=2), screen_covariate=True)
    factors_budget = factors.fit(data, seed=0).budget
    deep = GSChemDRPModel(DeepConfig(tiny_trainer.model_config, tiny_trainer.config), name="tiny")
    deep.trainer = tiny_trainer
    model = EnsembleModel(EnsembleConfig(("matrix_factorisation", "gs_chemdrp_full")), screen_covariate=True)
    model.reuse = {
        ("matrix_factorisation", 0): Fitted(factors, factors_budget, 1.0),
        ("gs_chemdrp_full", 0): Fitted(deep, {"rows_seen": len(tiny_trainer.train_rows), "epochs_run": 1}, 1.0),
    }
    return model, model.fit(data, seed=0)


def test_a_registered_blend_predicts_as_the_ensemble_and_refuses_what_factorisation_cannot_know(
    tiny_trainer, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    client = use_tracking()
    data = tiny_trainer.data
    blend, report = fitted_blend(tiny_trainer)
    with mlflow.start_run() as run:  # as a trial of sweeps/ensemble.py logs it
        log_settings(blend, TrainConfig())
        scores = log_fit(blend, report, data)
    logged = client.get_run(run.info.run_id).data
    assert logged.params["baseline.members"] == "matrix_factorisation,gs_chemdrp_full" and logged.metrics["budget_reused_fits"] == 2
    assert logged.metrics["final_val_rmse"] == pytest.approx(float(np.sqrt(np.mean((blend.predict(data, data.rows("val")) - data.y[data.rows("val")]) ** 2))))
    settings = mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/hyperparameters.json")
    assert set(settings["member_settings"]) == {"matrix_factorisation", "gs_chemdrp_full"}
    version = mlflow.register_model(logged.tags[MODEL_URI], "gsdrp").version
    client.set_registered_model_alias("gsdrp", "champion", version)
    assert scores["val_rmse"] == logged.metrics["final_val_rmse"]

    trained_cells = np.flatnonzero(tiny_trainer.cell_ids.numpy() >= 0)
    trained_drugs = np.flatnonzero(tiny_trainer.drug_ids.numpy() >= 0)
    test = data.rows("test")
    known = test[np.isin(data.cell_idx[test], trained_cells) & np.isin(data.drug_idx[test], trained_drugs) & (data.gdsc2[test] != 0.5)][:20]
    table = pd.DataFrame({
        "cell_line": [data.cells[c] for c in data.cell_idx[known]] + [data.cells[trained_cells[0]]],
        "smiles": [data.smiles[d] for d in data.drug_idx[known]] + [NEW_SMILES],
        "screen": list(np.where(data.gdsc2[known] == 1, "GDSC2", "GDSC1")) + ["GDSC2"],
    })
    table.to_csv(tmp_path / "pairs.csv", index=False)
    code, out, err = run_cli(["predict", "--input", str(tmp_path / "pairs.csv"), "--output", str(tmp_path / "preds.csv")], capsys)
    assert code == 0, err
    preds = pd.read_csv(tmp_path / "preds.csv", keep_default_na=False)
    assert set(preds["model"]) == {"models:/gsdrp@champion"}
    np.testing.assert_allclose(preds["prediction"][:-1].astype(float), blend.predict(data, known), atol=1e-4)
    assert preds["prediction"].iloc[-1] == ""
    assert "matrix factorisation knows only the drugs it was trained on" in preds["error"].iloc[-1]

    # the blend routes by what both fits were trained on: the network's 1% of the training pairs
    served = mlflow.pyfunc.load_model("models:/gsdrp@champion").unwrap_python_model()
    cells, smiles = served.trained()
    assert cells == {data.cells[i] for i in trained_cells} and smiles == {data.smiles[i] for i in trained_drugs}
