"""Print how long preparing the dataset from raw files and loading the cache take here.

Targets (issue 2): prepare under 2 minutes, load under 5 seconds. Run: ``python benchmarks/data_speed.py``.
"""

from __future__ import annotations

import os
import tempfile
import time

from gsdrp.config import DataConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import prepare
from gsdrp.data.raw import resolve_raw_dir


def main() -> None:
    raw = resolve_raw_dir()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        prepare(DataConfig(), raw, out)
        prepared = time.perf_counter() - start
        loads = []
        for _ in range(3):
            start = time.perf_counter()
            load_dataset(DataConfig(), "random", "hallmark", out=out)
            loads.append(time.perf_counter() - start)
    print(f"cores: {os.cpu_count()}")
    print(f"prepare from raw: {prepared:.1f} s (target < 120 s)")
    print(f"load cache (best of 3): {min(loads):.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
