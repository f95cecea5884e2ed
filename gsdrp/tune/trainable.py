"""The trainable of the GS-ChemDRP sweeps: train a model, report each epoch to Tune, track in MLflow.

The dataset arrives through Ray's object store (``tune.with_parameters``): concurrent trials on a
node read one shared copy. The trial's MLflow run (``trial_run``) nests under the sweep's parent run.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import mlflow
from ray import tune

from gsdrp.config import to_flat_dict
from gsdrp.data.dataset import Dataset
from gsdrp.explain.interpret import interpret
from gsdrp.explain.plots import learning_curves, parity
from gsdrp.explain.report import write_outputs
from gsdrp.tracking.pyfunc import log_pyfunc
from gsdrp.tracking.store import MODEL_URI
from gsdrp.train.loop import EpochReport, Trainer, read_checkpoint, save_checkpoint
from gsdrp.train.run import evaluate_trained, predictions_table, write_config
from gsdrp.tune.space import configs
from gsdrp.tune.trial_run import trial_run

CHECKPOINT_FILE = "checkpoint.pt"


def train_trial(config: dict, datasets: dict[str, Dataset], sweep: dict[str, str]) -> None:
    """Train the trial's model, reporting every epoch; ``sweep`` names its MLflow parent run (``trial_run``)."""
    model_config, train_config = configs(config)
    data = datasets[train_config.collection]
    with trial_run(sweep) as new:
        if new:
            mlflow.log_params({
                **to_flat_dict(data.config, "data."),
                **to_flat_dict(model_config, "model."),
                **to_flat_dict(train_config, "train."),
            })
        trainer = Trainer(data, model_config, train_config)
        _restore(trainer)
        result = trainer.fit(callback=lambda report: _report(report, trainer))
        _finish(trainer, result.history)


def _restore(trainer: Trainer) -> None:
    """Continue from the latest Tune checkpoint if the trial was restarted: weights, optimiser,
    scheduler, early-stopping state and history."""
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            trainer.load_state_dict(read_checkpoint(Path(folder) / CHECKPOINT_FILE, trainer.device)["trainer"])


def _report(report: EpochReport, trainer: Trainer) -> None:
    mlflow.log_metrics(report.metrics, step=report.epoch)
    with tempfile.TemporaryDirectory() as folder:
        save_checkpoint(Path(folder) / CHECKPOINT_FILE, trainer)
        tune.report({"epoch": report.epoch, **report.metrics}, checkpoint=tune.Checkpoint.from_directory(folder))


def _finish(trainer: Trainer, history: list[dict]) -> None:
    """Final validation/test metrics, artifacts and the pyfunc model of a trial that ran to the end."""
    data = trainer.data
    scores, out = evaluate_trained(trainer)
    final = {f"final_{k}": v for k, v in scores.items()}
    mlflow.log_metrics(final)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        test = data.rows("test")
        predictions_table(trainer, out.prediction).to_parquet(folder / "test_predictions.parquet", index=False)
        parity(data.y[test], out.prediction, folder / "parity.png", f"test RMSE {final['final_test_rmse']:.3f}")
        learning_curves(history, folder / "learning_curves.png")
        (folder / "history.json").write_text(json.dumps(history, indent=1))
        if out.attention is not None:
            interpretation = interpret(out.gates, out.attention, data.drug_idx[test], data.drugs, data.set_names)
            (folder / "interpretation").mkdir()
            write_outputs(interpretation, data, folder / "interpretation", "test")
        save_checkpoint(folder / CHECKPOINT_FILE, trainer)
        write_config(folder / "config.json", trainer)
        mlflow.log_artifacts(str(folder))
        info = log_pyfunc(folder / CHECKPOINT_FILE, data)
        mlflow.set_tag(MODEL_URI, info.model_uri)
