"""The prepared cache as in-memory arrays: one ``Dataset`` that every model and trial reads.

Pairs are index arrays (cell, drug, y) over per-cell and per-drug matrices, so batches are
gathers, not per-sample Python objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.config import DataConfig
from gsdrp.data.genesets import overlap, scaling
from gsdrp.data.prepare import DEFAULT_OUT, cache_dir, prepare
from gsdrp.data.raw import DataError, resolve_raw_dir
from gsdrp.data.splits import PARTS


@dataclass
class Dataset:
    """Cells, drugs and measurements of one split and one gene-set collection."""

    config: DataConfig  # what the prepared cache was built from
    split: str
    collection: str
    cells: list[str]
    drugs: list[str]
    smiles: list[str]
    pathway: np.ndarray  # int per drug, -1 = no specific TARGET_PATHWAY
    pathway_names: list[str]
    set_names: list[str]
    activity: np.ndarray  # cells x sets, z-scored with training cells
    activity_mean: np.ndarray  # per set: the training cells' mean and SD of the raw activity
    activity_sd: np.ndarray
    gene_sets: dict[str, list[str]]  # set -> Entrez IDs of its genes
    set_overlap: np.ndarray  # sets x sets Jaccard
    expression: np.ndarray  # cells x genes (classical baselines)
    genes: list[str]
    gene_symbols: dict[str, str]  # symbol -> Entrez ID of the genes
    cell_idx: np.ndarray
    drug_idx: np.ndarray
    y: np.ndarray
    gdsc2: np.ndarray  # screen covariate: share of the row's measurements from GDSC2
    part: np.ndarray  # 0 train, 1 val, 2 test
    in_both_screens: np.ndarray  # the pair was measured in GDSC1 and GDSC2

    def rows(self, part: str) -> np.ndarray:
        """Row indices of one part (``train``, ``val`` or ``test``)."""
        return np.flatnonzero(self.part == PARTS.index(part))


def load_dataset(
    config: DataConfig = DataConfig(),
    split: str = "random",
    collection: str = "hallmark",
    out: str | Path = DEFAULT_OUT,
    raw: str | Path | None = None,
) -> Dataset:
    """Load (preparing first if needed) the cache for ``config`` as a ``Dataset``."""
    folder = cache_dir(config, out)
    if not (folder / "summary.json").is_file():
        prepare(config, resolve_raw_dir(raw), out)
    column = f"split_{split}"
    pairs = pd.read_parquet(folder / "pairs.parquet", columns=["cell", "drug", "screen", "ln_ic50", column])
    collection_file = folder / f"activities_{collection}.parquet"
    if not collection_file.is_file():
        raise DataError(f"{folder} has no gene-set collection {collection!r}")
    activity = pd.read_parquet(collection_file)
    expression = pd.read_parquet(folder / "expression.parquet")
    drugs = pd.read_parquet(folder / "drugs.parquet")
    sets = json.loads((folder / "genesets.json").read_text())[collection]
    if not (folder / "gene_symbols.json").is_file():
        raise DataError(f"prepared cache {folder} predates gene symbols: run 'gsdrp data prepare --force' once")

    cells = expression.index.tolist()
    cell_idx = pd.Index(cells).get_indexer(pairs["cell"])
    drug_idx = pd.Index(drugs["drug"]).get_indexer(pairs["drug"])
    part = pairs[column].map({p: i for i, p in enumerate(PARTS)}).to_numpy(np.int8)
    train_cells = sorted(set(pairs.loc[part == 0, "cell"]))
    activity = activity.loc[cells]
    mean, sd = scaling(activity, train_cells)
    pathway_names = sorted(drugs["pathway"].dropna().unique())
    screens_per_pair = pairs.groupby(["cell", "drug"])["screen"].transform("nunique")
    return Dataset(
        config=config,
        split=split,
        collection=collection,
        cells=cells,
        drugs=drugs["drug"].tolist(),
        smiles=drugs["smiles"].tolist(),
        pathway=drugs["pathway"].map({p: i for i, p in enumerate(pathway_names)}).fillna(-1).to_numpy(np.int64),
        pathway_names=pathway_names,
        set_names=list(activity.columns),
        activity=((activity - mean) / sd).to_numpy(np.float32),
        activity_mean=mean.to_numpy(np.float64),
        activity_sd=sd.to_numpy(np.float64),
        gene_sets=sets,
        set_overlap=overlap(sets),
        expression=expression.to_numpy(np.float32),
        genes=list(expression.columns),
        gene_symbols=json.loads((folder / "gene_symbols.json").read_text()),
        cell_idx=cell_idx.astype(np.int64),
        drug_idx=drug_idx.astype(np.int64),
        y=pairs["ln_ic50"].to_numpy(np.float32),
        gdsc2=pairs["screen"].map({"GDSC1": 0.0, "GDSC2": 1.0, "GDSC1+GDSC2": 0.5}).to_numpy(np.float32),
        part=part,
        in_both_screens=((screens_per_pair > 1) | (pairs["screen"] == "GDSC1+GDSC2")).to_numpy(),
    )
