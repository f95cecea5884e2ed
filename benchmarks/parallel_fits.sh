#!/usr/bin/env bash
# Benchmark fits in parallel, for a node with a GPU and many cores: one `gsdrp benchmark` process per
# line of JOBS ("split screen seed model"), each into its own results root, so no two processes write
# one results.jsonl; after the last fit (or LIMIT seconds) the rows are merged into OUT/<split>.jsonl,
# and the learning curves into OUT/curves.tar.gz; `python benchmarks/merge_fits.py OUT` adds them to benchmarks/results/.
# Each row records the machine it ran on, and the tables keep wall times from one machine apart.
# usage: benchmarks/parallel_fits.sh JOBS OUT [WORKERS=8] [LIMIT=3600] [PYTHON=python3]
set -uo pipefail
jobs=$1 out=$2 workers=${3:-8} limit=${4:-3600}
export PYTHON=${5:-python3} WORK=$(mktemp -d) OMP_NUM_THREADS=$(( $(nproc) / workers > 0 ? $(nproc) / workers : 1 ))
fit() {
    local name="$1-$2-$3-$4"
    "$PYTHON" -m gsdrp.cli benchmark --split "$1" --screen "$2" --seeds "$3" --models "$4" --results "$WORK/$name" \
        > "$WORK/$name.log" 2>&1 && grep -h "rmse" "$WORK/$name.log" | grep "^$1 screen" || tail -3 "$WORK/$name.log"
}
export -f fit
timeout "$limit" xargs -P "$workers" -L 1 bash -c 'fit "$@"' _ < "$jobs"
mkdir -p "$out"
for folder in "$WORK"/*/*/; do
    split=$(basename "$folder")
    cat "$folder/results.jsonl" >> "$out/$split.jsonl" 2>/dev/null
done
(cd "$WORK" && tar czf "$out/curves.tar.gz" */*/curves *.log 2>/dev/null)
wc -l "$out"/*.jsonl
