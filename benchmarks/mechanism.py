"""Why the gates shut: the full model trained with one change at a time, each arm then explained with controls.

Arms (docs/interpretation.md): the paper's loss; no sparsity term (alpha = 0); the gates held open by a
logit prior; the sparsity term warmed up; the cell reaching the head only through the gated tokens
(``cell_path=tokens``), alone and with the gates open; and the baseline variant (no gene-set path) for
accuracy. Every arm trains one model per seed with ``gsdrp train``'s code and is then run through
``gsdrp explain`` on the test part (hits over the drugs whose target pathway maps to a Hallmark set,
chance, permutation p, the shuffled-label and untrained controls, top-10 concentration). Nothing in
training or early stopping reads that mapping.

One JSON per arm and seed under ``benchmarks/results/mechanism/<split>/`` (per-epoch history with gate
mean/SD, attention entropy and gradient norms, test metrics, explain summary); arms already there are
skipped, so an interrupted run resumes, and a trained arm whose JSON is deleted is explained again
without training.

    python benchmarks/mechanism.py [--split cell_blind] [--arms paper alpha0 ...] [--seeds 0] [--max-epochs 20]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from gsdrp.config import DataConfig, ModelConfig, TrainConfig, to_flat_dict
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.explain.report import explain
from gsdrp.train.run import run_folder, train_run

RESULTS = Path(__file__).resolve().parent / "results" / "mechanism"
PAPER = ModelConfig(variant="full")
ARMS = {
    "paper": PAPER,
    "alpha0": replace(PAPER, alpha_sparsity=0.0),
    "gate_open": replace(PAPER, gate_prior=2.0),
    "l1_warmup": replace(PAPER, alpha_warmup_epochs=5.0),
    "tokens_only": replace(PAPER, cell_path="tokens"),
    "tokens_only_open": replace(PAPER, cell_path="tokens", gate_prior=2.0, alpha_sparsity=0.0),
    "baseline": replace(PAPER, variant="baseline"),
}


def run_arm(arm: str, split: str, seed: int, max_epochs: int, runs: Path, prepared: Path) -> dict:
    model = ARMS[arm]
    train = TrainConfig(split=split, seed=seed, max_epochs=max_epochs)
    started = time.process_time()
    folder = run_folder(runs / arm, model, train)
    if not (folder / "metrics.json").is_file():  # a trained arm is only explained again
        folder = train_run(DataConfig(), model, train, runs / arm, prepared)
    result = {
        "arm": arm, "split": split, "seed": seed, "date": date.today().isoformat(),
        "model": to_flat_dict(model), "train": to_flat_dict(train),
        "metrics": json.loads((folder / "metrics.json").read_text()),
        "history": json.loads((folder / "history.json").read_text()),
    }
    if model.uses_gene_sets:
        report = explain(str(folder), "test", folder / "explain-test", prepared)
        result["explain"] = json.loads((report.parent / "summary.json").read_text())
    result["cpu_seconds"] = time.process_time() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="cell_blind")
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--runs", type=Path, default=Path("runs/mechanism"))
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    out = RESULTS / args.split
    out.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        for arm in args.arms:
            target = out / f"{arm}-seed{seed}.json"
            if target.exists():
                continue
            result = run_arm(arm, args.split, seed, args.max_epochs, args.runs / args.split / f"seed{seed}", args.prepared)
            target.write_text(json.dumps(result, indent=1))
            last = result["history"][-1]
            hits = result.get("explain", {}).get("target_pathways", {})
            print(
                f"{arm} seed {seed}: test RMSE {result['metrics']['test_rmse']:.3f}, "
                f"gate mean {last.get('train_gate_mean', float('nan')):.3f}, target-pathway hits {hits.get('hits', '-')} "
                f"(chance {hits.get('expected_hits_by_chance', float('nan')):.1f}, p {hits.get('permutation_p_value', float('nan')):.3f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
