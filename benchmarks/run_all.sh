#!/usr/bin/env bash
# The benchmark's results (docs/benchmark.md), most informative fits first. Each call appends to its split's
# results.jsonl and resumes an interrupted run; every deep model trains to early stopping.
set -euo pipefail
cd "$(dirname "$0")/.."
bench() { .venv/bin/gsdrp benchmark "$@"; }
bench --split random --seeds 0 --screen on
bench --split cell_blind --seeds 0 --screen on
bench --split drug_blind --seeds 0 --screen on
bench --split tissue_blind --seeds 0 --screen on
bench --split cell_blind --seeds 0 1 2 --screen on
bench --split random --seeds 0 1 2 --screen on
bench --split drug_blind --seeds 0 1 2 --screen on
bench --split tissue_blind --seeds 0 1 2 --screen on
bench --split random --seeds 0 1 2 --screen off
.venv/bin/python -m benchmarks.pages   # the README's table at a glance, docs/benchmark.md and docs/figures/
