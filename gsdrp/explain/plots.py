"""Figures a user looks at in the MLflow UI: parity, learning curves, per-drug top gene sets."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

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


def top_sets_bar(values: pd.Series, path: Path, title: str, known: list[str] = ()) -> Path:
    """Horizontal bars, largest on top; sets known for the drug's mechanism in orange."""
    names = [short(n) for n in values.index]
    colors = ["tab:orange" if n in known else "tab:blue" for n in names]
    fig, ax = plt.subplots(figsize=(5, 0.35 * len(values) + 1))
    ax.barh(names[::-1], values.to_numpy()[::-1], color=colors[::-1])
    ax.set(title=title, xlabel="mean attention")
    return _save(fig, path)


def heatmap(matrix: pd.DataFrame, path: Path, title: str) -> Path:
    fig, ax = plt.subplots(figsize=(0.18 * matrix.shape[1] + 3, 0.06 * matrix.shape[0] + 2))
    image = ax.imshow(matrix.to_numpy(), aspect="auto", cmap="magma")
    ax.set_xticks(range(matrix.shape[1]), [short(c) for c in matrix.columns], rotation=90, fontsize=5)
    ax.set_yticks([])
    ax.set(title=title, ylabel=f"{matrix.shape[0]} drugs")
    fig.colorbar(image, ax=ax)
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
