"""The committed benchmark results, read back: each split's summary (``table.json``), the fits behind its
rows (``results.jsonl``) and their learning curves (``curves/``), written by ``gsdrp benchmark``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gsdrp.benchmark import curve_stem
from gsdrp.zoo import family, gs_family

RESULTS = Path(__file__).resolve().parent / "results"
SPLITS = {"random": "random", "cell_blind": "cell-blind", "drug_blind": "drug-blind", "tissue_blind": "tissue-blind"}


@dataclass(frozen=True)
class Split:
    name: str
    table: pd.DataFrame  # mean and SD over seeds per (screen, model), screen covariate on first
    fits: pd.DataFrame  # every results.jsonl row, with its settings hash
    header: str  # table.md's paragraphs above its tables: dates, machine, data, replicate noise
    noise_sd: float  # SD of GDSC2 - GDSC1 over pairs measured in both screens

    @property
    def label(self) -> str:
        return SPLITS[self.name]

    def row(self, model: str, screen: bool = True) -> pd.Series:
        found = self.table[(self.table["model"] == model) & (self.table["screen"] == screen)]
        return found.iloc[0]

    def best(self, kind: str) -> pd.Series | None:
        """The row with the lowest test RMSE (screen covariate on) of a kind: ``baseline`` (naive ones
        included), ``gs_chemdrp`` (GS-ChemDRP models and their ensembles) or ``blend`` (ensembles that
        average GS-ChemDRP with a baseline); None if the split has no such row."""
        on = self.table[self.table["screen"]]
        kinds = {
            "baseline": lambda m: family(m) in ("naive", "baseline"),
            "gs_chemdrp": gs_family,
            "blend": lambda m: family(m) == "ensemble" and not gs_family(m),
        }
        rows = on[on["model"].map(kinds[kind])]
        return rows.loc[rows["rmse"].idxmin()] if len(rows) else None

    def fits_of(self, model: str, screen: bool = True) -> pd.DataFrame:
        """The fits a table row summarises: the settings group of that model and screen mode with the row's
        number of seeds and mean RMSE (a model's older settings stay in results.jsonl but left the table)."""
        row = self.row(model, screen)
        mine = self.fits[(self.fits["model"] == model) & (self.fits["screen"] == screen)]
        for _, group in mine.groupby("settings"):
            if len(group) == row["seeds"] and abs(group["rmse"].mean() - row["rmse"]) < 1e-6:
                return group.sort_values("seed")
        raise ValueError(f"{self.name}: no fits of {model} (screen {screen}) match table.json")

    def dates(self, models: list[str]) -> str:
        """When the fits of these models' rows (screen covariate on) were made."""
        days = sorted({d for m in models for d in self.fits_of(m)["date"]})
        return days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"

    def curve(self, fit: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(json.loads((RESULTS / self.name / "curves" / f"{curve_stem(fit)}.json").read_text()))


def load(name: str) -> Split:
    folder = RESULTS / name
    table = pd.DataFrame(json.loads((folder / "table.json").read_text()))
    fits = pd.DataFrame([json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()])
    header = "\n\n".join((folder / "table.md").read_text().split("\n\n")[:2])
    return Split(name, table, fits, header, float(re.search(r"GDSC2 - GDSC1 .*, SD (\d+\.\d+)", header).group(1)))


def load_all() -> list[Split]:
    return [load(name) for name in SPLITS if (RESULTS / name / "table.json").is_file()]


def interpretation(name: str) -> tuple[dict, pd.DataFrame]:
    """``benchmarks/interpretation.sh``'s copies for one run: its summary, and the rank of each known set of
    the paper's ten drugs in that drug's attention ranking (from the report's table)."""
    folder = RESULTS / "interpretation"
    summary = json.loads((folder / f"{name}-summary.json").read_text())
    ranks = [
        {"drug": line.split("|")[1].strip(), "set": gene_set, "rank": int(rank)}
        for line in (folder / f"{name}-report.md").read_text().splitlines() if "(rank " in line
        for gene_set, rank in re.findall(r"(\w+) \(rank (\d+)\)", line)
    ]
    return summary, pd.DataFrame(ranks)


def sweep_records() -> list[dict]:
    """The committed sweeps (``benchmarks/sweep_results.py`` writes them), by split then name."""
    order = list(SPLITS)
    records = [json.loads(path.read_text()) for path in sorted((RESULTS / "sweeps").glob("*.json"))]
    return sorted(records, key=lambda r: (order.index(r["split"]) if r["split"] in order else len(order), r["experiment"]))


def mechanism_runs(split: str = "cell_blind") -> list[dict]:
    """``benchmarks/mechanism.py``'s runs on one split (one per arm and seed), in its arm order then by seed."""
    from benchmarks.mechanism import ARMS

    records = [json.loads(path.read_text()) for path in (RESULTS / "mechanism" / split).glob("*.json")]
    return sorted(records, key=lambda r: (list(ARMS).index(r["arm"]), r["seed"]))


def fold_selection_records() -> list[dict]:
    """``benchmarks/fold_selection.py``'s committed comparisons, one per sweep."""
    return [json.loads(path.read_text()) for path in sorted((RESULTS / "fold_selection").glob("*.json"))]


def screen_effect_records() -> list[dict]:
    """``benchmarks/screen_effect.py``'s choices, one per preset, by split."""
    order = list(SPLITS)
    records = [json.loads(path.read_text()) for path in (RESULTS / "screen_effect").glob("*.json")]
    return sorted(records, key=lambda r: order.index(r["split"]))
