#!/usr/bin/env bash
# The README's benchmark tables, in the order they were run (each call appends; an interrupted call resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
bench() { .venv/bin/gsdrp benchmark --max-epochs 8 --patience 3 "$@"; }
bench --split random --seeds 0 --screen on
bench --split random --seeds 0 --screen off
bench --split cell_blind --seeds 0 --screen on
bench --split drug_blind --seeds 0 --screen on
bench --split random --seeds 1 2 --screen on
bench --split random --seeds 1 2 --screen off
