"""Grouped K-fold over the training part of a blind split: selection that survives a small validation part.

A blind split holds out whole drugs (or cell lines) for validation, about 42 drugs on the drug-blind
split: too few to rank trials by (docs/sweeps.md). Here the training part's drugs (or cell lines) are
dealt into K folds of about equal pair counts; fold i trains on the other folds and validates on its
own, so no drug (or cell line) is ever on both sides, and the split's validation and test rows enter
no fold.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gsdrp.data.dataset import Dataset
from gsdrp.data.raw import DataError
from gsdrp.data.splits import PARTS

UNUSED = len(PARTS)  # a part code that ``Dataset.rows`` never returns
GROUPS = {"drug_blind": "drug_idx", "cell_blind": "cell_idx"}


def groups_of(data: Dataset) -> np.ndarray:
    """Per row, the drug (drug-blind) or cell line (cell-blind) the split holds out whole."""
    if data.split not in GROUPS:
        raise DataError(f"grouped folds need a drug- or cell-blind split, not {data.split!r}")
    return getattr(data, GROUPS[data.split])


def fold_of_groups(groups: np.ndarray, k: int, seed: int = 0) -> dict[int, int]:
    """Each group's fold: groups in a seeded random order, each to the fold with the fewest rows so far."""
    if k < 2:
        raise DataError(f"grouped folds need k >= 2, not {k}")
    ids, sizes = np.unique(groups, return_counts=True)
    if len(ids) < k:
        raise DataError(f"{len(ids)} groups cannot fill {k} folds")
    rows_in_fold, fold = np.zeros(k, dtype=np.int64), {}
    for i in np.random.default_rng(seed).permutation(len(ids)):
        target = int(np.argmin(rows_in_fold))
        fold[int(ids[i])] = target
        rows_in_fold[target] += sizes[i]
    return fold


def fold_datasets(data: Dataset, k: int, seed: int = 0) -> list[Dataset]:
    """K copies of ``data`` whose ``train`` and ``val`` parts are the folds of its training rows; its own
    validation and test rows are in neither."""
    train = data.rows("train")
    groups = groups_of(data)[train]
    fold = fold_of_groups(groups, k, seed)
    fold_of_row = np.array([fold[int(g)] for g in groups])
    folds = []
    for i in range(k):
        part = np.full_like(data.part, UNUSED)
        part[train] = np.where(fold_of_row == i, PARTS.index("val"), PARTS.index("train"))
        folds.append(dataclasses.replace(data, part=part))
    return folds
