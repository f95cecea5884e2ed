"""Drug x gene-set matrices: the mean gate and mean cross-attention over each drug's samples."""

from __future__ import annotations

import numpy as np
import pandas as pd

# The paper's representative drugs and the Hallmark sets known for their mechanism (docs/interpretation.md).
KNOWN_PATHWAYS = {
    "Erlotinib": ["KRAS_SIGNALING_UP", "EPITHELIAL_MESENCHYMAL_TRANSITION", "HYPOXIA"],
    "Gefitinib": ["KRAS_SIGNALING_UP", "HYPOXIA"],
    "Lapatinib": ["KRAS_SIGNALING_UP", "INTERFERON_GAMMA_RESPONSE"],
    "Sunitinib": ["ANGIOGENESIS", "KRAS_SIGNALING_UP", "HYPOXIA"],
    "Sorafenib": ["ANGIOGENESIS", "APOPTOSIS"],
    "Paclitaxel": ["G2M_CHECKPOINT", "MITOTIC_SPINDLE", "APOPTOSIS"],
    "Docetaxel": ["G2M_CHECKPOINT", "MITOTIC_SPINDLE"],
    "Rapamycin": ["MTORC1_SIGNALING", "GLYCOLYSIS"],
    "AZD8055": ["MTORC1_SIGNALING", "GLYCOLYSIS"],
    "Bortezomib": ["UNFOLDED_PROTEIN_RESPONSE", "APOPTOSIS"],
}


TOP_K = 10


def short(name: str) -> str:
    """A gene-set name without the collection prefix: ``HALLMARK_HYPOXIA`` -> ``HYPOXIA``."""
    return name.removeprefix("HALLMARK_")


def drug_by_set(values: np.ndarray, drug_idx: np.ndarray, drugs: list[str], set_names: list[str]) -> pd.DataFrame:
    """Mean of per-sample ``values`` ([rows, K], or [rows, heads, K], heads averaged) per drug."""
    if values.ndim == 3:
        values = values.mean(axis=1)
    frame = pd.DataFrame(values, columns=set_names)
    means = frame.groupby(drug_idx).mean()
    means.index = [drugs[i] for i in means.index]
    means.index.name = "drug"
    return means


def top_sets(matrix: pd.DataFrame, drug: str, k: int = TOP_K) -> pd.Series:
    """The ``k`` gene sets with the largest value for ``drug``, largest first."""
    return matrix.loc[drug].sort_values(ascending=False).head(k)
