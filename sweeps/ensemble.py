"""Register a blend: fit one ensemble of the zoo (``gsdrp/zoo.py``, e.g. the random split's tuned matrix
factorisation beside the champion preset) on its split through the same runner, trainable and MLflow
tracking as the sweeps, log it as one pyfunc (the mean of its fits), and move the split's alias to it if it
beats the model there on validation RMSE, so ``gsdrp predict`` answers that question with it.

    python sweeps/ensemble.py --model ensemble_matrix_factorisation_tuned_champion --split random [--seed 0]

``--seed`` is the ensemble's seed (its fits use the benchmark's member seeds). The MLflow experiment is
``ensemble-<model>-<split>`` unless ``--name`` says otherwise; every other flag is a sweep flag
(``--num-samples`` aside: it is one fit).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from gsdrp import zoo
from gsdrp.config import TrainConfig
from gsdrp.tracking.routing import print_promotion
from gsdrp.tune.baseline_trainable import MODEL_KEY, train_baseline_trial
from gsdrp.tune.options import parse_options
from gsdrp.tune.runner import run_sweep


def main(argv: list[str] | None = None):
    chooser = argparse.ArgumentParser(prog="sweeps/ensemble.py", add_help=False)
    chooser.add_argument("--model", choices=sorted(zoo.ENSEMBLES))
    known, rest = chooser.parse_known_args(argv)
    # one fit, no search: a grid of one point, no scheduler; deep members train as the benchmark's do
    options = parse_options(rest, __doc__, name="ensemble", num_samples=1, max_concurrent=1, max_epochs=TrainConfig().max_epochs, search="grid")
    if known.model is None:
        chooser.error(f"--model is required, one of: {', '.join(sorted(zoo.ENSEMBLES))}")
    if options.name == "ensemble":
        options = replace(options, name=f"ensemble-{known.model}-{options.split}")
    collection = zoo.build(known.model, True).collection or "hallmark"
    space = {MODEL_KEY: known.model, "train.collection": collection, "train.seed": options.seed}
    results = run_sweep(space, replace(options, num_samples=1), trainable=train_baseline_trial)
    print_promotion(options.name, options.split)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
