"""Interpretation on hand-set gates and attention: top-10, hit rate and chance exactly as by hand."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest

from gsdrp.explain.interpret import chance_of_hit, hit_rate, interpret, top_set_concentration

SETS = [f"HALLMARK_S{i:02d}" for i in range(20)]


def hand_matrix() -> pd.DataFrame:
    """Drug A ranks S00 > S01 > ... > S19; drug B the reverse."""
    a = np.linspace(1.0, 0.05, 20)
    return pd.DataFrame([a, a[::-1]], index=["A", "B"], columns=SETS)


def test_chance_level_by_hand():
    assert chance_of_hit(48, 2) == pytest.approx(1 - comb(46, 10) / comb(48, 10))
    assert chance_of_hit(48, 2) == pytest.approx(0.38, abs=5e-3)  # 2 known sets among 48: about 0.38
    assert chance_of_hit(20, 0) == 0.0
    assert chance_of_hit(20, 11) == 1.0  # 11 known among 20 cannot all miss a top 10


def test_hits_ranks_and_absent_drugs():
    known = {"A": ["S09", "S15"], "B": ["S09"], "Missing": ["S00"]}
    table, total = hit_rate(hand_matrix(), known, permutations=2000, seed=1)
    assert table.loc["A", "hit"] and table.loc["A", "best_known_rank"] == 10  # S09 is A's 10th
    assert table.loc["A", "known_in_collection"] == "S09 (rank 10);S15 (rank 16)"
    assert not table.loc["B", "hit"] and table.loc["B", "best_known_rank"] == 11  # B ranks S19 first
    assert table.loc["Missing", "status"] == "absent from the data" and table.loc["Missing", "hit"] is None
    assert table.loc["A", "chance"] == pytest.approx(1 - comb(18, 10) / comb(20, 10))
    assert table.loc["B", "chance"] == pytest.approx(0.5)
    assert total["hits"] == 1 and total["drugs_present"] == 2 and total["drugs_absent"] == 1
    assert total["expected_hits_by_chance"] == pytest.approx(1 - comb(18, 10) / comb(20, 10) + 0.5)
    # P(total >= 1) = 1 - P(A misses) P(B misses) = 1 - (comb(18,10)/comb(20,10)) * 0.5
    exact = 1 - comb(18, 10) / comb(20, 10) * 0.5
    assert total["permutation_p_value"] == pytest.approx(exact, abs=0.03)


def test_known_sets_outside_the_collection_cannot_hit():
    table, total = hit_rate(hand_matrix(), {"A": ["NOT_A_SET"]}, permutations=100)
    assert table.loc["A", "chance"] == 0.0 and not table.loc["A", "hit"]
    assert total["permutation_p_value"] == pytest.approx(1.0)


def test_interpret_averages_per_drug_and_heads():
    gates = np.array([[0.2, 0.8], [0.4, 0.6], [0.9, 0.1]])
    attention = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.5], [0.5, 0.5]], [[0.3, 0.7], [0.1, 0.9]]])
    drug_idx = np.array([0, 0, 1])
    result = interpret(gates, attention, drug_idx, ["d0", "d1"], ["HALLMARK_X", "HALLMARK_Y"])
    np.testing.assert_allclose(result.gates.loc["d0"], [0.3, 0.7])
    np.testing.assert_allclose(result.attention.loc["d0"], [0.5, 0.5])
    np.testing.assert_allclose(result.attention.loc["d1"], [0.2, 0.8])
    np.testing.assert_allclose(result.attention_per_head.loc[("d0", 0)], [0.75, 0.25])
    assert result.gate_stats["min"] == pytest.approx(0.1) and result.gate_stats["max"] == pytest.approx(0.9)
    assert result.gate_stats["variance_across_sets"] == pytest.approx(np.mean([0.04, 0.16]))
    assert result.rankings.loc["d1", "top10_attention"] == "Y;X"
    assert result.rankings.loc["d1", "top10_gate"] == "X;Y"


def test_top_set_concentration_counts_shared_top_sets():
    alike = pd.concat([hand_matrix().loc[["A"]]] * 3).set_axis(["A", "A2", "A3"])  # three drugs, one ranking
    same = top_set_concentration(alike)
    assert same["mean_overlap"] == 10 and same["overlap_by_chance"] == pytest.approx(5.0)  # 10 * 10 / 20
    assert same["most_common"] == {"S00": 1.0, "S01": 1.0, "S02": 1.0}
    apart = top_set_concentration(hand_matrix())  # A's top 10 is S00-S09, B's S10-S19
    assert apart["mean_overlap"] == 0 and max(apart["most_common"].values()) == pytest.approx(0.5)


def test_attention_that_ranks_the_same_sets_for_every_drug_passes_random_rankings_but_not_the_pathway_shuffle():
    # 12 drugs rank S00..S19 identically; two pathway groups map to S01 and S03, both in everyone's top 10.
    names = [f"HALLMARK_S{i:02d}" for i in range(20)]
    drugs = [f"d{i}" for i in range(12)]
    matrix = pd.DataFrame(np.tile(np.linspace(1.0, 0.0, 20), (12, 1)), index=drugs, columns=names)
    known = {drug: ["S01"] if i < 6 else ["S03"] for i, drug in enumerate(drugs)}
    _, total = hit_rate(matrix, known, permutations=2000)
    assert total["hits"] == 12 and total["pathway_groups"] == 2
    assert total["permutation_p_value"] < 0.01  # random rankings: 12 hits where 6 are expected
    assert total["expected_hits_pathways_shuffled"] == 12 and total["pathways_shuffled_p_value"] == 1.0


def test_the_pathway_shuffle_finds_drugs_that_rank_their_own_sets_first():
    names = [f"HALLMARK_S{i:02d}" for i in range(20)]
    groups = {g: [f"d{g}{j}" for j in range(4)] for g in range(5)}  # 5 pathways, S00..S04, 4 drugs each
    rows, known = {}, {}
    for g, members in groups.items():
        for drug in members:
            scores = np.linspace(0.5, 0.0, 20)
            scores[:5] = 0.0  # every pathway set ranks last but its own
            scores[g] = 1.0
            rows[drug], known[drug] = scores, [f"S{g:02d}"]
    matrix = pd.DataFrame.from_dict(rows, orient="index", columns=names)
    _, total = hit_rate(matrix, known, permutations=2000)
    assert total["hits"] == 20 and total["pathway_groups"] == 5
    assert total["expected_hits_pathways_shuffled"] == pytest.approx(20 / 5, rel=0.1)  # a group keeps its list 1 time in 5
    assert total["pathways_shuffled_p_value"] == pytest.approx(1 / 120, abs=0.005)  # only the identity of 5! keeps all 20
