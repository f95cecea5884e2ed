"""Paste every split's ``benchmarks/results/<split>/table.md`` into the README's Results section.

The tables go between the two marker lines below; the prose around them is written by hand.

    python benchmarks/readme_results.py
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- benchmark tables (python benchmarks/readme_results.py) -->"
END = "<!-- end of benchmark tables -->"
SPLITS = {"random": "random split", "cell_blind": "cell-blind split", "drug_blind": "drug-blind split",
          "tissue_blind": "tissue-blind split"}


def tables() -> str:
    parts = []
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
