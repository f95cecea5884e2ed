"""Figures a user looks at in the MLflow UI: parity, learning curves, per-drug top gene sets, attention heatmap."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402

from gsdrp.explain.matrices import short  # noqa: E402


def parity(y: np.ndarray, pred: np.ndarray, path: Path, title: str) -> Path:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.hexbin(y, pred, gridsize=60, bins="log", cmap="viridis", mincnt=1)
    low, high = float(min(y.min(), pred.min())), float(max(y.max(), pred.max()))
    ax.plot([low, high], [low, high], color="black", linewidth=0.8)
    ax.set(xlabel="measured ln IC50", ylabel="predicted ln IC50", title=title)
    return _save(fig, path)


def learning_curves(history: list[dict], path: Path, title: str = "") -> Path:
    frame = pd.DataFrame(history)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.set_title(title, fontsize=9)
    ax.plot(frame["epoch"], frame["train_rmse"], label="train RMSE (eval mode, sample of training pairs)")
    ax.plot(frame["epoch"], frame["val_rmse"], label="validation RMSE")
    best = frame.loc[frame["val_rmse"].idxmin()]
    ax.axvline(best["epoch"], color="grey", linestyle=":", label=f"best epoch {int(best['epoch'])}")
    ax.set(xlabel="epoch", ylabel="RMSE (ln IC50)")
    ax.legend()
    return _save(fig, path)


def top_sets_bar(values: pd.Series, n_sets: int, path: Path, title: str, known: list[str] = ()) -> Path:
    """Horizontal bars of each set's mean attention relative to uniform (1/K over ``n_sets``), largest on
    top; sets known for the drug's mechanism in orange."""
    names = [short(n) for n in values.index]
    colors = ["tab:orange" if n in known else "tab:blue" for n in names]
    above = 100 * (values.to_numpy() * n_sets - 1)
    fig, ax = plt.subplots(figsize=(5.5, 0.35 * len(values) + 1.2))
    bars = ax.barh(names[::-1], above[::-1], color=colors[::-1])
    ax.bar_label(bars, [f"{v:+.1f}%" for v in above[::-1]], padding=2, fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.margins(x=0.2)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(f"mean attention vs uniform 1/{n_sets} (%)")
    return _save(fig, path)


def furthest_from_uniform(matrix: pd.DataFrame, pathways: dict[str, str | None], rows: int) -> pd.DataFrame:
    """The ``rows`` drugs whose attention row is furthest from uniform (L1 distance to 1/K), grouped by
    TARGET_PATHWAY (alphabetically), furthest first within a pathway; the index labels carry the pathway."""
    deviation = (matrix - 1.0 / matrix.shape[1]).abs().sum(axis=1).nlargest(rows)
    order = pd.DataFrame({"pathway": [pathways.get(d) or "no specific pathway" for d in deviation.index], "deviation": deviation})
    order = order.sort_values(["pathway", "deviation"], ascending=[True, False])
    chosen = matrix.loc[order.index]
    chosen.index = [f"{drug}  ({pathway})" for drug, pathway in order["pathway"].items()]
    return chosen


def heatmap(matrix: pd.DataFrame, pathways: dict[str, str | None], path: Path, title: str, rows: int = 40) -> Path:
    """Attention of the drugs furthest from uniform, labelled and grouped by pathway; white is uniform (1/K)."""
    uniform = 1.0 / matrix.shape[1]
    chosen = furthest_from_uniform(matrix, pathways, rows)
    spread = float(np.abs(chosen.to_numpy() - uniform).max()) or uniform
    norm = TwoSlopeNorm(vcenter=uniform, vmin=max(uniform - spread, 0.0), vmax=uniform + spread)
    fig, ax = plt.subplots(figsize=(0.2 * matrix.shape[1] + 5, 0.2 * len(chosen) + 2))
    image = ax.imshow(chosen.to_numpy(), aspect="auto", cmap="RdBu_r", norm=norm)
    ax.set_xticks(range(matrix.shape[1]), [short(c) for c in matrix.columns], rotation=90, fontsize=6)
    ax.set_yticks(range(len(chosen)), chosen.index, fontsize=6)
    ax.set_title(f"{title}\n{len(chosen)} of {matrix.shape[0]} drugs, those furthest from uniform, by TARGET_PATHWAY", fontsize=9)
    fig.colorbar(image, ax=ax, label=f"mean attention (white: uniform 1/{matrix.shape[1]} = {uniform:.4f})")
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
