"""``gsdrp benchmark``'s log: fits resume by (model, screen, seed, settings), and the table keeps every
model's fits whichever subset a run asked for."""

from __future__ import annotations

import json

from gsdrp.benchmark import run_benchmark


def _log(folder):
    return [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]


def test_a_rerun_resumes_and_a_subset_run_keeps_the_table_whole(prepared_root, tmp_path):
    out = tmp_path / "random"
    run = lambda models: run_benchmark("random", [0], out, models, (True,), prepared=prepared_root)  # noqa: E731

    first = run(("naive_drug_mean", "naive_mean_effects"))
    assert [r["model"] for r in _log(out)] == ["naive_drug_mean", "naive_mean_effects"]
    assert first["model"].tolist() == ["naive_drug_mean", "naive_mean_effects"]
    assert first.set_index("model").loc["naive_mean_effects", "rmse"] < first.set_index("model").loc["naive_drug_mean", "rmse"]

    again = run(("naive_mean_effects", "naive_mean"))  # one fit done already, one new
    assert [r["model"] for r in _log(out)] == ["naive_drug_mean", "naive_mean_effects", "naive_mean"]
    assert again["model"].tolist() == ["naive_mean", "naive_drug_mean", "naive_mean_effects"]  # registry order
    assert "| naive_drug_mean | 1 |" in (out / "table.md").read_text()


def test_fits_with_other_settings_leave_the_table_but_not_the_log(prepared_root, tmp_path):
    out = tmp_path / "random"
    run_benchmark("random", [0], out, ("naive_mean",), (True,), prepared=prepared_root)
    stale = {**_log(out)[0], "settings": "0000000000", "rmse": 0.0}
    with (out / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(stale) + "\n")
    table = run_benchmark("random", [0], out, ("naive_mean",), (True,), prepared=prepared_root)
    assert len(_log(out)) == 2 and table["rmse"].tolist() == [_log(out)[0]["rmse"]]


def test_an_ensemble_over_a_changed_member_is_a_new_setting():
    from gsdrp.benchmark import settings_hash
    from gsdrp.config import TrainConfig
    from gsdrp.zoo import build

    def ensemble_settings(max_epochs: int) -> str:
        return settings_hash(build("ensemble_cell_blind_x5", True, TrainConfig(max_epochs=max_epochs)).hyperparameters())

    assert ensemble_settings(30) == ensemble_settings(30)
    assert ensemble_settings(30) != ensemble_settings(31)  # only the members read max_epochs


def test_a_field_added_later_to_a_member_leaves_the_ensemble_setting_as_it_was():
    from gsdrp.benchmark import LATER_FIELDS, settings_hash
    from gsdrp.zoo import build

    now = build("ensemble_xgboost_tuned_champion_x5_tissue_blind", True).hyperparameters()
    nested = now["member_settings"]["ensemble_tissue_blind_x5"]["member_settings"]["gs_chemdrp_champion_tissue_blind"]
    assert nested["model.attention_temperature"] == LATER_FIELDS["model.attention_temperature"]
    del nested["model.attention_temperature"]  # as fits made before the field existed recorded it
    assert settings_hash(now) == settings_hash(build("ensemble_xgboost_tuned_champion_x5_tissue_blind", True).hyperparameters())
    nested["model.attention_temperature"] = 2.0
    assert settings_hash(now) != settings_hash(build("ensemble_xgboost_tuned_champion_x5_tissue_blind", True).hyperparameters())


def test_fits_from_another_machine_count_as_seeds_but_not_in_wall_time(prepared_root, tmp_path):
    out = tmp_path / "random"
    run_benchmark("random", [0], out, ("naive_mean",), (True,), prepared=prepared_root)
    here = _log(out)[0]
    assert here["machine"].endswith("CPU cores")
    gpu = {**here, "seed": 1, "machine": "Some GPU + 16 CPU cores", "seconds": 1e6}
    with (out / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(gpu) + "\n")
    table = run_benchmark("random", [0], out, ("naive_mean",), (True,), prepared=prepared_root).iloc[0]
    assert (table["seeds"], table["timed"]) == (2, 1)
    assert table["seconds"] == here["seconds"]
    assert "1 fits ran on Some GPU + 16 CPU cores" in (out / "table.md").read_text()


def test_every_committed_table_row_is_still_found_under_the_models_current_settings():
    """Adding a config field must not orphan the committed fits: each table row's model, built now with the
    benchmark's settings for that split, names the settings of as many fits as the row has seeds."""
    import json
    from pathlib import Path

    from gsdrp.benchmark import settings_hash
    from gsdrp.config import TrainConfig
    from gsdrp.zoo import MODELS, build

    results = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
    for split in ("random", "cell_blind", "drug_blind", "tissue_blind"):
        fits = [json.loads(line) for line in (results / split / "results.jsonl").read_text().splitlines()]
        for row in json.loads((results / split / "table.json").read_text()):
            if row["model"] not in MODELS:
                continue
            current = settings_hash(build(row["model"], row["screen"], TrainConfig(split=split)).hyperparameters())
            found = [f for f in fits if (f["model"], f["screen"], f.get("settings")) == (row["model"], row["screen"], current)]
            assert len(found) == row["seeds"], (split, row["model"], row["screen"])
