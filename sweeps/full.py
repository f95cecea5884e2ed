"""The full search: loss weights, gate regularisation, attention heads, sizes, Hallmark vs GO, lr, batch
size, and the extensions beyond the paper (cell MLP inputs, fingerprints in z_d, identity embeddings,
the bilinear term).

On GPU nodes (``--gpus-per-trial`` > 0) it also searches frozen vs fine-tuned encoder.

    ray job submit --working-dir . -- python sweeps/full.py --gpus-per-trial 0.5 --num-samples 64
"""

from __future__ import annotations

import sys

from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep
from gsdrp.tune.space import ARCHITECTURE, EXTENSIONS, FINETUNE, GENE_SETS, LOSS_WEIGHTS, OPTIMISATION


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="full", num_samples=32, max_epochs=30, grace_period=3)
    space = {**LOSS_WEIGHTS, **ARCHITECTURE, **OPTIMISATION, **GENE_SETS, **EXTENSIONS, "model.variant": "full"}
    if options.gpus_per_trial > 0:
        space.update(FINETUNE)
    return run_sweep(space, options)


if __name__ == "__main__":
    main(sys.argv[1:])
