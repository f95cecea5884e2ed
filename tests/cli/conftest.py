"""A real sqlite tracking store holding one tiny sweep, built once per session (no Ray: the runs are
logged the way a trial logs them), and helpers to run ``gsdrp`` as a user would."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest

from gsdrp.cli import main
from gsdrp.config import DataConfig, ModelConfig, TrainConfig
from gsdrp.data.dataset import Dataset, load_dataset
from gsdrp.tracking.pyfunc import log_pyfunc
from gsdrp.tracking.registry import promote
from gsdrp.tracking.store import KIND, MODEL_URI, OUTCOME, experiment_id, use_tracking
from gsdrp.train.loop import Trainer, save_checkpoint
from gsdrp.train.run import write_config

EXPERIMENT = "tiny"


@dataclass(frozen=True)
class TrackedSweep:
    uri: str
    parent: str
    completed: str
    stopped: str


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """``gsdrp ARGS`` in this process: (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def files_under(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


@pytest.fixture(scope="session")
def tiny_data(prepared_root) -> Dataset:
    return load_dataset(DataConfig(), "random", "hallmark", out=prepared_root)


@pytest.fixture(scope="session")
def tiny_trainer(tiny_data) -> Trainer:
    """A full model of width 16 after one epoch on 1% of the training pairs (seconds)."""
    trainer = Trainer(tiny_data, ModelConfig(dim=16, heads=2), TrainConfig(max_epochs=1, train_fraction=0.01))
    trainer.fit()
    return trainer


@pytest.fixture(scope="session")
def tracked_sweep(tmp_path_factory, tiny_trainer) -> TrackedSweep:
    """Experiment ``tiny``: a parent run, a completed trial with a logged model (promoted to
    ``models:/gsdrp@champion``), and a trial the scheduler stopped early."""
    root = tmp_path_factory.mktemp("tracking")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = uri
    try:
        client = use_tracking(uri)
        experiment = experiment_id(client, EXPERIMENT)
        parent = client.create_run(experiment, run_name=f"sweep-{EXPERIMENT}", tags={KIND: "sweep"}).info.run_id
        with mlflow.start_run(experiment_id=experiment, parent_run_id=parent, tags={KIND: "trial"}) as run:
            folder = root / "trial"
            save_checkpoint(folder / "checkpoint.pt", tiny_trainer)
            write_config(folder / "config.json", tiny_trainer)
            mlflow.log_artifacts(str(folder))
            mlflow.set_tag(MODEL_URI, log_pyfunc(folder / "checkpoint.pt", tiny_trainer.data).model_uri)
            mlflow.log_metric("final_val_rmse", 2.0)
            mlflow.set_tag(OUTCOME, "completed")
        stopped = client.create_run(
            experiment, tags={KIND: "trial", "mlflow.parentRunId": parent, OUTCOME: "stopped_early_by_scheduler"}
        ).info.run_id
        client.set_terminated(stopped)
        client.set_terminated(parent)
        promote(EXPERIMENT)
    finally:
        if previous is None:
            os.environ.pop("MLFLOW_TRACKING_URI")
        else:
            os.environ["MLFLOW_TRACKING_URI"] = previous
    return TrackedSweep(uri, parent, run.info.run_id, stopped)


@pytest.fixture()
def tracking(tracked_sweep, monkeypatch) -> TrackedSweep:
    """The tiny sweep's store as this test's ``MLFLOW_TRACKING_URI``."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracked_sweep.uri)
    return tracked_sweep
