"""Gene-set collections over a gene universe, and per-cell set activities.

Collections (``GeneSets`` = ordered ``{set name: [Entrez IDs]}``, genes within the universe):

* ``hallmark``: MSigDB Hallmark (v2023.1, Entrez), sets with fewer than ``min_genes`` dropped.
  Over the paper's 949 landmark genes with ``min_genes=5`` this gives the paper's 48 sets.
* ``go``: GO biological-process clusters. Terms of at most ``max_term_genes`` genes
  genome-wide and at least ``min_genes`` genes in the universe are clustered by average-linkage
  hierarchical clustering on Jaccard distance, cut where the mean Jaccard falls below
  ``jaccard``; a cluster's set is the genes found in at least half of its terms, named after its
  medoid term. The ``n_clusters`` clusters with the most terms are kept.
* ``paper_hallmark`` / ``paper_go``: the paper's own JSON collections, restricted to the universe.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy import sparse
from scipy.spatial.distance import squareform

from gsdrp.data.raw import DataError, raw_path

GeneSets = dict[str, list[str]]


def read_gmt(path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, description, genes) per line of a GMT file, plain or gzipped."""
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    with opener(path, "rt") as handle:
        for number, line in enumerate(handle, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                raise DataError(f"{path}:{number}: a GMT line needs name, description and genes (tab-separated)")
            rows.append((parts[0], parts[1], [g for g in parts[2:] if g]))
    return rows


def restrict(sets: GeneSets, universe: set[str], min_genes: int) -> GeneSets:
    """Each set's genes within the universe, in sorted order; sets below ``min_genes`` dropped."""
    kept = {name: sorted(set(genes) & universe, key=int) for name, genes in sets.items()}
    return {name: genes for name, genes in kept.items() if len(genes) >= min_genes}


def hallmark(raw_dir: Path, universe: set[str], min_genes: int) -> GeneSets:
    path = raw_path(raw_dir, "hallmark_gmt")
    return restrict({name: genes for name, _, genes in read_gmt(path)}, universe, min_genes)


def paper_collection(raw_dir: Path, key: str, universe: set[str], min_genes: int) -> GeneSets:
    path = raw_path(raw_dir, key)
    try:
        sets = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(sets, dict):
        raise DataError(f"{path}: expected an object of set name -> list of Entrez IDs")
    return restrict({name: [str(g) for g in genes] for name, genes in sorted(sets.items())}, universe, min_genes)


def go_clusters(
    raw_dir: Path, universe: set[str], min_genes: int, max_term_genes: int, jaccard: float, n_clusters: int
) -> GeneSets:
    terms: dict[frozenset[str], str] = {}
    for _, description, genes in read_gmt(raw_path(raw_dir, "go_gmt")):
        inside = frozenset(genes) & universe
        if len(genes) <= max_term_genes and len(inside) >= min_genes:
            terms.setdefault(inside, description)  # identical gene lists: first term (by GO ID) wins
    if len(terms) < 2:
        raise DataError("GO clustering: fewer than two GO terms survive the size filters")
    gene_lists, names = list(terms), list(terms.values())
    genes = sorted(universe, key=int)
    column = {g: i for i, g in enumerate(genes)}
    rows = np.repeat(np.arange(len(gene_lists)), [len(t) for t in gene_lists])
    cols = [column[g] for term_genes in gene_lists for g in term_genes]
    member = sparse.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(gene_lists), len(genes)))
    shared = (member @ member.T).toarray()
    sizes = np.diag(shared)
    similarity = shared / (sizes[:, None] + sizes[None, :] - shared)
    distance = squareform(1.0 - similarity, checks=False)
    labels = fcluster(linkage(distance, method="average"), t=1.0 - jaccard, criterion="distance")
    member = member.toarray().astype(bool)
    clusters = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        core = member[members].mean(axis=0) >= 0.5
        medoid = members[np.argmax(similarity[np.ix_(members, members)].sum(axis=1))]
        if core.sum() >= min_genes:
            clusters.append((len(members), names[medoid], [genes[i] for i in np.flatnonzero(core)]))
    clusters.sort(key=lambda c: (-c[0], c[1]))
    sets: GeneSets = {}
    for _, medoid_name, core_genes in clusters:
        if core_genes not in sets.values() and len(sets) < n_clusters:
            sets[f"GO_CLUSTER_{len(sets):02d} {medoid_name}"] = core_genes
    return sets


def activities(expression: pd.DataFrame, sets: GeneSets) -> pd.DataFrame:
    """Cells x sets: mean expression over each set's genes (not yet standardised)."""
    if not sets:
        raise DataError("empty gene-set collection: no set has enough genes in the expression universe")
    values = {name: expression[genes].mean(axis=1) for name, genes in sets.items()}
    return pd.DataFrame(values, index=expression.index).astype(np.float32)


def scaling(activity: pd.DataFrame, train_cells: list[str]) -> tuple[pd.Series, pd.Series]:
    """Each set's mean and SD over the training cell lines only (an SD of 0 becomes 1)."""
    reference = activity.loc[train_cells]
    return reference.mean(), reference.std(ddof=0).replace(0.0, 1.0)


def overlap(sets: GeneSets) -> np.ndarray:
    """Jaccard overlap between every two sets (zero diagonal): weights of the gate-smoothness loss."""
    names = list(sets)
    matrix = np.zeros((len(names), len(names)), dtype=np.float32)
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            sa, sb = set(sets[a]), set(sets[names[j]])
            matrix[i, j] = matrix[j, i] = len(sa & sb) / len(sa | sb)
    return matrix
