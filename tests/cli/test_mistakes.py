"""Every common mistake ends in one line naming the culprit, exit code 1, and nothing written.

Cheap: no training beyond the session's tiny model; the tracking store is a real sqlite file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gsdrp.cli import commands, main
from gsdrp.errors import UserError
from tests.cli.conftest import files_under, run_cli


def one_line_error(code: int, err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert code == 1, err
    assert len(lines) == 1 and lines[0].startswith("gsdrp "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture()
def pairs_csv(tmp_path, tiny_data) -> Path:
    path = tmp_path / "pairs.csv"
    path.write_text(f"cell_line,smiles\nA549,{tiny_data.smiles[0]}\n")
    return path


# --- predict -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("models:/nosuch@champion", "no registered model 'nosuch' with alias 'champion'"),
        ("models:/gsdrp@nosuch", "registered model 'gsdrp' has no alias 'nosuch' (aliases: champion)"),
        ("models:/gsdrp/99", "registered model 'gsdrp' has no version '99'"),
        ("no-such-model-folder", "no MLflow model at no-such-model-folder"),
    ],
)
def test_predict_with_an_unknown_model(tracking, pairs_csv, tmp_path, capsys, model, expected):
    before = files_under(tmp_path)
    code, _, err = run_cli(["predict", "--model", model, "--input", str(pairs_csv), "--output", str(tmp_path / "p.csv")], capsys)
    one_line_error(code, err, expected)
    assert files_under(tmp_path) == before


def test_predict_before_any_sweep_names_the_missing_store(monkeypatch, pairs_csv, tmp_path, capsys):
    store = tmp_path / "nothing.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    code, _, err = run_cli(["predict", "--input", str(pairs_csv), "--output", str(tmp_path / "p.csv")], capsys)
    one_line_error(code, err, f"no MLflow tracking store at {store}", "MLFLOW_TRACKING_URI")
    assert not store.exists() and not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not UTF-8 text"),
        (b"cell_line,smile\nA549,CCO\n", "lacks column(s) smiles"),
        (b"cell_line,smiles\n", "has a header but no rows"),
    ],
)
def test_predict_with_a_bad_input_file_names_it(tracking, tmp_path, capsys, content, expected):
    source = tmp_path / "in.csv"
    if content is not None:
        source.write_bytes(content)
    before = files_under(tmp_path)
    code, _, err = run_cli(["predict", "--input", str(source), "--output", str(tmp_path / "p.csv")], capsys)
    one_line_error(code, err, f"input file {source}", expected)
    assert files_under(tmp_path) == before


def test_predict_into_a_missing_folder_refuses_before_predicting(tracking, pairs_csv, tmp_path, capsys):
    before = files_under(tmp_path)
    code, _, err = run_cli(["predict", "--input", str(pairs_csv), "--output", str(tmp_path / "no" / "p.csv")], capsys)
    one_line_error(code, err, f"folder {tmp_path / 'no'} does not exist", "mkdir -p")
    assert files_under(tmp_path) == before


def test_predict_into_a_folder_refuses(tracking, pairs_csv, tmp_path, capsys):
    before = files_under(tmp_path)
    code, _, err = run_cli(["predict", "--input", str(pairs_csv), "--output", str(tmp_path)], capsys)
    one_line_error(code, err, f"--output {tmp_path} is a folder")
    assert files_under(tmp_path) == before


# --- explain -------------------------------------------------------------------------------------

def test_explain_a_trial_stopped_early(tracking, tmp_path, capsys):
    code, _, err = run_cli(["explain", "--run", tracking.stopped, "--output-dir", str(tmp_path / "x")], capsys)
    one_line_error(code, err, f"trial run {tracking.stopped} has no final model", "stopped_early_by_scheduler",
                   f"the best trial {tracking.completed}")
    assert not (tmp_path / "x").exists()


def test_explain_the_sweep_parent_run(tracking, capsys):
    code, _, err = run_cli(["explain", "--run", tracking.parent], capsys)
    one_line_error(code, err, "is a sweep's parent run, not a trial", tracking.completed)


def test_explain_a_mistyped_run_id(tracking, capsys):
    code, _, err = run_cli(["explain", "--run", "0" * 32], capsys)
    one_line_error(code, err, f"no MLflow run '{'0' * 32}'")


def test_explain_the_readme_run_folder_when_absent(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["explain", "--run", "runs/full-random-seed0"], capsys)
    one_line_error(code, err, "no run folder runs/full-random-seed0", "gsdrp train")
    assert files_under(tmp_path) == set()


def test_explain_a_folder_without_a_model(tmp_path, capsys):
    code, _, err = run_cli(["explain", "--run", str(tmp_path)], capsys)
    one_line_error(code, err, f"run folder {tmp_path} lacks checkpoint.pt, config.json")


# --- train ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--max-epochs", "0"], "max_epochs=0 is out of range: it must be >= 1"),
        (["--lr", "-1"], "lr=-1.0 is out of range: it must be > 0"),
        (["--batch-size", "0"], "batch_size=0 is out of range: it must be >= 1"),
        (["--dropout", "1"], "dropout=1.0 is out of range: it must be >= 0 and < 1"),
        (["--dim", "30", "--heads", "4"], "dim=30 must be divisible by heads=4"),
        (["--train-fraction", "0"], "train_fraction=0.0 is out of range"),
        (["--lr", "inf"], "lr=inf is out of range: it must be > 0"),
    ],
)
def test_train_refuses_bad_values_and_writes_nothing(tmp_path, capsys, flags, expected):
    code, _, err = run_cli(["train", "--runs", str(tmp_path / "runs"), "--prepared", str(tmp_path / "p"), *flags], capsys)
    one_line_error(code, err, expected)
    assert files_under(tmp_path) == set()


def test_train_with_a_missing_config_file(tmp_path, capsys):
    code, _, err = run_cli(["train", "--config", str(tmp_path / "config.json"), "--runs", str(tmp_path / "runs")], capsys)
    one_line_error(code, err, f"--config {tmp_path / 'config.json'} does not exist")
    assert files_under(tmp_path) == set()


def test_train_with_a_config_of_unknown_fields(tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text('{"model": {"dimension": 8}}')
    code, _, err = run_cli(["train", "--config", str(config), "--runs", str(tmp_path / "runs")], capsys)
    one_line_error(code, err, "model config has unknown field(s) dimension")
    assert files_under(tmp_path) == {Path("config.json")}


# --- promote -------------------------------------------------------------------------------------

def test_promote_with_a_missing_sqlite_store_creates_nothing(monkeypatch, tmp_path, capsys):
    store = tmp_path / "typo.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    code, _, err = run_cli(["promote", "--experiment", "tiny"], capsys)
    one_line_error(code, err, f"no MLflow tracking store at {store}")
    assert files_under(tmp_path) == set()


def test_promote_with_no_server_at_the_tracking_uri_fails_fast(monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # the discard port: nothing listens there
    code, _, err = run_cli(["promote", "--experiment", "tiny"], capsys)
    one_line_error(code, err, "no MLflow tracking server answers at http://127.0.0.1:9", "mlflow/serve.sh")


def test_promote_an_unknown_experiment_lists_the_known_ones(tracking, capsys):
    code, _, err = run_cli(["promote", "--experiment", "tinny"], capsys)
    one_line_error(code, err, "no MLflow experiment named 'tinny'", "experiments: ", "tiny")


def test_promote_the_champion_again_says_so(tracking, capsys):
    code, out, _ = run_cli(["promote", "--experiment", "tiny"], capsys)
    assert code == 0
    assert "alias 'champion' already points to version 1: nothing to change" in out
    assert "not beaten" not in out and "lower" not in out


# --- data ----------------------------------------------------------------------------------------

def test_data_info_old_out_flag_still_works_with_a_note(prepared_root, capsys):
    code, out, err = run_cli(["data", "info", "--out", str(prepared_root)], capsys)
    assert code == 0 and '"cells": 944' in out
    assert err.strip() == "gsdrp: note: --out is now --prepared"


def test_debug_shows_the_traceback_of_a_user_error(tmp_path, monkeypatch):
    missing = ["predict", "--input", str(tmp_path / "x.csv"), "--output", str(tmp_path / "p.csv")]
    with pytest.raises(UserError, match="does not exist"):
        main(["--debug", *missing])
    monkeypatch.setenv("GSDRP_DEBUG", "1")
    with pytest.raises(UserError):
        main(missing)


def test_a_bug_is_never_turned_into_a_one_line_message(monkeypatch, prepared_root):
    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(commands, "data_info", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["data", "info", "--prepared", str(prepared_root)])


def test_sweeps_refuse_the_same_bad_values_before_any_trial(capsys):
    from gsdrp.tune.options import parse_options

    with pytest.raises(SystemExit) as exit_info:
        parse_options(["--max-epochs", "0"], "smoke sweep")
    assert exit_info.value.code == 2
    assert "max_epochs=0 is out of range: it must be >= 1" in capsys.readouterr().err


def test_a_usage_mistake_is_one_line_pointing_at_help(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", "--input", str(tmp_path / "pairs.csv")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "gsdrp predict: error: the following arguments are required: --output (see 'gsdrp predict --help')\n"
    )
    assert files_under(tmp_path) == set()


def test_mlflow_not_found_becomes_one_line_and_other_mlflow_errors_keep_their_traceback():
    from mlflow.exceptions import MlflowException

    from gsdrp.cli.app import user_message

    missing = MlflowException("Run with id=abc not found\nmore detail", error_code="RESOURCE_DOES_NOT_EXIST")
    assert user_message(missing) == "Run with id=abc not found more detail"
    assert user_message(MlflowException("database is locked", error_code="INTERNAL_ERROR")) is None
    assert user_message(KeyError("a bug")) is None


def test_a_sweep_refuses_a_bad_fix_before_any_trial(capsys):
    from gsdrp.tune.options import parse_options

    with pytest.raises(SystemExit) as exit_info:
        parse_options(["--fix", "model.dims=64"], "smoke sweep")
    assert exit_info.value.code == 2
    assert "--fix 'model.dims=64': expected model.<field>=VALUE" in capsys.readouterr().err
