"""The command line, run as a user would (in-process, on the session's prepared real data)."""

from __future__ import annotations

import json

import pytest
import torch

from gsdrp.cli import main
from gsdrp.config import DataConfig


def test_data_info_prints_the_summary(prepared_root, capsys):
    main(["data", "info", "--prepared", str(prepared_root)])
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["cells"] == 944
    assert isinstance(summary["dropped"]["drugs"], int)


def test_data_info_without_cache_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no prepared data at .* run `gsdrp data prepare` first"):
        main(["data", "info", "--prepared", str(tmp_path)])


def test_train_writes_a_complete_run_folder(prepared_root, tmp_path, capsys):
    main([
        "train", "--variant", "full", "--split", "random", "--seed", "0", "--prepared", str(prepared_root),
        "--runs", str(tmp_path), "--max-epochs", "1", "--train-fraction", "0.01",
        "--raw", str(tmp_path / "no-such-folder"),  # read only when the cache is missing
    ])
    folder = tmp_path / "full-random-seed0"
    assert {p.name for p in folder.iterdir()} == {
        "metrics.json", "history.json", "predictions.parquet", "checkpoint.pt", "config.json"
    }
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["best_epoch"] == 1 and 0 < metrics["test_rmse"] < 3.5
    assert "test_pcc_vs_mean_effects" in metrics and "test_mean_drug_pcc" in metrics
    state = torch.load(folder / "checkpoint.pt", weights_only=True)
    assert state["model_config"]["variant"] == "full"


def test_train_builds_a_missing_cache_from_raw(raw_dir, tmp_path):
    prepared = tmp_path / "prepared"
    main([
        "train", "--variant", "baseline", "--raw", str(raw_dir), "--prepared", str(prepared),
        "--runs", str(tmp_path / "runs"), "--max-epochs", "1", "--train-fraction", "0.01",
    ])
    assert (prepared / DataConfig().cache_name / "summary.json").is_file()
    assert (tmp_path / "runs" / "baseline-random-seed0" / "metrics.json").is_file()
