"""Rebuild the raw folder over HTTP (needs internet or a mirror; never called at run time).

Files published as such (GitHub, MSigDB) come from their public origin; where the raw file is a
conversion of one, it is converted here: the Hallmark symbols GMT to Entrez IDs (through the
gene table), the paper's sample tables to its TPM matrix and gene list, GDSC's cell-line
workbook to CSV. Files derived from packages or merged from several sources (``derived`` in
``RAW_FILES``) cannot be downloaded from a public origin: they come from a mirror, else they are
listed with their origin to be rebuilt by hand.

A mirror (``mirror``, ``$GSDRP_FETCH_MIRROR``) holds everything: a public URL ``https://HOST/PATH``
as ``<mirror>/HOST/PATH``, and a derived file as ``<mirror>/raw/<its path in the raw folder>``.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gsdrp.data.expression import symbol_to_entrez
from gsdrp.data.genesets import read_gmt
from gsdrp.data.raw import GITHUB_RAW, PAPER_REPO, RAW_FILES, DataError

ENV_MIRROR = "GSDRP_FETCH_MIRROR"
Build = Callable[[list[Path], Path, Path], None]  # (downloaded files, target, raw folder)


def _copy(downloads: list[Path], target: Path, raw_dir: Path) -> None:
    shutil.copyfile(downloads[0], target)


def _hallmark_entrez(downloads: list[Path], target: Path, raw_dir: Path) -> None:
    """Symbols -> Entrez IDs with the raw folder's gene table; unmapped symbols are left out."""
    to_entrez = symbol_to_entrez(raw_dir)
    lines = []
    for name, description, symbols in read_gmt(downloads[0]):
        entrez = dict.fromkeys(to_entrez[s] for s in symbols if s in to_entrez)
        lines.append("\t".join([name, description, *entrez]))
    target.write_text("\n".join(lines) + "\n")


def _sample_tables(downloads: list[Path]) -> pd.DataFrame:
    return pd.concat([pd.read_csv(path, dtype=str) for path in downloads], ignore_index=True)


def _paper_tpm(downloads: list[Path], target: Path, raw_dir: Path) -> None:
    """One row per cell line x the 949 Entrez columns (raw TPM), from the paper's sample tables."""
    samples = _sample_tables(downloads)
    genes = [c for c in samples.columns if c.isdigit()]
    table = samples.drop_duplicates("CELL_LINE_NAME").sort_values("CELL_LINE_NAME")[["CELL_LINE_NAME", *genes]]
    with gzip.GzipFile(target, "wb", mtime=0) as sink:
        sink.write(table.to_csv(index=False).encode())


def _paper_genes(downloads: list[Path], target: Path, raw_dir: Path) -> None:
    genes = [c for c in _sample_tables(downloads).columns if c.isdigit()]
    target.write_text("\n".join(genes) + "\n")


def _first_sheet_csv(downloads: list[Path], target: Path, raw_dir: Path) -> None:
    sheet = pd.read_excel(downloads[0], sheet_name=0, dtype=str)
    sheet.columns = [" ".join(str(c).split()) for c in sheet.columns]
    sheet.to_csv(target, index=False)


@dataclass(frozen=True)
class Source:
    urls: tuple[str, ...]
    build: Build = _copy


_SAMPLES = tuple(f"{PAPER_REPO}/data/sample/sample_{part}.csv" for part in ("train", "valid", "test"))
# Keys in build order: the Hallmark conversion reads the gene table, which a mirror provides first.
PUBLIC_SOURCES: dict[str, Source] = {
    "landmarks": Source(
        (f"{GITHUB_RAW}/SCSE-Biomedical-Computing-Group/XGDP/cab15a4768284a7068e0385c539546612c7fb4f8/data/landmark_genes.txt",)
    ),
    "paper_hallmark": Source((f"{PAPER_REPO}/gene_sets/hallmark_949.json",)),
    "paper_go": Source((f"{PAPER_REPO}/gene_sets/go_clusters_949.json",)),
    "paper_tpm": Source(_SAMPLES, _paper_tpm),
    "paper_genes": Source(_SAMPLES[:1], _paper_genes),
    "cells": Source(
        (f"{GITHUB_RAW}/jianglikun/DeepTTC/dfd1ed90abb43fcc206dafac902349ffbaa163c4/GDSC_data/Cell_Lines_Details.xlsx",),
        _first_sheet_csv,
    ),
    "hallmark_gmt": Source(
        ("https://data.broadinstitute.org/gsea-msigdb/msigdb/release/2023.1.Hs/h.all.v2023.1.Hs.symbols.gmt",),
        _hallmark_entrez,
    ),
}


def fetch(raw_dir: Path, overwrite: bool = False, mirror: str | None = None) -> Iterator[str]:
    """Fill ``raw_dir``, yielding one line per file as it is done: where it came from, or how to derive it by hand."""
    derived = [key for key in RAW_FILES if key not in PUBLIC_SOURCES]
    for key in derived + list(PUBLIC_SOURCES):
        entry, target = RAW_FILES[key], raw_dir / RAW_FILES[key].path
        if target.exists() and not overwrite:
            yield f"kept {target}"
        elif key in PUBLIC_SOURCES:
            source = PUBLIC_SOURCES[key]
            _build(target, [_mirrored(url, mirror) for url in source.urls], source.build, raw_dir)
            yield f"fetched {target} from {', '.join(source.urls)}"
        elif mirror:
            _build(target, [f"{mirror.rstrip('/')}/raw/{entry.path}"], _copy, raw_dir)
            yield f"fetched {target} from the mirror"
        else:
            yield f"derive by hand (or pass --mirror): {entry.path}: {entry.origin}"


def _mirrored(url: str, mirror: str | None) -> str:
    return f"{mirror.rstrip('/')}/{url.removeprefix('https://')}" if mirror else url


def _build(target: Path, urls: list[str], build: Build, raw_dir: Path) -> None:
    """Download ``urls`` into a scratch folder, build the target beside it, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        downloads = [_download(url, Path(scratch) / f"{i}-{url.rsplit('/', 1)[-1]}", target) for i, url in enumerate(urls)]
        partial = Path(scratch) / target.name
        build(downloads, partial, raw_dir)
        partial.replace(target)


def _download(url: str, into: Path, target: Path) -> Path:
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(into, "wb") as handle:
            shutil.copyfileobj(response, handle)
    except (urllib.error.URLError, OSError) as exc:
        raise DataError(f"cannot download {url} (for {target}): {exc}") from None
    return into
