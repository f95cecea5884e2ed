"""A few short trials on a 2% subsample of training pairs: minutes on 2 CPU cores. Checks the whole system.

    python sweeps/smoke.py [--num-samples 4] [--resume] ...
"""

from __future__ import annotations

import sys

from ray import tune

from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep
from gsdrp.tune.space import LOSS_WEIGHTS

SPACE = {
    **LOSS_WEIGHTS,
    "model.heads": tune.choice([2, 4]),
    "model.dim": tune.choice([16, 32]),
    "model.residual_gate": tune.choice([False, True]),
    "train.lr": tune.loguniform(1e-3, 1e-2),
    "train.train_fraction": 0.02,
    "train.collection": "hallmark",
}


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="smoke", num_samples=4, max_epochs=3, grace_period=1)
    return run_sweep(SPACE, options)


if __name__ == "__main__":
    main(sys.argv[1:])
