"""Evaluation metrics. Global PCC on a random split is dominated by each drug's typical IC50, so
the per-drug PCC and the PCC after removing the mean-effects baseline are reported beside it."""

from __future__ import annotations

import numpy as np
from scipy import stats

def rmse(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(pred)) ** 2)))


def _pcc(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(stats.pearsonr(a, b)[0])


def mean_group_pcc(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, min_size: int = 10) -> float:
    """Mean over groups (drugs) with at least ``min_size`` rows of the within-group PCC."""
    values = [
        _pcc(y[groups == g], pred[groups == g]) for g in np.unique(groups) if (groups == g).sum() >= min_size
    ]
    values = [v for v in values if np.isfinite(v)]
    return float(np.mean(values)) if values else float("nan")


def regression_metrics(
    y: np.ndarray, pred: np.ndarray, drugs: np.ndarray | None = None, mean_effects: np.ndarray | None = None
) -> dict[str, float]:
    """RMSE, PCC, Spearman, R^2; per-drug PCC if ``drugs``; PCC of residuals from ``mean_effects``."""
    y, pred = np.asarray(y, dtype=np.float64), np.asarray(pred, dtype=np.float64)
    if not np.isfinite(pred).all():
        raise ValueError("predictions contain NaN or infinity")
    out = {
        "rmse": rmse(y, pred),
        "pcc": _pcc(y, pred),
        "spearman": float(stats.spearmanr(y, pred)[0]) if np.isfinite(_pcc(y, pred)) else float("nan"),
        "r2": float(1.0 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)),
    }
    if drugs is not None:
        out["mean_drug_pcc"] = mean_group_pcc(y, pred, np.asarray(drugs))
    if mean_effects is not None:
        out["pcc_vs_mean_effects"] = _pcc(y - mean_effects, pred - mean_effects)
    return out
