"""The paper's ablation: the four variants x seeds, a grid (no early stopping), default hyperparameters.

    python sweeps/ablation.py --num-samples 1   # one trial per (variant, seed) grid point
"""

from __future__ import annotations

import sys

from ray import tune

from gsdrp.config import VARIANTS
from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep

SPACE = {"model.variant": tune.grid_search(list(VARIANTS)), "train.seed": tune.grid_search([0, 1, 2])}


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="ablation", num_samples=1, max_epochs=30, search="grid")
    return run_sweep(SPACE, options)


if __name__ == "__main__":
    main(sys.argv[1:])
