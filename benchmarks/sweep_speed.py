"""Print trials per hour of the smoke sweep here, and the dataset memory of 1 vs 2 concurrent trials.

Memory: the driver puts the dataset into Ray's object store once; each "trial" (an actor that
does what the trainable does: get the dataset, build a Trainer on it) reports its private memory
(USS) and resident memory before and after. Shared, zero-copy arrays count in RSS but not in USS.
Run: ``python benchmarks/sweep_speed.py [--trials 4]`` (uses a throwaway MLflow store and storage).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import ray

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.tune.local_ray import start_local_ray

REPO = Path(__file__).resolve().parents[1]


@ray.remote(num_cpus=1)
class Trial:
    def measure(self, datasets) -> dict[str, float]:
        from gsdrp.train.loop import Trainer

        process = psutil.Process()
        before = process.memory_full_info()
        data = datasets["hallmark"]
        Trainer(data, ModelConfig(dim=16), TrainConfig(max_epochs=1))
        after = process.memory_full_info()
        return {"uss_mb": (after.uss - before.uss) / 2**20, "rss_mb": (after.rss - before.rss) / 2**20}


def memory(concurrent: int) -> list[dict[str, float]]:
    start_local_ray()  # loopback only, as make sweep runs it
    try:
        ref = ray.put({"hallmark": load_dataset()})
        trials = [Trial.remote() for _ in range(concurrent)]
        return ray.get([t.measure.remote(ref) for t in trials])
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=4)
    args = parser.parse_args()
    data = load_dataset()
    size = sum(v.nbytes for v in vars(data).values() if hasattr(v, "nbytes")) / 2**20
    print(f"dataset arrays: {size:.1f} MB (one copy in the object store per node)")
    for concurrent in (1, 2):
        rows = memory(concurrent)
        print(f"{concurrent} concurrent trial(s): per trial private memory +"
              + ", +".join(f"{r['uss_mb']:.0f} MB" for r in rows) + " (resident +"
              + ", +".join(f"{r['rss_mb']:.0f} MB" for r in rows) + ")")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp}/mlflow.db"}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(REPO / "sweeps" / "smoke.py"), "--storage", f"{tmp}/ray", "--num-samples", str(args.trials)],
            env=env, check=True, capture_output=True,
        )
        elapsed = time.perf_counter() - started
    print(f"smoke sweep: {args.trials} trials in {elapsed:.0f} s = {args.trials * 3600 / elapsed:.0f} trials/hour "
          f"({os.cpu_count()} cores, Ray start-up included)")


if __name__ == "__main__":
    main()
