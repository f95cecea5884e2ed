"""``gsdrp predict`` without ``--model`` sends each pair to the alias that fits it, in a real sqlite store."""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest

from gsdrp.tracking.pyfunc import cell_features, log_pyfunc
from gsdrp.tracking.store import use_tracking
from gsdrp.train.loop import save_checkpoint
from tests.cli.conftest import run_cli

NEW_SMILES = "CCO"  # ethanol: valid, and no GDSC drug


@pytest.fixture()
def store_with_champion(tmp_path, tiny_trainer, monkeypatch):
    """A fresh store whose ``gsdrp@champion`` is the tiny model (trained on 1% of the pairs, so some cell
    lines are new to it); returns a function that registers the same model under another alias."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    client = use_tracking()
    save_checkpoint(tmp_path / "checkpoint.pt", tiny_trainer)
    with mlflow.start_run():
        model_uri = log_pyfunc(tmp_path / "checkpoint.pt", cell_features(tiny_trainer.data)).model_uri

    def register(alias: str) -> None:
        version = mlflow.register_model(model_uri, "gsdrp").version
        client.set_registered_model_alias("gsdrp", alias, version)

    register("champion")
    return register


def pairs(tiny_trainer) -> pd.DataFrame:
    data = tiny_trainer.data
    trained_cells = [c for c, i in zip(data.cells, tiny_trainer.cell_ids.tolist()) if i >= 0]
    new_cells = [c for c, i in zip(data.cells, tiny_trainer.cell_ids.tolist()) if i < 0]
    trained_drug = next(s for s, i in zip(data.smiles, tiny_trainer.drug_ids.tolist()) if i >= 0)
    return pd.DataFrame(
        {
            "cell_line": [trained_cells[0], new_cells[0], trained_cells[0], trained_cells[0]],
            "smiles": [trained_drug, trained_drug, NEW_SMILES, "not-a-smiles"],
        }
    )


def predict(table: pd.DataFrame, tmp_path, capsys) -> tuple[pd.DataFrame, str]:
    source, output = tmp_path / "pairs.csv", tmp_path / "preds.csv"
    table.to_csv(source, index=False)
    code, out, err = run_cli(["predict", "--input", str(source), "--output", str(output)], capsys)
    assert code == 0, err
    return pd.read_csv(output, dtype=str, keep_default_na=False), out


def test_each_pair_goes_to_the_alias_of_its_question(store_with_champion, tiny_trainer, tmp_path, capsys):
    table = pairs(tiny_trainer)
    store_with_champion("cell_blind")
    store_with_champion("drug_blind")
    preds, out = predict(table, tmp_path, capsys)
    assert preds["model"].tolist() == [
        "models:/gsdrp@champion", "models:/gsdrp@cell_blind", "models:/gsdrp@drug_blind", "models:/gsdrp@champion",
    ]
    assert "a cell line the champion was not trained on" in preds["route"][1]
    assert "a drug the champion was not trained on" in preds["route"][2]
    assert preds["cell_line"].tolist() == table["cell_line"].tolist()  # input order kept
    assert preds["prediction"].ne("").tolist() == [True, True, True, False]
    assert "invalid SMILES 'not-a-smiles'" in preds["error"][3]
    assert "1 rows by models:/gsdrp@drug_blind: a drug the champion was not trained on" in out


def test_a_missing_alias_leaves_the_pair_with_the_champion_and_says_so(store_with_champion, tiny_trainer, tmp_path, capsys):
    preds, _ = predict(pairs(tiny_trainer), tmp_path, capsys)
    assert set(preds["model"]) == {"models:/gsdrp@champion"}
    assert "models:/gsdrp@drug_blind is not registered" in preds["route"][2]
    assert "models:/gsdrp@cell_blind is not registered" in preds["route"][1]
    assert preds["prediction"][2] != ""  # the champion still answers from features
