"""The main job (``make sweep``): a small real sweep, its champion promoted and used on real pairs, then the UI.

Every trial trains the full model (d = 64, 4 heads, batches of 8,192) on all training pairs of the
random split for a few epochs; the search varies the learning rate, dropout and the residual gate,
and ASHA stops weak trials after 3 epochs. Minutes on 2 CPU cores. The best trial becomes
``models:/gsdrp@champion`` if it beats the current champion on validation.

    python sweeps/champion.py [--num-samples 4] [--max-epochs 7] [--resume] ...
"""

from __future__ import annotations

import sys

from ray import tune

from gsdrp.data.dataset import load_dataset
from gsdrp.tracking.lookup import TrackingError
from gsdrp.tracking.registry import ALIAS, MODEL_NAME, promote
from gsdrp.tracking.showcase import champion_predictions
from gsdrp.tracking.store import experiment_id, tracking_uri, use_tracking
from gsdrp.tracking.ui import ui_instructions
from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep

SPACE = {
    "model.variant": "full",
    "model.dim": 64,
    "model.heads": 4,
    "model.dropout": tune.uniform(0.0, 0.2),
    "model.residual_gate": tune.choice([False, True]),
    "train.lr": tune.loguniform(3e-3, 1.2e-2),
    "train.batch_size": 8192,
    "train.collection": "hallmark",
}


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="champion", num_samples=4, max_epochs=7, grace_period=3)
    data = load_dataset(options.data, options.split, SPACE["train.collection"], out=options.prepared, raw=options.raw)
    print(
        f"Sweep {options.name!r}: {options.num_samples} trials x at most {options.max_epochs} epochs of the full model "
        f"(d = 64) on all {len(data.rows('train')):,} training pairs of the {options.split} split, "
        f"{options.max_concurrent} at a time; validation on {len(data.rows('val')):,} pairs."
    )
    results = run_sweep(SPACE, options)
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
    print("\n" + ui_instructions(tracking_uri(), experiment_id(use_tracking(), options.name)))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
