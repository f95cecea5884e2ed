"""Paste a cross-split summary and every split's ``benchmarks/results/<split>/table.md`` into the
README's Results section.

The tables go between the two marker lines below; the prose around them is written by hand.

    python benchmarks/readme_results.py
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from gsdrp.zoo import MODELS

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- benchmark tables (python benchmarks/readme_results.py) -->"
END = "<!-- end of benchmark tables -->"
SPLITS = {"random": "random split", "cell_blind": "cell-blind split", "drug_blind": "drug-blind split",
          "tissue_blind": "tissue-blind split"}


def screen_on_rows() -> dict[str, dict[str, dict]]:
    """Each split's table rows with the screen covariate on, by model."""
    rows: dict[str, dict[str, dict]] = {}
    for split in SPLITS:
        table = ROOT / "benchmarks" / "results" / split / "table.json"
        for row in json.loads(table.read_text()) if table.is_file() else []:
            if row["screen"]:
                rows.setdefault(row["model"], {})[split] = row
    return rows


def split_table(title: str, models: list[str], cell: Callable[[str, str], str | None]) -> str:
    """A markdown table with one row per model and one column per split; ``cell`` None shows as –."""
    lines = [title, "", "| model | " + " | ".join(SPLITS.values()) + " |", "|---|" + "---|" * len(SPLITS)]
    for model in models:
        lines.append(f"| {model} | " + " | ".join(cell(model, split) or "–" for split in SPLITS) + " |")
    return "\n".join(lines)


def glance(rows: dict[str, dict[str, dict]]) -> str:
    """Test RMSE of every model on every split (screen covariate on), mean ± SD (seeds)."""
    def cell(model: str, split: str) -> str | None:
        row = rows[model].get(split)
        if row is None:
            return None
        sd = f" ± {row['rmse_std']:.3f}" if row["seeds"] > 1 else ""
        return f"{row['rmse']:.3f}{sd} ({row['seeds']})"

    return split_table(
        "#### Test RMSE at a glance (screen covariate on; mean ± SD over seeds, number of seeds in brackets)",
        [m for m in MODELS if m in rows], cell)


def gaps_to_xgboost(rows: dict[str, dict[str, dict]]) -> str:
    """Each learned model's test RMSE minus XGBoost's, ± the two seed SDs combined (√(s₁² + s₂²))."""
    reference = rows.get("xgboost", {})

    def cell(model: str, split: str) -> str | None:
        row, ref = rows[model].get(split), reference.get(split)
        if row is None or ref is None:
            return None
        both_seeded = row["seeds"] > 1 and ref["seeds"] > 1
        sd = f" ± {(row['rmse_std'] ** 2 + ref['rmse_std'] ** 2) ** 0.5:.3f}" if both_seeded else ""
        return f"{row['rmse'] - ref['rmse']:+.3f}{sd}"

    return split_table(
        "#### Gap to XGBoost (test RMSE minus XGBoost's; negative is better; ± combines both models' seed SDs)",
        [m for m in MODELS if m in rows and m != "xgboost" and not m.startswith("naive_")], cell)


def tables() -> str:
    rows = screen_on_rows()
    parts = [glance(rows), gaps_to_xgboost(rows)]
    for split, label in SPLITS.items():
        table = ROOT / "benchmarks" / "results" / split / "table.md"
        if table.is_file():
            text = re.sub(r"^\*\*(.+)\*\*$", rf"#### {label}, \1", table.read_text().strip(), flags=re.MULTILINE)
            parts.append(text)
    return "\n\n".join(parts)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    if text.count(START) != 1 or text.count(END) != 1:
        raise SystemExit(f"README.md needs one {START!r} line and one {END!r} line")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    readme.write_text(f"{head}{START}\n\n{tables()}\n\n{END}{tail}")
    print(f"updated {readme}")


if __name__ == "__main__":
    main()
