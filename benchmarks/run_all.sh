#!/usr/bin/env bash
# The README's benchmark tables (each call appends to results.jsonl; an interrupted call resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
bench() { .venv/bin/gsdrp benchmark --max-epochs 8 --patience 3 "$@"; }
bench --split random --seeds 0 1 2 --screen on off
bench --split cell_blind --seeds 0 --screen on
bench --split drug_blind --seeds 0 --screen on
bench --split tissue_blind --seeds 0 --screen on
