#!/usr/bin/env bash
# The interpretation results (docs/interpretation.md): `gsdrp explain` on the registered champion (models:/gsdrp@champion,
# the best trial of the sweep in docs/sweeps.md) over its test pairs, or on the run given as $1 (a run folder or
# MLflow run id); the copies in benchmarks/results/interpretation/ are named $2 (default champion-random).
set -euo pipefail
cd "$(dirname "$0")/.."
run_id=${1:-$(.venv/bin/python -c "from gsdrp.tracking.store import use_tracking
print(use_tracking().get_model_version_by_alias('gsdrp', 'champion').run_id)")}
name=${2:-champion-random}
out=runs/explain-$name-test
.venv/bin/gsdrp explain --run "$run_id" --output-dir "$out"
copy=benchmarks/results/interpretation
cp "$out/report.md" "$copy/$name-report.md"
cp "$out/summary.json" "$copy/$name-summary.json"
