"""The gene-set path's own search: the full model with the options that can open the gates (gate prior,
warm-up of the sparsity term, cell information only through the gated tokens, token dropout, attention
temperature) beside the paper's loss weights, Hallmark vs GO, width and learning rate. Every epoch logs
the gate mean and SD, attention entropy and the gradient norms reaching the gate and token parameters.

Nothing here reads the mapping from TARGET_PATHWAY to gene sets that ``gsdrp explain`` scores the
attention against: trials are selected on validation RMSE alone (docs/interpretation.md).

    python sweeps/mechanism.py --split cell_blind [--num-samples 16] [--max-epochs 15] [--resume]
"""

from __future__ import annotations

import sys

from ray import tune

from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep
from gsdrp.tune.space import GENE_SETS, LOSS_WEIGHTS, MECHANISM

SPACE = {
    **LOSS_WEIGHTS,
    **GENE_SETS,
    **MECHANISM,
    "model.variant": "full",
    "model.dim": tune.choice([64, 128]),
    "model.heads": tune.choice([2, 4]),
    "model.dropout": tune.uniform(0.0, 0.3),
    "model.residual_gate": tune.choice([False, True]),
    "train.lr": tune.loguniform(1e-3, 1e-2),
}


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="mechanism", num_samples=16, max_epochs=15, grace_period=3)
    return run_sweep(SPACE, options)


if __name__ == "__main__":
    main(sys.argv[1:])
