#!/usr/bin/env bash
# The README's interpretation result: `gsdrp explain` on the registered champion (models:/gsdrp@champion,
# the best trial of the README's sweep) over its test pairs, or on the run id given as $1.
set -euo pipefail
cd "$(dirname "$0")/.."
run_id=${1:-$(.venv/bin/python -c "from gsdrp.tracking.store import use_tracking
print(use_tracking().get_model_version_by_alias('gsdrp', 'champion').run_id)")}
out=runs/explain-champion-test
.venv/bin/gsdrp explain --run "$run_id" --output-dir "$out"
copy=benchmarks/results/interpretation
cp "$out/report.md" "$copy/champion-random-report.md"
cp "$out/summary.json" "$copy/champion-random-summary.json"
