"""Raw files -> one prepared cache folder (parquet + JSON), written atomically.

Layout of ``<out>/<DataConfig.cache_name>/``:

* ``pairs.parquet``: one row per measurement: ``cell, drug, screen, ln_ic50`` and a
  ``split_<kind>`` column (train/val/test) for every split kind.
* ``cells.parquet`` (``cell, tissue``), ``drugs.parquet`` (``drug, smiles, pathway, target``).
* ``expression.parquet``: cells x Entrez genes (used by the classical baselines).
* ``activities_<collection>.parquet``: cells x gene sets, raw means (standardised at load time
  with the training cells of the chosen split).
* ``genesets.json``: ``{collection: {set: [Entrez IDs]}}``; ``summary.json``: counts and drops.
* ``gene_symbols.json``: ``{symbol: Entrez ID}`` for the expression genes (official, L1000 and
  unambiguous alias symbols), to read a user's own profiles (``gsdrp predict --expression``).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from gsdrp.config import COLLECTIONS, DataConfig
from gsdrp.data import genesets
from gsdrp.data.drugs import load_drugs
from gsdrp.data.expression import load_expression, symbols_of
from gsdrp.data.raw import raw_path, read_table
from gsdrp.data.response import average_replicates, load_responses, replicate_noise
from gsdrp.data.splits import PARTS, make_splits
from gsdrp.paths import DEFAULT_PREPARED

DEFAULT_OUT = DEFAULT_PREPARED  # $GSDRP_PREPARED, else data/prepared in the checkout


def cache_dir(config: DataConfig, out: str | Path = DEFAULT_OUT) -> Path:
    return Path(out) / config.cache_name


def _normalise(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(name).upper())


def _tissues(raw_dir: Path, cells: pd.Index) -> pd.Series:
    table = read_table(raw_path(raw_dir, "cells"), ["Sample Name", "GDSC Tissue descriptor 1"], dtype=str)
    by_name = dict(zip(table["Sample Name"].map(_normalise), table["GDSC Tissue descriptor 1"]))
    return pd.Series([by_name.get(_normalise(c), "unknown") for c in cells], index=cells, name="tissue")


def _collections(raw_dir: Path, config: DataConfig, universe: set[str]) -> dict[str, genesets.GeneSets]:
    builders = {
        "hallmark": lambda: genesets.hallmark(raw_dir, universe, config.min_set_genes),
        "go": lambda: genesets.go_clusters(
            raw_dir, universe, config.min_set_genes, config.go_max_term_genes, config.go_jaccard, config.go_n_clusters
        ),
        "paper_hallmark": lambda: genesets.paper_collection(raw_dir, "paper_hallmark", universe, config.min_set_genes),
        "paper_go": lambda: genesets.paper_collection(raw_dir, "paper_go", universe, config.min_set_genes),
    }
    return {name: builders[name]() for name in COLLECTIONS}


def prepare(config: DataConfig, raw_dir: Path, out: str | Path = DEFAULT_OUT, force: bool = False) -> Path:
    """Build the cache for ``config`` unless it exists (or ``force``); return its folder."""
    target = cache_dir(config, out)
    if (target / "summary.json").is_file() and not force:
        return target
    started = time.perf_counter()
    steps = tqdm(total=6, desc="prepare", unit="step")

    def step(label: str) -> None:
        steps.set_postfix_str(label)
        steps.update(1)

    drugs, dropped_drugs = load_drugs(raw_path(raw_dir, "drugs"))
    step("drugs")
    expression, incomplete_cells = load_expression(raw_dir, config.expression, config.genes)
    step("expression")
    responses = load_responses(raw_dir)
    for drug in sorted(set(responses["drug"]) - set(drugs["drug"]) - set(dropped_drugs)):
        dropped_drugs[drug] = "not in the drug table"
    dropped_cells = {c: "incomplete expression" for c in incomplete_cells}
    for cell in sorted(set(responses["cell"]) - set(expression.index) - set(dropped_cells)):
        dropped_cells[cell] = f"no {config.expression} expression"
    responses = responses[responses["cell"].isin(expression.index) & responses["drug"].isin(drugs["drug"])]
    noise = replicate_noise(responses)
    if config.replicates == "mean":
        responses = average_replicates(responses)
    cells = expression.index.intersection(responses["cell"].unique())
    drugs = drugs[drugs["drug"].isin(responses["drug"].unique())].reset_index(drop=True)
    expression = expression.loc[cells]
    step("responses")

    tissue = _tissues(raw_dir, cells)
    pairs = responses[["cell", "drug"]].drop_duplicates().reset_index(drop=True)
    pairs = pd.concat([pairs, make_splits(pairs, tissue, config.split_seed)], axis=1)
    measurements = responses.merge(pairs, on=["cell", "drug"], how="left").reset_index(drop=True)
    step("splits")

    collections = _collections(raw_dir, config, set(expression.columns))
    activity = {name: genesets.activities(expression, sets) for name, sets in collections.items()}
    step("gene sets")

    summary = _summary(config, measurements, pairs, drugs, expression, collections, noise, dropped_drugs, dropped_cells)
    summary["seconds_to_prepare"] = round(time.perf_counter() - started, 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        measurements.to_parquet(staging / "pairs.parquet", index=False)
        tissue.rename_axis("cell").reset_index().to_parquet(staging / "cells.parquet", index=False)
        drugs.to_parquet(staging / "drugs.parquet", index=False)
        expression.to_parquet(staging / "expression.parquet")
        for name, frame in activity.items():
            frame.rename_axis("cell").to_parquet(staging / f"activities_{name}.parquet")
        (staging / "genesets.json").write_text(json.dumps(collections, indent=1))
        (staging / "gene_symbols.json").write_text(json.dumps(symbols_of(raw_dir, list(expression.columns)), indent=0))
        (staging / "summary.json").write_text(json.dumps(summary, indent=2))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    step("written")
    steps.close()
    return target


def _summary(config, measurements, pairs, drugs, expression, collections, noise, dropped_drugs, dropped_cells) -> dict:
    random_parts = pairs["split_random"]
    test_share = (random_parts == "test").groupby(pairs["cell"]).mean()
    return {
        "config": {k: v for k, v in vars(config).items()},
        "response_units": "LN_IC50: natural log of IC50 in micromolar, as distributed by GDSC",
        "counts": {
            "measurements": int(len(measurements)),
            "pairs": int(len(pairs)),
            "cells": int(expression.shape[0]),
            "drugs": int(len(drugs)),
            "genes": int(expression.shape[1]),
            "measurements_per_screen": measurements["screen"].value_counts().to_dict(),
        },
        "gene_sets": {name: len(sets) for name, sets in collections.items()},
        "pathways": {
            "labelled_drugs": int(drugs["pathway"].notna().sum()),
            "classes": drugs["pathway"].value_counts().to_dict(),
        },
        "splits": {
            kind.removeprefix("split_"): {part: int((measurements[kind] == part).sum()) for part in PARTS}
            for kind in measurements.columns
            if kind.startswith("split_")
        },
        "random_split_cell_test_share": {"min": float(test_share.min()), "max": float(test_share.max())},
        "replicate_noise": noise,
        "dropped": {"drugs": dropped_drugs, "cells": dropped_cells},
    }


def read_summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())
