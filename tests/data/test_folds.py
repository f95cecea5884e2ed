"""Grouped K-fold on the real blind splits: no drug or cell line on both sides, the split's held-out rows in no fold."""

from __future__ import annotations

import numpy as np
import pytest

from gsdrp.config import DataConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.data.folds import fold_datasets
from gsdrp.data.raw import DataError


@pytest.mark.parametrize(("split", "group"), [("drug_blind", "drug_idx"), ("cell_blind", "cell_idx")])
def test_folds_keep_every_group_on_one_side_and_leave_the_held_out_rows_alone(prepared_root, split, group):
    data = load_dataset(DataConfig(), split, "hallmark", out=prepared_root)
    folds = fold_datasets(data, k=3, seed=0)
    train, held_out = data.rows("train"), np.concatenate([data.rows("val"), data.rows("test")])
    seen_in_val = []
    for fold in folds:
        fit, check = fold.rows("train"), fold.rows("val")
        groups = getattr(data, group)
        assert not set(groups[fit]) & set(groups[check])  # no drug (cell line) on both sides
        assert not set(np.concatenate([fit, check])) & set(held_out)  # val and test rows enter no fold
        assert len(fit) + len(check) == len(train)
        assert fold.rows("test").size == 0
        seen_in_val.append(check)
    assert np.array_equal(np.sort(np.concatenate(seen_in_val)), train)  # every training row validates exactly once
    sizes = np.array([len(rows) for rows in seen_in_val])
    assert sizes.max() < 1.3 * sizes.min()  # dealt to the smallest fold first: about equal pair counts
    again = fold_datasets(data, k=3, seed=0)
    assert all(np.array_equal(a.part, b.part) for a, b in zip(folds, again))  # deterministic


def test_grouped_folds_refuse_the_random_split_and_too_many_folds(real_data, prepared_root):
    with pytest.raises(DataError, match="grouped folds need a drug- or cell-blind split, not 'random'"):
        fold_datasets(real_data, k=3)
    data = load_dataset(DataConfig(), "drug_blind", "hallmark", out=prepared_root)
    with pytest.raises(DataError, match="cannot fill 10000 folds"):
        fold_datasets(data, k=10000)
