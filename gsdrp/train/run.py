"""One training run written to a folder: metrics, per-epoch history, test predictions, checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.baselines.naive import NaiveConfig, NaiveModel
from gsdrp.config import DataConfig, ModelConfig, TrainConfig, to_flat_dict
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.metrics import regression_metrics
from gsdrp.train.loop import Predictions, Trainer, save_checkpoint


def evaluate_trained(trainer: Trainer) -> tuple[dict[str, float], Predictions]:
    """``val_*`` and ``test_*`` metrics (PCC vs mean effects included) and the test predictions with weights."""
    data = trainer.data
    reference = NaiveModel(NaiveConfig("mean_effects"), trainer.model_config.screen_covariate)
    reference.fit(data)
    metrics = {}
    for part in ("val", "test"):
        rows = data.rows(part)
        out = trainer.predict(rows, keep_weights=part == "test")
        scores = regression_metrics(data.y[rows], out.prediction, data.drug_idx[rows], reference.predict(data, rows))
        metrics.update({f"{part}_{k}": v for k, v in scores.items()})
    return metrics, out


def predictions_table(trainer: Trainer, prediction: np.ndarray) -> pd.DataFrame:
    """The test rows with their predictions (and, for identity models, which path each used)."""
    data, test = trainer.data, trainer.data.rows("test")
    table = pd.DataFrame(
        {
            "cell": np.array(data.cells)[data.cell_idx[test]],
            "drug": np.array(data.drugs)[data.drug_idx[test]],
            "gdsc2": data.gdsc2[test],
            "ln_ic50": data.y[test],
            "prediction": prediction,
        }
    )
    path = trainer.identity_path(test)
    if path is not None:
        table["path"] = path
    return table


def write_config(path: Path, trainer: Trainer) -> None:
    """The trainer's data, model and train configs as flat dicts: what ``gsdrp explain`` rebuilds a model from."""
    configs = {
        "data": to_flat_dict(trainer.data.config),
        "model": to_flat_dict(trainer.model_config),
        "train": to_flat_dict(trainer.config),
    }
    path.write_text(json.dumps(configs, indent=2))


def run_folder(out: Path, model_config: ModelConfig, train_config: TrainConfig) -> Path:
    """Where ``train_run`` writes a run under ``out``: ``<variant>-<split>-seed<seed>``."""
    return out / f"{model_config.variant}-{train_config.split}-seed{train_config.seed}"


def train_run(
    data_config: DataConfig,
    model_config: ModelConfig,
    train_config: TrainConfig,
    out: Path,
    prepared: Path = DEFAULT_OUT,
    raw: Path | None = None,
) -> Path:
    """Train one model and write its run folder; ``raw`` is read only if the prepared cache is missing."""
    folder = run_folder(out, model_config, train_config)
    folder.mkdir(parents=True, exist_ok=True)
    data = load_dataset(data_config, train_config.split, train_config.collection, out=prepared, raw=raw)
    trainer = Trainer(data, model_config, train_config)
    result = trainer.fit(callback=lambda r: print(json.dumps({"epoch": r.epoch, **r.metrics}), flush=True))
    scores, test_output = evaluate_trained(trainer)
    metrics = {"best_epoch": result.best_epoch, **scores}
    predictions_table(trainer, test_output.prediction).to_parquet(folder / "predictions.parquet", index=False)
    save_checkpoint(folder / "checkpoint.pt", trainer)
    (folder / "history.json").write_text(json.dumps(result.history, indent=1))
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
    write_config(folder / "config.json", trainer)
    return folder
