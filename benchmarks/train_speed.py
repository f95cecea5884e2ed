"""Print seconds per epoch and pairs per second for GS-ChemDRP on the full random split.

Frozen encoder (cached embeddings); one timed epoch per device after a warm-up of a few steps.
Target (issue 3): at most 60 s per epoch on 2 CPU cores. Run: ``python benchmarks/train_speed.py [--dim 64 128]``.
"""

from __future__ import annotations

import argparse
import time

import torch

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.train.loop import Trainer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dim", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--variant", default="full")
    args = parser.parse_args()
    data = load_dataset()
    pairs = len(data.rows("train"))
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"train pairs: {pairs:,}; torch threads: {torch.get_num_threads()}")
    for device in devices:
        for dim in args.dim:
            config = TrainConfig(max_epochs=1, patience=1, device=device)
            trainer = Trainer(data, ModelConfig(variant=args.variant, dim=dim), config)
            started = time.perf_counter()
            result = trainer.fit()
            total = time.perf_counter() - started
            train_seconds = result.history[0]["epoch_seconds"]
            print(
                f"{device} {args.variant} dim={dim}: {train_seconds:.1f} s/epoch (train + validation pass), "
                f"{pairs / train_seconds:,.0f} pairs/s; wall {total:.1f} s"
            )


if __name__ == "__main__":
    main()
