"""The pairs a registered model is asked about, checked row by row before any model sees them.

A row names a cell line, a SMILES and optionally a screen (blank: GDSC2). A row with an unknown cell
line, an invalid SMILES or an unknown screen gets its error instead of a prediction; it is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gsdrp.data.drugs import standardise_smiles
from gsdrp.data.prediction_input import REQUIRED_COLUMNS
from gsdrp.data.raw import DataError

SCREEN_SHARE = {"GDSC1": 0.0, "GDSC2": 1.0}
DEFAULT_SCREEN = "GDSC2"


@dataclass
class CheckedPairs:
    """An input table read and checked, per row: cell line (as text), canonical SMILES (None if invalid or
    empty), GDSC2 share (NaN for an unknown screen) and error (None if the row can be predicted)."""

    table: pd.DataFrame
    cells: pd.Series
    smiles: pd.Series
    screen_share: pd.Series
    errors: list[str | None]

    @property
    def valid(self) -> np.ndarray:
        return np.array([e is None for e in self.errors], dtype=bool)

    def refuse(self, rows: np.ndarray, error: str) -> None:
        """Give the valid ones of ``rows`` (a boolean mask) ``error``: a model that cannot answer them."""
        self.errors = [error if refused and e is None else e for e, refused in zip(self.errors, rows, strict=True)]

    def answered(self, valid_predictions: np.ndarray) -> pd.DataFrame:
        """The table plus ``prediction`` (NaN where the row is invalid) and ``error``."""
        prediction = np.full(len(self.errors), np.nan, dtype=np.float32)
        prediction[self.valid] = valid_predictions
        return self.table.assign(prediction=prediction, error=self.errors)


def check_pairs(table: pd.DataFrame, known_cells: set[str]) -> CheckedPairs:
    """Read ``cell_line``, ``smiles`` and optional ``screen`` of each row and check them.

    Identifiers are compared as text, so a cell line named ``5637`` matches whether it came in as a
    number or a string. Each distinct SMILES is standardised once.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"input table lacks column(s) {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    names, smiles = text_values(table["cell_line"]), text_values(table["smiles"])
    screens = text_values(table["screen"]).replace("", DEFAULT_SCREEN) if "screen" in table else pd.Series(DEFAULT_SCREEN, index=table.index)
    canonical = {s: canonical_smiles(s) for s in smiles.unique() if s}
    errors = [
        _row_problem(cell, smile, screen, known_cells, canonical)
        for cell, smile, screen in zip(names, smiles, screens, strict=True)
    ]
    return CheckedPairs(table.copy(), names, smiles.map(canonical), screens.map(SCREEN_SHARE), errors)


def text_values(column: pd.Series) -> pd.Series:
    """Values as stripped strings; missing values become ``""``, integral floats lose their ``.0``."""

    def one(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.map(one).astype(object)


def canonical_smiles(smiles: str) -> str | None:
    try:
        return standardise_smiles(smiles, smiles)
    except DataError:
        return None


def _row_problem(cell: str, smiles: str, screen: str, known_cells: set, canonical: dict) -> str | None:
    if not cell:
        return "empty cell_line"
    if cell not in known_cells:
        return f"unknown cell line {cell!r}"
    if screen not in SCREEN_SHARE:
        return f"unknown screen {screen!r} (GDSC1 or GDSC2; blank means {DEFAULT_SCREEN})"
    if not smiles:
        return "empty smiles"
    if canonical[smiles] is None:
        return f"invalid SMILES {smiles!r}"
    return None
