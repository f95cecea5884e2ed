"""Print the README's side-by-side table of the blind splits from their ``table.json`` (screen covariate on).

Run after ``benchmarks/run_all.sh``: ``python benchmarks/blind_table.py [cell_blind drug_blind tissue_blind]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parent / "results"
COLUMNS = {"rmse": "RMSE", "pcc": "PCC", "mean_drug_pcc": "mean per-drug PCC"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("splits", nargs="*", default=["cell_blind", "drug_blind", "tissue_blind"])
    splits = [s for s in parser.parse_args().splits if (RESULTS / s / "table.json").is_file()]
    tables = {s: pd.read_json(RESULTS / s / "table.json").query("screen").set_index("model") for s in splits}
    header = [f"{split.replace('_', '-')} {name}" for split in splits for name in COLUMNS.values()]
    print("| model | " + " | ".join(header) + " |")
    print("|---" * (len(header) + 1) + "|")
    for model in tables[splits[0]].index:
        cells = [f"{tables[s].loc[model, column]:.3f}" for s in splits for column in COLUMNS]
        print(f"| {model} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
