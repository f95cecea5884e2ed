"""GDSC1 + GDSC2 drug responses (LN_IC50 = natural log of IC50 in µM) and their replicate noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.data.raw import DataError, raw_path, read_table

SCREENS = ("GDSC1", "GDSC2")


def load_responses(raw_dir: Path) -> pd.DataFrame:
    """All measurements: ``cell, drug, screen, ln_ic50`` (one row per measurement)."""
    frames = []
    for screen in SCREENS:
        path = raw_path(raw_dir, screen.lower())
        names = {"CELL_LINE_NAME": str, "DRUG_NAME": str}
        frame = read_table(path, ["CELL_LINE_NAME", "DRUG_NAME", "LN_IC50"], dtype=names)
        if frame["LN_IC50"].isna().any():
            raise DataError(f"{path}: column LN_IC50 has {frame['LN_IC50'].isna().sum()} missing values")
        frames.append(
            pd.DataFrame(
                {"cell": frame["CELL_LINE_NAME"], "drug": frame["DRUG_NAME"], "screen": screen, "ln_ic50": frame["LN_IC50"]}
            )
        )
    return pd.concat(frames, ignore_index=True)


def average_replicates(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per (cell, drug): the mean LN_IC50; ``screen`` is GDSC1, GDSC2 or GDSC1+GDSC2."""
    grouped = responses.groupby(["cell", "drug"], sort=False)
    return pd.DataFrame(
        {
            "ln_ic50": grouped["ln_ic50"].mean(),
            "screen": grouped["screen"].agg(lambda s: "+".join(sorted(set(s)))),
        }
    ).reset_index()[["cell", "drug", "screen", "ln_ic50"]]


def replicate_noise(responses: pd.DataFrame) -> dict[str, float]:
    """Disagreement between repeated measurements of the same (cell, drug) pair.

    ``pooled_within_pair_sd`` is sqrt(sum of squared deviations from each pair's mean /
    sum(n - 1)) over pairs measured more than once: the RMSE floor for predicting one
    measurement from the pair's true value. ``*_within_screen`` uses repeats inside one screen
    (two GDSC drug IDs sharing a name); ``*_across_screens`` compares GDSC1 with GDSC2.
    """
    keys = ["cell", "drug"]
    summary: dict[str, float] = {}
    for label, by in (("all", keys), ("within_screen", keys + ["screen"])):
        sd, n_repeated = _pooled_sd(responses, by)
        summary[f"pooled_within_pair_sd_{label}"] = sd
        summary[f"n_repeated_pairs_{label}"] = n_repeated
    per_screen = responses.groupby(keys + ["screen"])["ln_ic50"].mean().unstack("screen").dropna()
    diff = per_screen["GDSC2"] - per_screen["GDSC1"]
    summary.update(
        n_pairs_in_both_screens=int(len(diff)),
        gdsc2_minus_gdsc1_mean=float(diff.mean()),
        gdsc2_minus_gdsc1_sd=float(diff.std()),
        pooled_within_pair_sd_across_screens=float(np.sqrt((diff**2).mean() / 2)),
    )
    return summary


def _pooled_sd(responses: pd.DataFrame, by: list[str]) -> tuple[float, int]:
    grouped = responses.groupby(by)["ln_ic50"]
    sizes = grouped.size()
    deviation = responses["ln_ic50"] - grouped.transform("mean")
    dof = int((sizes - 1).sum())
    return (float(np.sqrt((deviation**2).sum() / dof)) if dof else float("nan")), int((sizes > 1).sum())
