"""Train/validation/test assignments (8:1:1), one per split kind, over unique (cell, drug) pairs.

* ``random``: pairs are the unit; within every drug its pairs are shuffled and cut 8:1:1
  (stratified by drug, so every drug sits in every part in proportion; cell lines spread by
  chance, their spread is reported in the summary).
* ``cell_blind`` / ``drug_blind`` / ``tissue_blind``: whole cell lines, drugs or GDSC tissues
  are assigned to one part, in random order, until each part holds its share of the pairs.

Every measurement of a pair takes its pair's part, so replicates never straddle two parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARTS = ("train", "val", "test")
FRACTIONS = (0.8, 0.1, 0.1)
_EDGES = np.cumsum(FRACTIONS)[:-1]


def random_split(pairs: pd.DataFrame, seed: int) -> np.ndarray:
    """Part index (0 train, 1 val, 2 test) per row of ``pairs`` (unique ``cell, drug``)."""
    rng = np.random.default_rng(seed)
    drugs = pairs["drug"].to_numpy()
    by_drug = pd.Series(rng.random(len(pairs))).groupby(drugs)
    rank = by_drug.rank(method="first").to_numpy() - 1  # a random order within each drug
    size = by_drug.transform("size").to_numpy()
    unique_drugs = np.unique(drugs)
    offset = pd.Series(rng.random(len(unique_drugs)), index=unique_drugs)[drugs].to_numpy()
    position = (rank + offset) / size  # a systematic 8:1:1 cut per drug with a random start
    return np.searchsorted(_EDGES, position, side="right").astype(np.int8)


def group_split(groups: pd.Series, seed: int) -> np.ndarray:
    """Part index per row, assigning whole groups (cells, drugs, tissues) to one part each."""
    rng = np.random.default_rng(seed)
    counts = groups.value_counts().sort_index()
    counts = counts.iloc[rng.permutation(len(counts))]
    midpoints = (counts.cumsum() - counts / 2) / counts.sum()
    part_of_group = pd.Series(np.searchsorted(_EDGES, midpoints.to_numpy(), side="right"), index=counts.index)
    return groups.map(part_of_group).to_numpy(dtype=np.int8)


def make_splits(pairs: pd.DataFrame, tissue_of_cell: pd.Series, seed: int) -> pd.DataFrame:
    """``split_<kind>`` columns (values ``train``/``val``/``test``) for unique pairs."""
    tissues = pairs["cell"].map(tissue_of_cell).fillna("unknown")
    codes = {
        "random": random_split(pairs, seed),
        "cell_blind": group_split(pairs["cell"], seed),
        "drug_blind": group_split(pairs["drug"], seed),
        "tissue_blind": group_split(tissues, seed),
    }
    names = np.array(PARTS)
    return pd.DataFrame({f"split_{kind}": names[code] for kind, code in codes.items()}, index=pairs.index)
