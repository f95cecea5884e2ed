"""One training run written to a folder: metrics, per-epoch history, test predictions, checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gsdrp.baselines.naive import NaivePredictor
from gsdrp.config import DataConfig, ModelConfig, TrainConfig, to_flat_dict
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.train.loop import Trainer, save_checkpoint
from gsdrp.train.metrics import regression_metrics


def train_run(
    data_config: DataConfig, model_config: ModelConfig, train_config: TrainConfig, out: Path, prepared: Path = DEFAULT_OUT
) -> Path:
    folder = out / f"{model_config.variant}-{train_config.split}-seed{train_config.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    data = load_dataset(data_config, train_config.split, train_config.collection, out=prepared)
    trainer = Trainer(data, model_config, train_config)
    result = trainer.fit(callback=lambda r: print(json.dumps({"epoch": r.epoch, **r.metrics}), flush=True))
    reference = NaivePredictor("mean_effects", model_config.screen_covariate)
    reference.fit(data)
    metrics = {"best_epoch": result.best_epoch}
    predictions = {}
    for part in ("val", "test"):
        rows = data.rows(part)
        predictions[part] = trainer.predict(rows).prediction
        scores = regression_metrics(data.y[rows], predictions[part], data.drug_idx[rows], reference.predict(data, rows))
        metrics.update({f"{part}_{k}": v for k, v in scores.items()})
    test = data.rows("test")
    pd.DataFrame(
        {
            "cell": [data.cells[i] for i in data.cell_idx[test]],
            "drug": [data.drugs[i] for i in data.drug_idx[test]],
            "gdsc2": data.gdsc2[test],
            "ln_ic50": data.y[test],
            "prediction": predictions["test"],
        }
    ).to_parquet(folder / "predictions.parquet", index=False)
    save_checkpoint(folder / "checkpoint.pt", trainer)
    (folder / "history.json").write_text(json.dumps(result.history, indent=1))
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (folder / "config.json").write_text(
        json.dumps({"data": to_flat_dict(data_config), "model": to_flat_dict(model_config), "train": to_flat_dict(train_config)}, indent=2)
    )
    return folder
