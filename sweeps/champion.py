"""The main job (``make sweep``): a small real sweep, its champion promoted and used on real pairs, then the UI.

Every trial trains the shipped preset's architecture (``gsdrp/presets/champion.json``: d = 128, cell MLP
on genes, identity embeddings, bilinear term) on all training pairs of the random split for a few
epochs, with a learning rate that decays to zero at the last epoch (the cosine schedule, made for a
short budget). The first trial is the preset itself; HyperOpt then varies the learning rate, dropout
and the residual gate around it, and ASHA stops weak trials after 3 epochs. Minutes on 2 CPU cores.
The best trial becomes ``models:/gsdrp@champion`` if it beats the current champion on validation.

    python sweeps/champion.py [--num-samples 4] [--max-epochs 7] [--resume] ...
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from ray import tune

from gsdrp.benchmark import combined_sd
from gsdrp.config import to_flat_dict
from gsdrp.data.dataset import load_dataset
from gsdrp.presets import champion_preset, preset, preset_model
from gsdrp.tracking.lookup import TrackingError
from gsdrp.tracking.registry import ALIAS, MODEL_NAME, promote
from gsdrp.tracking.routing import SPLIT_ALIASES
from gsdrp.tracking.showcase import champion_predictions
from gsdrp.tracking.store import experiment_id, tracking_uri, use_tracking
from gsdrp.tracking.ui import ui_instructions
from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep
from gsdrp.tune.space import preset_point
from gsdrp.zoo import TUNED_BASELINES, family

PRESET = champion_preset("random")
BASELINE_SWEEPS = ("xgboost", "random_forest", "mlp")  # the models sweeps/baselines.py fits and registers
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
QUESTIONS = {"random": "known cell line and drug", "cell_blind": "new cell line", "tissue_blind": "new tissue", "drug_blind": "new drug"}
SPACE = {
    **to_flat_dict(preset(PRESET)[0], "model."),
    "model.dropout": tune.uniform(0.05, 0.3),
    "model.residual_gate": tune.choice([False, True]),
    "train.lr": tune.loguniform(2e-3, 1e-2),
    "train.schedule": "cosine",
    "train.batch_size": 8192,
    "train.collection": "hallmark",
}


def beats(row: pd.Series, rival: pd.Series) -> bool:
    """Lower test RMSE than ``rival`` by more than both rows' seed SDs combined."""
    return row["rmse"] + combined_sd(row, rival) < rival["rmse"]


def preset_beside_baselines() -> str:
    """Each split's shipped preset in the committed benchmark (test RMSE, screen covariate on, mean ± SD over
    seeds) beside the best baseline, and which model answers which question: a blend (``gsdrp.ensemble``)
    where one ``beats`` the best baseline and the preset, else the better of those two."""
    lines = ["The shipped presets in the committed benchmark (test RMSE; docs/benchmark.md), and what to use:"]
    for split, question in QUESTIONS.items():
        name = champion_preset(split)
        table = pd.read_json(RESULTS / split / "table.json")
        table = table[table["screen"]]
        preset_row = table[table["model"] == preset_model(name)].iloc[0]
        rivals = table[table["model"].map(family).isin(("naive", "baseline"))]  # the baselines, tuned or not
        best = rivals.loc[rivals["rmse"].idxmin()]
        blends = table[table["model"].map(family) == "ensemble"]
        blend = blends.loc[blends["rmse"].idxmin()] if len(blends) else None
        alias = SPLIT_ALIASES[split]
        baseline = TUNED_BASELINES.get(best["model"], (best["model"],))[0]  # xgboost_tuned_cell_blind is xgboost
        if blend is not None and beats(blend, best) and blend["rmse"] < preset_row["rmse"]:
            use = (f"{blend['model']} {blend['rmse']:.3f} ± {blend['rmse_std']:.3f} (python sweeps/ensemble.py --model {blend['model']} "
                   f"--split {split} registers it as models:/{MODEL_NAME}@{alias})")
        elif preset_row["rmse"] < best["rmse"]:
            use = f"models:/{MODEL_NAME}@{alias}" + (
                f" (this sweep's short-budget version; gsdrp train --preset {name} trains it to early stopping)"
                if split == "random" else f" (python sweeps/full.py --split {split} --num-samples 1 registers it)"
            )
        elif baseline in BASELINE_SWEEPS and split != "random":
            use = f"{best['model']} (python sweeps/baselines.py --model {baseline} --split {split} --num-samples 1 registers it as models:/{MODEL_NAME}@{alias})"
        else:
            use = f"{best['model']} (gsdrp benchmark --split {split} --models {best['model']})"
        lines.append(
            f"  {question:<25} preset {name:<22} {preset_row['rmse']:.3f} ± {preset_row['rmse_std']:.3f}, "
            f"best baseline {best['model']} {best['rmse']:.3f} ± {best['rmse_std']:.3f}: use {use}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="champion", num_samples=4, max_epochs=7, grace_period=3)
    data = load_dataset(options.data, options.split, SPACE["train.collection"], out=options.prepared, raw=options.raw)
    print(
        f"Sweep {options.name!r}: {options.num_samples} trials x at most {options.max_epochs} epochs of the {PRESET!r} "
        f"preset's architecture, the preset itself first, on all {len(data.rows('train')):,} training pairs of the {options.split} split, "
        f"{options.max_concurrent} at a time; validation on {len(data.rows('val')):,} pairs."
    )
    results = run_sweep(SPACE, options, points_to_evaluate=[preset_point(PRESET, SPACE)])
    try:
        promotion = promote(options.name)
    except TrackingError as exc:  # e.g. every trial was stopped early or interrupted
        raise SystemExit(f"no champion: {exc}") from None
    moved = "now" if promotion.promoted else "stays at an earlier, better version; this sweep's best is"
    print(
        f"\nChampion: models:/{MODEL_NAME}@{ALIAS} {moved} version {promotion.version} "
        f"(run {promotion.run_id}, validation RMSE {promotion.val_rmse:.3f})."
    )
    print("Predicted by the champion on real pairs (ln IC50; part = the split part the pair belongs to):")
    table = champion_predictions(f"models:/{MODEL_NAME}@{ALIAS}", data)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print("\n" + preset_beside_baselines())
    print("\n" + ui_instructions(tracking_uri(), experiment_id(use_tracking(), options.name)))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
