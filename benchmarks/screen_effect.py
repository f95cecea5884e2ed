"""Which GDSC2 offset each split's preset should use: the preset trained at seed 0 with every
``screen_effect`` (``global``: one number; ``drug``: a function of z_d; ``pair``: a second output of the
head; docs/model.md), chosen on validation RMSE. Test RMSE is recorded beside it and plays no part in
the choice; the benchmark then trains the chosen preset at 3 seeds.

One ``<preset>.json`` under ``benchmarks/results/screen_effect/`` holds the three runs and the effect that
validation chose; runs already trained under ``--runs`` are read, not trained again.

    python benchmarks/screen_effect.py [--presets champion-cell-blind champion-drug-blind ...]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from gsdrp.config import SCREEN_EFFECTS, DataConfig, TrainConfig, to_flat_dict
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.presets import CHAMPIONS, preset
from gsdrp.train.run import run_folder, train_run

RESULTS = Path(__file__).resolve().parent / "results" / "screen_effect"
SPLIT_OF = {name: split for split, name in CHAMPIONS.items()}


def run_effect(name: str, effect: str, runs: Path, prepared: Path) -> dict:
    model, train_fields = preset(name)
    model = replace(model, screen_effect=effect)
    train = replace(TrainConfig(split=SPLIT_OF[name], seed=0), **train_fields)
    folder = run_folder(runs / name / effect, model, train)
    if not (folder / "metrics.json").is_file():
        folder = train_run(DataConfig(), model, train, runs / name / effect, prepared)
    metrics = json.loads((folder / "metrics.json").read_text())
    return {
        "screen_effect": effect, "val_rmse": metrics["val_rmse"], "test_rmse": metrics["test_rmse"],
        "best_epoch": metrics["best_epoch"],
        "model": to_flat_dict(model), "train": to_flat_dict(train),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=[p for p in SPLIT_OF if p != "champion"], choices=list(SPLIT_OF))
    parser.add_argument("--runs", type=Path, default=Path("runs/screen_effect"))
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in args.presets:
        rows = [run_effect(name, effect, args.runs, args.prepared) for effect in SCREEN_EFFECTS]
        chosen = min(rows, key=lambda row: row["val_rmse"])["screen_effect"]
        record = {"preset": name, "split": SPLIT_OF[name], "seed": 0, "date": date.today().isoformat(), "chosen_by_validation": chosen, "runs": rows}
        (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=1))
        summary = ", ".join(f"{r['screen_effect']} {r['val_rmse']:.4f} / {r['test_rmse']:.4f}" for r in rows)
        print(f"{name} (val / test RMSE, seed 0): {summary}; validation chooses {chosen}", flush=True)


if __name__ == "__main__":
    main()
