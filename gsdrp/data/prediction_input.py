"""The table a user hands to ``gsdrp predict``: read as text, checked once, rows numbered by file line.

Every value is read as a string (GDSC has cell lines named ``5637`` or ``697``), blanks stay blank
strings, and the index is the row's line in the file (the header is line 1). A file that cannot be
a table of pairs raises one ``DataError`` naming the file; problems of single rows are left to the
model, which reports them per row.
"""

from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path

import pandas as pd

from gsdrp.data.raw import DataError

REQUIRED_COLUMNS = ("cell_line", "smiles")
OPTIONAL_COLUMNS = ("screen",)
HEADER = ",".join(REQUIRED_COLUMNS)


def read_pairs(path: Path) -> pd.DataFrame:
    """The pairs of a CSV file with columns ``cell_line``, ``smiles`` and optionally ``screen``."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise DataError(f"input file {path} {what}: pass a CSV file with columns {', '.join(REQUIRED_COLUMNS)}")
    reader = csv.reader(io.StringIO(_decode(path, path.read_bytes()), newline=""))
    try:
        header = [_column_name(name) for name in next(reader)]
        _check_columns(path, header)
        lines, rows = [], []
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue
            if len(fields) > len(header):
                raise DataError(
                    f"input file {path}: line {reader.line_num} has {len(fields)} fields, the header {len(header)} "
                    "(quote values that contain commas)"
                )
            lines.append(reader.line_num)
            rows.append([field.strip() for field in fields] + [""] * (len(header) - len(fields)))
    except csv.Error as exc:
        raise DataError(f"cannot read {path} as CSV (line {reader.line_num}): {exc}") from None
    if not rows:
        raise DataError(f"input file {path} has a header but no rows: add one row per (cell line, SMILES) pair")
    return pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"), dtype=object)


def _column_name(header: object) -> str:
    name = str(header).strip()
    return name.lower() if name.lower() in REQUIRED_COLUMNS + OPTIONAL_COLUMNS else name


def _decode(path: Path, data: bytes) -> str:
    if not data.strip():
        raise DataError(f"input file {path} is empty: it needs a header line {HEADER!r} and one row per pair")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"input file {path} is not UTF-8 text (bad byte at offset {exc.start}): save it as a UTF-8 CSV") from None
    if "\x00" in text:
        raise DataError(f"input file {path} is binary, not a CSV text file")
    return text


def _check_columns(path: Path, header: list[str]) -> None:
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DataError(f"input file {path} names column(s) {', '.join(map(repr, repeated))} more than once")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if not missing:
        return
    hints = []
    for column in missing:
        close = difflib.get_close_matches(column, [c.lower() for c in header], n=1, cutoff=0.6)
        if close:
            hints.append(f"did you mean {close[0]!r} for {column!r}?")
    shown = ", ".join(repr(c) for c in header[:8]) + (", ..." if len(header) > 8 else "")
    raise DataError(
        f"input file {path} lacks column(s) {', '.join(missing)} (its header: {shown})"
        + (f"; {' '.join(hints)}" if hints else f"; the first line must be the header {HEADER!r}")
    )
