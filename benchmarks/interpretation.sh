#!/usr/bin/env bash
# The README's interpretation result: a 20-epoch full model on the random split, explained on its test pairs.
set -euo pipefail
cd "$(dirname "$0")/.."
run=runs/full-random-seed0
.venv/bin/gsdrp train --variant full --split random --seed 0 --max-epochs 20 --patience 3 --out runs
.venv/bin/gsdrp explain --run "$run"
copy=benchmarks/results/interpretation
cp "$run/metrics.json" "$copy/full-random-seed0-metrics.json"
cp "$run/explain-test/report.md" "$copy/full-random-seed0-report.md"
cp "$run/explain-test/summary.json" "$copy/full-random-seed0-summary.json"
