"""The full search: loss weights, gate regularisation, attention heads, sizes, Hallmark vs GO, lr, batch
size, and the extensions beyond the paper (cell MLP inputs, fingerprints in z_d, identity embeddings,
the bilinear term).

On a blind split (``--split cell_blind``, ``tissue_blind`` or ``drug_blind``) it searches the space made
for unseen cell lines and drugs instead (``gsdrp.tune.space.BLIND``): cell and drug inputs, identity
terms only with dropout, weight decay and early stopping. The MLflow experiment is named per split.
The first trial is the split's shipped preset where one exists (``champion`` for the random split,
``champion-cell-blind`` ...), so a second round starts from the best configuration found so far. The
best trial is promoted to the split's alias (``models:/gsdrp@champion`` for the random split,
``@cell_blind``, ``@tissue_blind``, ``@drug_blind``), which ``gsdrp predict`` routes new cell lines and
drugs to; ``--num-samples 1`` trains and registers the shipped preset alone.

On GPU nodes (``--gpus-per-trial`` > 0) it also searches frozen vs fine-tuned encoder.

    ray job submit --working-dir . -- python sweeps/full.py --gpus-per-trial 0.5 --num-samples 64
"""

from __future__ import annotations

import sys
from dataclasses import replace

from gsdrp.presets import CHAMPIONS
from gsdrp.tracking.routing import print_promotion
from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep
from gsdrp.tune.space import ARCHITECTURE, BLIND, EXTENSIONS, FINETUNE, GENE_SETS, LOSS_WEIGHTS, OPTIMISATION, preset_point


def main(argv: list[str] | None = None):
    options = parse_options(argv, __doc__, name="full", num_samples=32, max_epochs=30, grace_period=3)
    if options.split == "random":
        space = {**LOSS_WEIGHTS, **ARCHITECTURE, **OPTIMISATION, **GENE_SETS, **EXTENSIONS, "model.variant": "full"}
    else:
        space = {**LOSS_WEIGHTS, **GENE_SETS, **BLIND}
        if options.name == "full":
            options = replace(options, name=f"full-{options.split}")
    if options.gpus_per_trial > 0:
        space.update(FINETUNE)
    points = [preset_point(CHAMPIONS[options.split], space)] if options.split in CHAMPIONS else None
    results = run_sweep(space, options, points_to_evaluate=points)
    print_promotion(options.name, options.split)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
