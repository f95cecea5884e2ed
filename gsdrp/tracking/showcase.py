"""A registered model on a handful of real pairs: targeted drugs on cell lines with and without their target.

Each drug has one cell line in the grid known to depend on its target (BRAF-mutant A375 for the BRAF
and MEK inhibitors, HER2-amplified BT-474 for lapatinib, BCR-ABL K-562 for nilotinib), so a model
that learned more than a per-drug mean predicts that cell line lower than the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gsdrp.data.dataset import Dataset
from gsdrp.data.splits import PARTS
from gsdrp.tracking.registry import predict

DRUGS = ("Dabrafenib", "Trametinib", "Lapatinib", "Nilotinib")
CELLS = ("A375", "BT-474", "K-562", "A549")


def measured_pairs(data: Dataset, drugs=DRUGS, cells=CELLS) -> pd.DataFrame:
    """Mean measured ln IC50 of each (drug, cell line) pair of the grid that was measured, its split part and screen."""
    frame = pd.DataFrame({
        "drug": np.asarray(data.drugs)[data.drug_idx],
        "cell_line": np.asarray(data.cells)[data.cell_idx],
        "measured": data.y,
        "gdsc2": data.gdsc2,
        "part": np.asarray(PARTS)[data.part],
    })
    frame = frame[frame["drug"].isin(drugs) & frame["cell_line"].isin(cells)]
    pairs = frame.groupby(["drug", "cell_line"], sort=False).agg(
        measured=("measured", "mean"), gdsc2=("gdsc2", "mean"), part=("part", "first")
    ).reset_index()
    pairs["screen"] = np.where(pairs["gdsc2"] >= 0.5, "GDSC2", "GDSC1")
    pairs["smiles"] = pairs["drug"].map(dict(zip(data.drugs, data.smiles, strict=True)))
    order = {d: i for i, d in enumerate(drugs)} | {c: i for i, c in enumerate(cells)}
    return pairs.sort_values(["drug", "cell_line"], key=lambda s: s.map(order), ignore_index=True).drop(columns="gdsc2")


def champion_predictions(model_uri: str, data: Dataset) -> pd.DataFrame:
    """The grid's measured pairs with the model's predictions beside them."""
    pairs = measured_pairs(data)
    predicted = predict(model_uri, pairs[["cell_line", "smiles", "screen"]])
    return pairs.assign(predicted=predicted["prediction"].to_numpy()).drop(columns="smiles")
