"""Wall time of ``gsdrp predict`` as a user runs it, for 1 and 100,000 rows, against a registered model.

Trains a default-size full model for one epoch on 1% of the training pairs (the weights do not
change the cost), registers it in a scratch sqlite store, then times the command in a fresh
process per input. ``--before DIR`` also times another checkout's ``gsdrp`` package (e.g. from
``git archive <commit> gsdrp | tar -x -C DIR``) on the same model and inputs.

    python benchmarks/predict_speed.py [--rows 1 100000] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd

from gsdrp.config import DataConfig, ModelConfig, TrainConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.encoders.drug import models_dir
from gsdrp.tracking.pyfunc import log_pyfunc
from gsdrp.tracking.store import use_tracking
from gsdrp.train.loop import Trainer, save_checkpoint

MODEL_URI = "models:/gsdrp@champion"


def register_model(folder: Path, uri: str) -> None:
    data = load_dataset(DataConfig(), "random", "hallmark")
    trainer = Trainer(data, ModelConfig(), TrainConfig(max_epochs=1, train_fraction=0.01))
    trainer.fit()
    save_checkpoint(folder / "checkpoint.pt", trainer)
    client = use_tracking(uri)
    with mlflow.start_run():
        info = log_pyfunc(folder / "checkpoint.pt", data)
    version = mlflow.register_model(info.model_uri, "gsdrp")
    client.set_registered_model_alias("gsdrp", "champion", version.version)


def pairs(rows: int, seed: int = 0) -> pd.DataFrame:
    """Known cell lines x the dataset's drug SMILES, drawn at random; every third row names GDSC1."""
    data = load_dataset(DataConfig(), "random", "hallmark")
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "cell_line": rng.choice(data.cells, rows),
        "smiles": rng.choice(data.smiles, rows),
        "screen": np.where(np.arange(rows) % 3 == 0, "GDSC1", "GDSC2"),
    })


def timed_predict(source: Path, output: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``gsdrp predict`` process; CPU time is what a busy machine cannot inflate."""
    command = [str(Path(sys.executable).parent / "gsdrp"), "predict", "--model", MODEL_URI,
               "--input", str(source), "--output", str(output)]
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, env=env, cwd=source.parent, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 100_000])
    parser.add_argument("--before", metavar="DIR", help="folder holding another version's gsdrp package to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        uri = f"sqlite:///{folder / 'mlflow.db'}"
        os.environ["MLFLOW_TRACKING_URI"] = uri
        register_model(folder, uri)
        versions = {"now": dict(os.environ)}
        if args.before:  # the other checkout finds the encoder where this one does, never on the hub
            versions["before"] = {
                **os.environ, "PYTHONPATH": str(Path(args.before).resolve()), "GSDRP_MODELS": str(models_dir()),
                "HF_HUB_OFFLINE": "1",
            }
        for rows in args.rows:
            source = folder / f"pairs-{rows}.csv"
            pairs(rows).to_csv(source, index=False)
            for name, env in versions.items():
                wall, cpu = timed_predict(source, folder / f"preds-{name}-{rows}.csv", env)
                print(f"gsdrp predict, {rows:,} rows ({name}): {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)


if __name__ == "__main__":
    main()
