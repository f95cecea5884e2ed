"""The naive baselines a sweep is judged against, scored on the same validation rows as its trials."""

from __future__ import annotations

from gsdrp.data.dataset import Dataset
from gsdrp.metrics import regression_metrics
from gsdrp.zoo import build

NAIVE_BASELINES = ("naive_drug_mean", "naive_mean_effects")


def naive_validation(data: Dataset, part: str = "val") -> dict[str, dict[str, float]]:
    """``{model: {"rmse": ..., "pcc": ...}}`` of each naive baseline (screen covariate on) on ``part``."""
    rows = data.rows(part)
    scores = {}
    for name in NAIVE_BASELINES:
        model = build(name, screen_covariate=True)
        model.fit(data, 0)
        metrics = regression_metrics(data.y[rows], model.predict(data, rows))
        scores[name] = {"rmse": metrics["rmse"], "pcc": metrics["pcc"]}
    return scores
