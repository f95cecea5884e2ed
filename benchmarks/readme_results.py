"""Paste a cross-split summary and every split's ``benchmarks/results/<split>/table.md`` into the
README's Results section.

The tables go between the two marker lines below; the prose around them is written by hand.

    python benchmarks/readme_results.py
"""

from __future__ import annotations

import json
import re
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


def glance(rows: dict[str, dict[str, dict]]) -> str:
    """Test RMSE of every model on every split (screen covariate on), mean ± SD (seeds)."""
    def cell(row: dict) -> str:
        sd = f" ± {row['rmse_std']:.3f}" if row["seeds"] > 1 else ""
        return f"{row['rmse']:.3f}{sd} ({row['seeds']})"

    lines = [
        "#### Test RMSE at a glance (screen covariate on; mean ± SD over seeds, number of seeds in brackets)",
        "",
        "| model | " + " | ".join(SPLITS.values()) + " |",
        "|---|" + "---|" * len(SPLITS),
    ]
    for model in (m for m in MODELS if m in rows):
        lines.append(f"| {model} | " + " | ".join(
            cell(rows[model][split]) if split in rows[model] else "–" for split in SPLITS) + " |")
    return "\n".join(lines)


def gaps_to_xgboost(rows: dict[str, dict[str, dict]]) -> str:
    """Each learned model's test RMSE minus XGBoost's, ± the two seed SDs combined (√(s₁² + s₂²))."""
    def cell(row: dict, reference: dict) -> str:
        gap = row["rmse"] - reference["rmse"]
        both_seeded = row["seeds"] > 1 and reference["seeds"] > 1
        sd = f" ± {(row['rmse_std'] ** 2 + reference['rmse_std'] ** 2) ** 0.5:.3f}" if both_seeded else ""
        return f"{gap:+.3f}{sd}"

    reference = rows.get("xgboost", {})
    lines = [
        "#### Gap to XGBoost (test RMSE minus XGBoost's; negative is better; ± combines both models' seed SDs)",
        "",
        "| model | " + " | ".join(SPLITS.values()) + " |",
        "|---|" + "---|" * len(SPLITS),
    ]
    for model in (m for m in MODELS if m in rows and m != "xgboost" and not m.startswith("naive_")):
        lines.append(f"| {model} | " + " | ".join(
            cell(rows[model][split], reference[split]) if split in rows[model] and split in reference else "–"
            for split in SPLITS) + " |")
    return "\n".join(lines)


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
