"""``gsdrp predict`` on real files with the session's tiny registered model, and ``gsdrp train --config``."""

from __future__ import annotations

import pandas as pd

from gsdrp.cli.commands import train_configs
from gsdrp.cli.parser import build_parser
from gsdrp.config import replace
from gsdrp.train.run import write_config
from tests.cli.conftest import run_cli


def test_numeric_cell_names_match_and_a_blank_screen_is_gdsc2(tracking, tmp_path, tiny_data, capsys):
    smiles = tiny_data.smiles[0]
    source, output = tmp_path / "pairs.csv", tmp_path / "preds.csv"
    source.write_text(f"cell_line,smiles,screen\n5637,{smiles},\n697,{smiles},GDSC2\n5637,{smiles},GDSC2\n5637,{smiles},GDSC1\n")
    code, out, _ = run_cli(["predict", "--input", str(source), "--output", str(output)], capsys)
    assert code == 0
    assert f"wrote {output}: 4 predictions, 0 rows with an error" in out
    preds = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert preds["cell_line"].tolist() == ["5637", "697", "5637", "5637"]
    values = preds["prediction"].astype(float)
    assert values[0] == values[2] != values[3]  # blank screen = GDSC2; GDSC1 is offset by the screen covariate


def test_per_row_errors_name_the_file_line(tracking, tmp_path, tiny_data, capsys):
    smiles = tiny_data.smiles[0]
    source, output = tmp_path / "pairs.csv", tmp_path / "preds.csv"
    source.write_text(
        f"cell_line,smiles,screen\nA549,{smiles},\nNOSUCH,{smiles},\nA549,not-a-smiles,\n,{smiles},\nA549,{smiles},GDSC3\n"
    )
    code, out, _ = run_cli(["predict", "--input", str(source), "--output", str(output)], capsys)
    assert code == 0
    assert "1 predictions, 4 rows with an error" in out
    for expected in ("line 3: unknown cell line 'NOSUCH'", "line 4: invalid SMILES 'not-a-smiles'",
                     "line 5: empty cell_line", "line 6: unknown screen 'GDSC3'"):
        assert expected in out
    preds = pd.read_csv(output)
    assert preds["prediction"].notna().tolist() == [True, False, False, False, False]


def test_train_config_file_reruns_a_trial_and_flags_override_it(tiny_trainer, tmp_path):
    config = tmp_path / "config.json"
    write_config(config, tiny_trainer)
    args = build_parser().parse_args(["train", "--config", str(config), "--dim", "32", "--no-screen-covariate"])
    data, model, train = train_configs(args)
    assert data == tiny_trainer.data.config
    assert model == replace(tiny_trainer.model_config, dim=32, screen_covariate=False)
    assert train == tiny_trainer.config and train.train_fraction == 0.01


def test_train_preset_is_the_shipped_champion_and_flags_override_it():
    from gsdrp.config import TrainConfig
    from gsdrp.presets import preset

    model, tuned = preset("champion")
    args = build_parser().parse_args(["train", "--preset", "champion", "--split", "cell_blind", "--max-epochs", "3"])
    _, got_model, got_train = train_configs(args)
    assert got_model == model
    assert got_train == replace(TrainConfig(**tuned), split="cell_blind", max_epochs=3)


def test_a_preset_written_from_a_trial_config_keeps_the_model_and_only_the_tuned_training_fields():
    from gsdrp.config import ModelConfig, to_flat_dict
    from gsdrp.presets.__main__ import preset_values

    trial = {
        "data": {"split_seed": 0},
        "model": {"dim": 32, "heads": 2, "identity": True},
        "train": {"split": "random", "seed": 3, "max_epochs": 24, "train_fraction": 0.5, "lr": 0.002, "batch_size": 4096},
    }
    values = preset_values(trial)
    assert values["model"] == to_flat_dict(ModelConfig(dim=32, heads=2, identity=True))
    assert values["train"] == {"lr": 0.002, "batch_size": 4096}
