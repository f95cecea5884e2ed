"""From a model's per-sample gates and attention to the paper's interpretation (docs/interpretation.md), with chance levels.

* gate statistics over all drug x gene-set pairs, and the variance of the drug x set gate matrix
  across drugs and across sets;
* drug x set matrices: mean attention (heads averaged; per head kept too) and mean gate;
* per drug: the top-10 sets by attention and by gate, and the Spearman correlation of the two;
* how alike the drugs' top 10s are: the sets most often in a drug's top 10, and the mean number of
  sets two drugs share in their top 10s (k^2 / K for random rankings of K sets), since attention that
  ranks the same sets first for every drug hits or misses by those sets alone;
* the hit rate against known mechanisms: a drug is hit when one of its known sets is in its top 10.
  Chance for a drug with m known sets among K: 1 - C(K - m, 10) / C(K, 10). Two nulls for the total:
  *random rankings* (each drug's top 10 a random 10 of its K, the paper's notion of chance) and
  *pathways shuffled* (the drugs' rankings kept, the known-set lists permuted across the groups of drugs
  that share one). Only the second keeps what attention shares across drugs (a few sets first for
  everyone, drugs of one pathway ranked alike), so only it can say that a drug's own sets rank higher
  than other drugs' sets; random rankings call even an untrained model significant.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np
import pandas as pd
from scipy import stats

from gsdrp.explain.matrices import TOP_K, drug_by_set, short, top_sets


@dataclass
class Interpretation:
    attention: pd.DataFrame  # drugs x sets, heads averaged
    attention_per_head: pd.DataFrame  # (drug, head) x sets
    gates: pd.DataFrame  # drugs x sets
    gate_stats: dict[str, float]
    rankings: pd.DataFrame  # per drug: top sets by attention and by gate, and their Spearman correlation


def interpret(gates: np.ndarray, attention: np.ndarray, drug_idx: np.ndarray, drugs: list[str], set_names: list[str]) -> Interpretation:
    """``gates`` [rows, K] and ``attention`` [rows, heads, K] of the samples, ``drug_idx`` per row."""
    gate_matrix = drug_by_set(gates, drug_idx, drugs, set_names)
    attention_matrix = drug_by_set(attention, drug_idx, drugs, set_names)
    heads = [drug_by_set(attention[:, h], drug_idx, drugs, set_names).assign(head=h) for h in range(attention.shape[1])]
    per_head = pd.concat(heads).set_index("head", append=True).sort_index()
    values = gate_matrix.to_numpy()
    gate_stats = {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "std": float(values.std()),
        "variance_across_drugs": float(values.var(axis=0).mean()),  # per set, over drugs; averaged
        "variance_across_sets": float(values.var(axis=1).mean()),  # per drug, over sets; averaged
    }
    rows = []
    for drug in attention_matrix.index:
        rows.append(
            {
                "drug": drug,
                "top10_attention": ";".join(short(s) for s in top_sets(attention_matrix, drug).index),
                "top10_gate": ";".join(short(s) for s in top_sets(gate_matrix, drug).index),
                "spearman_attention_vs_gate": _spearman(attention_matrix.loc[drug], gate_matrix.loc[drug]),
            }
        )
    return Interpretation(attention_matrix, per_head, gate_matrix, gate_stats, pd.DataFrame(rows).set_index("drug"))


def top_set_concentration(matrix: pd.DataFrame, k: int = TOP_K, most_common: int = 3) -> dict:
    """The sets most often in a drug's top ``k`` (with the share of drugs) and the mean top-``k``
    overlap of two different drugs, beside its value for random rankings."""
    ranks = matrix.rank(axis=1, ascending=False, method="first")
    in_top = (ranks <= k).to_numpy(dtype=float)  # drugs x sets
    n = len(in_top)
    shared = in_top @ in_top.T
    share = pd.Series(in_top.mean(axis=0), index=[short(s) for s in matrix.columns]).sort_values(ascending=False)
    return {
        "most_common": {name: float(v) for name, v in share.head(most_common).items()},
        "mean_overlap": float((shared.sum() - np.trace(shared)) / (n * (n - 1))) if n > 1 else float("nan"),
        "overlap_by_chance": k * k / matrix.shape[1],
    }


def _spearman(a: pd.Series, b: pd.Series) -> float:
    if a.nunique() < 2 or b.nunique() < 2:
        return float("nan")
    return float(stats.spearmanr(a, b)[0])


def chance_of_hit(n_sets: int, n_known: int, k: int = TOP_K) -> float:
    """P(a random top-k of n_sets contains at least one of n_known sets)."""
    if n_known == 0:
        return 0.0
    return 1.0 - comb(n_sets - n_known, k) / comb(n_sets, k)


def hit_rate(
    matrix: pd.DataFrame, known: dict[str, list[str]], k: int = TOP_K, permutations: int = 10_000, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-drug hits of ``known`` sets (names without ``HALLMARK_``) in each drug's top k, and the total.

    Drugs missing from ``matrix`` are reported as absent, not as misses, and left out of the total.
    """
    names = [short(s) for s in matrix.columns]
    n_sets = len(names)
    rows, present_known = [], []
    for drug, sets in known.items():
        if drug not in matrix.index:
            rows.append({"drug": drug, "status": "absent from the data", "known_in_collection": "", "hit": None,
                         "best_known_rank": None, "chance": None})
            continue
        order = [names[i] for i in np.argsort(-matrix.loc[drug].to_numpy(), kind="stable")]
        inside = [s for s in sets if s in names]
        ranks = {s: order.index(s) + 1 for s in inside}
        best = min(ranks.values()) if ranks else None
        rows.append(
            {
                "drug": drug,
                "status": "present",
                "known_in_collection": ";".join(f"{s} (rank {r})" for s, r in sorted(ranks.items(), key=lambda x: x[1])),
                "hit": best is not None and best <= k,
                "best_known_rank": best,
                "chance": chance_of_hit(n_sets, len(inside), k),
            }
        )
        present_known.append([names.index(s) for s in inside])
    table = pd.DataFrame(rows).set_index("drug")
    present = table[table["status"] == "present"]
    observed = int(present["hit"].sum())
    rng = np.random.default_rng(seed)
    simulated = np.zeros(permutations, dtype=np.int64)
    for known_idx in present_known:
        if not known_idx:
            continue
        top = np.argsort(rng.random((permutations, n_sets)), axis=1)[:, :k]  # a random top k per permutation
        simulated += np.isin(top, known_idx).any(axis=1)
    shuffled = _pathways_shuffled(matrix.loc[present.index].to_numpy(), present_known, k, permutations, rng)
    summary = {
        "drugs_present": int(len(present)),
        "drugs_absent": int((table["status"] != "present").sum()),
        "hits": observed,
        "expected_hits_by_chance": float(present["chance"].sum()),
        "permutation_p_value": float((1 + (simulated >= observed).sum()) / (1 + permutations)),
        "permutations": permutations,
        "pathway_groups": shuffled["groups"],
        "expected_hits_pathways_shuffled": shuffled["expected"],
        "pathways_shuffled_p_value": float((1 + (shuffled["hits"] >= observed).sum()) / (1 + permutations)),
    }
    return table, summary


def _pathways_shuffled(scores: np.ndarray, known: list[list[int]], k: int, permutations: int, rng) -> dict:
    """Hits when the known-set lists are permuted across groups of drugs (drugs with the same list form
    a group): ``hits`` per permutation, their mean and the number of groups."""
    if not known:
        return {"hits": np.zeros(permutations), "expected": 0.0, "groups": 0}
    lists = sorted({tuple(sorted(idx)) for idx in known})
    group = np.array([lists.index(tuple(sorted(idx))) for idx in known])
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    # hit[i, g]: drug i's top k holds one of group g's known sets
    hit = np.array([[np.isin(row, list(sets)).any() for sets in lists] for row in top])
    order = np.argsort(rng.random((permutations, len(lists))), axis=1)  # group g's drugs get the list of order[g]
    hits = hit[np.arange(len(known)), order[:, group]].sum(axis=1)
    return {"hits": hits, "expected": float(hits.mean()), "groups": len(lists)}
