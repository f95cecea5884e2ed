"""Seconds per epoch of GS-ChemDRP on the full random split, beside the per-pair reference.

For each width (``--configs dim:heads ...``), in a fresh process so peak memory is its own:

* one full epoch of the full model (``Trainer.fit``, frozen encoder): all training pairs plus the
  validation pass, and the baseline variant's epoch for comparison;
* training steps of the fast gene-set path and of the per-pair reference
  (``gsdrp.model.reference``) on the same batches with the same weights, interleaved, so their
  ratio means something on a noisy shared machine;
* prediction throughput (validation + test rows) and peak resident memory.

Where CUDA is present every figure is printed for the GPU too.

    python benchmarks/train_speed.py [--configs 64:4 128:4 256:8] [--batch-size N] [--steps 5]

``--profile`` prints torch.profiler's top operators for one step of the first config.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time

import numpy as np
import torch

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.model.losses import total_loss
from gsdrp.model.reference import per_pair
from gsdrp.train.loop import Trainer, cell_stratified_order


def step(trainer: Trainer, rows: torch.Tensor) -> None:
    """One forward + backward pass (no optimiser step: both paths must see the same weights)."""
    batch, drugs = trainer.batch(rows)
    output = trainer.model(batch)
    loss, _ = total_loss(output, trainer.y[rows], trainer.pathway[drugs], trainer.overlap, trainer.model_config)
    trainer.model.zero_grad(set_to_none=True)
    loss.backward()


def timed(fn, sync) -> float:
    started = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - started


def measure(dim: int, heads: int, batch_size: int, steps: int, device: str, profile: bool) -> dict:
    torch.manual_seed(0)
    data = load_dataset()
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    train_config = TrainConfig(max_epochs=1, patience=1, batch_size=batch_size, device=device)
    out = {}
    for variant in ("baseline", "full"):
        trainer = Trainer(data, ModelConfig(variant=variant, dim=dim, heads=heads), train_config)
        out[f"{variant}_epoch_s"] = trainer.fit().history[0]["epoch_seconds"]
    rows = torch.as_tensor(data.rows("train"), device=trainer.device)
    order = rows[cell_stratified_order(trainer.cell_idx[rows], torch.Generator().manual_seed(0)).to(rows.device)]
    batches = [order[i * batch_size : (i + 1) * batch_size] for i in range(steps + 1)]
    trainer.model.train()
    fast, reference = [], []
    for rows_of_step in batches:  # the first step of each path warms up and is not counted
        fast.append(timed(lambda: step(trainer, rows_of_step), sync))
        with per_pair(trainer.model):
            reference.append(timed(lambda: step(trainer, rows_of_step), sync))
    out["fast_step_ms"], out["reference_step_ms"] = 1e3 * np.median(fast[1:]), 1e3 * np.median(reference[1:])
    scoring = np.concatenate([data.rows("val"), data.rows("test")])
    out["predict_rows_per_s"] = len(scoring) / timed(lambda: trainer.predict(scoring), sync)
    out["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    if device.startswith("cuda"):
        out["peak_gpu_gib"] = torch.cuda.max_memory_allocated() / 2**30
    if profile:
        from torch.profiler import ProfilerActivity
        from torch.profiler import profile as profiler

        with profiler(activities=[ProfilerActivity.CPU]) as prof:
            step(trainer, batches[1])
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
    return {"train_pairs": len(rows), "steps_per_epoch": -(-len(rows) // batch_size), **out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", default=["64:4", "128:4", "256:8"], help="dim:heads pairs")
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--steps", type=int, default=5, help="timed steps per path for the ratio")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch_size}; frozen encoder")
    context = multiprocessing.get_context("spawn")
    for device in devices:
        for index, spec in enumerate(args.configs):
            dim, heads = map(int, spec.split(":"))
            with context.Pool(1) as pool:
                r = pool.apply(measure, (dim, heads, args.batch_size, args.steps, device, args.profile and index == 0))
            gpu = f", peak GPU {r['peak_gpu_gib']:.2f} GiB" if "peak_gpu_gib" in r else ""
            print(
                f"{device} d={dim} heads={heads}: full {r['full_epoch_s']:.1f} s/epoch "
                f"({r['train_pairs'] / r['full_epoch_s']:,.0f} pairs/s, train + validation), "
                f"baseline variant {r['baseline_epoch_s']:.1f} s/epoch; "
                f"step {r['fast_step_ms']:.0f} ms vs per-pair reference {r['reference_step_ms']:.0f} ms "
                f"(x{r['reference_step_ms'] / r['fast_step_ms']:.1f}); "
                f"predict {r['predict_rows_per_s']:,.0f} rows/s; peak RSS {r['peak_rss_gib']:.2f} GiB{gpu}",
                flush=True,
            )


if __name__ == "__main__":
    main()
