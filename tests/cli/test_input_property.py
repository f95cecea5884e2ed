"""Property: whatever table a user hands ``gsdrp predict``, the reader and the model never crash.

Random files (missing, extra, misspelt and numeric columns; numeric, empty, quoted and unicode
values; non-UTF-8, binary and empty files) either fail as a whole with one ``DataError`` line naming
the file, or every row gets exactly one of a finite prediction and a per-row error.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gsdrp.data.prediction_input import read_pairs
from gsdrp.data.raw import DataError
from gsdrp.tracking.pyfunc import cell_features, predict_pairs

COLUMNS = ["cell_line", "smiles", "screen", "Cell_Line", "SMILES", "smile", "cell line", "note", "42", ""]
CELLS = ["A549", "5637", "697", "HeLa?", "0", "", "  A549  ", "nan", "NA"]
SCREENS = ["GDSC1", "GDSC2", "", "gdsc2", "GDSC3"]
NOISE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def values(smiles_pool: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(CELLS), st.sampled_from(SCREENS), st.sampled_from(smiles_pool),
        st.sampled_from(["C1CC", "not a smiles", "[Xx]", "CCO"]), st.integers(-10, 10**6).map(str), NOISE,
    )


def column_values(name: str, smiles_pool: list[str]) -> st.SearchStrategy[str]:
    """Mostly plausible values for a known column, anything otherwise."""
    plausible = {"cell_line": CELLS, "smiles": smiles_pool, "screen": SCREENS}.get(name.lower().replace(" ", "_"))
    return st.one_of(st.sampled_from(plausible), values(smiles_pool)) if plausible else values(smiles_pool)


@st.composite
def csv_files(draw, smiles_pool: list[str]) -> bytes:
    kind = draw(st.sampled_from(["table", "table", "table", "empty", "binary", "latin-1", "ragged"]))
    if kind == "empty":
        return draw(st.sampled_from([b"", b"\n", b"   \n\n"]))
    if kind == "binary":
        return draw(st.binary(min_size=1, max_size=64))
    required = draw(st.permutations(["cell_line", "smiles", *draw(st.sampled_from([[], ["screen"]]))]))
    header = draw(st.one_of(
        st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5, unique=True),
        st.lists(st.sampled_from(["note", "42", ""]), max_size=2, unique=True).map(lambda extra: required + extra),
    ))
    rows = draw(st.lists(st.tuples(*(column_values(name, smiles_pool) for name in header)).map(list), max_size=8))
    if kind == "ragged":
        rows = [row[: draw(st.integers(0, len(row) + 2))] + ["x"] * draw(st.integers(0, 2)) for row in rows]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    return text.getvalue().encode("latin-1" if kind == "latin-1" else "utf-8", errors="ignore")


@pytest.fixture(scope="module")
def smiles_pool(tiny_data) -> list[str]:
    return tiny_data.smiles[:5]


@pytest.fixture(scope="module")
def activity(tiny_trainer) -> pd.DataFrame:
    return cell_features(tiny_trainer.data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("inputs")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_input_files_never_crash_the_reader_or_the_model(tiny_trainer, activity, smiles_pool, folder, data):
    path = folder / "input.csv"
    path.write_bytes(data.draw(csv_files(smiles_pool), label="file"))
    try:
        table = read_pairs(path)
    except DataError as exc:
        message = str(exc)
        assert "\n" not in message and str(path) in message
        event("file refused with one message")
        return
    assert table.index.is_monotonic_increasing and table.index.min() >= 2  # file lines; the header is line 1
    out = predict_pairs(tiny_trainer.model, tiny_trainer.model_config.encoder, activity, table)
    assert len(out) == len(table) and out.index.equals(table.index)
    for prediction, error in zip(out["prediction"], out["error"], strict=True):
        assert pd.isna(error) == math.isfinite(prediction), (prediction, error)
        assert pd.isna(error) or (isinstance(error, str) and "\n" not in error)
        event("row predicted" if pd.isna(error) else "row with an error")
