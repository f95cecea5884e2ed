"""The figures of the README and the docs, drawn from the committed results (``benchmarks/published.py``);
``python -m benchmarks.pages`` writes them into docs/figures/ with the pages."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.published import Split, interpretation, mechanism_runs  # noqa: E402
from gsdrp.zoo import family  # noqa: E402

CHAMPION = "gs_chemdrp_champion"
COLOURS = {"gs_chemdrp": "tab:blue", "ensemble": "tab:purple", "naive": "tab:gray", "baseline": "tab:orange"}
LABELS = {"gs_chemdrp": "GS-ChemDRP", "ensemble": "ensembles", "naive": "naive", "baseline": "other baselines"}
GAP = 0.5  # rows this far above all better rows (the global and per-cell means) are marked at the panel's edge
# benchmarks/interpretation.sh's runs, in the order the interpretation page discusses them
RUNS = {"champion-random": "sweep's best trial\n(registered, 24 epochs)", "preset-random": "shipped preset\n(+ bilinear term)",
        "full-random": "paper-faithful\nfull model"}


def rmse_by_split(splits: list[Split], path: Path) -> Path:
    """(a) Every model's test RMSE per split: mean ± SD over seeds, each seed a small dot."""
    def label(model: str, split: Split) -> str:  # a split's own preset and ensemble share one row across panels
        return model.replace(split.name, "<split>") if split.name != "random" else model

    rows = list(dict.fromkeys(label(m, s) for s in splits for m in s.table.loc[s.table["screen"], "model"]))
    fig, axes = plt.subplots(1, len(splits), figsize=(3.3 * len(splits), 0.3 * len(rows) + 1.5), sharey=True)
    for ax, split in zip(np.atleast_1d(axes), splits):
        table = split.table[split.table["screen"]].reset_index(drop=True)
        table.index = [rows.index(label(m, split)) for m in table["model"]]
        seeds = {m: split.fits_of(m)["rmse"] for m in table["model"]}
        ordered = np.sort(table["rmse"].to_numpy())
        cut = next((b for a, b in zip(ordered, ordered[1:]) if b - a > GAP), np.inf)
        shown = table["rmse"] < cut
        low = min(seeds[m].min() for m in table.loc[shown, "model"]) - 0.03
        high = max(max(seeds[m].max(), r + s) for m, r, s in table.loc[shown, ["model", "rmse", "rmse_std"]].itertuples(index=False)) + 0.03
        for y, row in table.iterrows():
            colour = COLOURS[family(row["model"])]
            if not shown[y]:
                ax.annotate(f"{row['rmse']:.2f} →", (high, y), ha="right", va="center", fontsize=7, color=colour)
                continue
            ax.scatter(seeds[row["model"]], [y] * row["seeds"], s=6, color=colour, alpha=0.5, linewidths=0)
            ax.errorbar(row["rmse"], y, xerr=row["rmse_std"], fmt="o", ms=4, color=colour, capsize=2)
        ax.axvline(split.best("baseline")["rmse"], color=COLOURS["baseline"], linestyle=":", linewidth=1)
        ax.set_xlim(low, high)
        ax.set_title(f"{split.label} split", fontsize=10)
        ax.set_xlabel("test RMSE (ln IC50)")
        ax.grid(axis="x", alpha=0.3)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.invert_yaxis()
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=c) for c in COLOURS.values()]
    fig.legend(handles, list(LABELS.values()), loc="lower center", ncol=len(LABELS), fontsize=8)
    fig.suptitle("Test RMSE per split (screen covariate on): mean ± SD over seeds, small dots are seeds; "
                 "dotted line: best baseline", fontsize=10)
    return save(fig, path, bottom=0.04)


def champion_error(splits: list[Split], path: Path) -> Path:
    """(b) The champion's test RMSE on pairs measured once and on pairs measured in both screens, beside the
    split's best baseline and the replicate-noise floor of the latter (SD of GDSC2 - GDSC1 over √2)."""
    fig, axes = plt.subplots(1, len(splits), figsize=(3.2 * len(splits), 3.6))
    parts = {"rmse_measured_once": "measured once", "rmse_in_both_screens": "in both screens"}
    for ax, split in zip(np.atleast_1d(axes), splits):
        for offset, row in ((-0.2, split.row(CHAMPION)), (0.2, split.best("baseline"))):
            colour = COLOURS[family(row["model"])]
            bars = ax.bar(np.arange(len(parts)) + offset, [row[p] for p in parts], 0.4, label=row["model"],
                          yerr=[row[f"{p}_std"] for p in parts], capsize=3, color=colour)
            ax.bar_label(bars, [f"{row[p]:.2f}" for p in parts], fontsize=7, label_type="center", color="white")
        floor = split.noise_sd / np.sqrt(2)
        ax.hlines(floor, 0.6, 1.4, color="black", linestyle="--", linewidth=1, label=f"noise floor {floor:.2f}")
        ax.set_xticks(range(len(parts)), list(parts.values()))
        ax.set_title(f"{split.label} split", fontsize=10)
        ax.set_ylabel("test RMSE (ln IC50)")
        ax.legend(fontsize=7, loc="lower center")
    fig.suptitle("The champion's test error by how often a pair was measured, beside the best baseline", fontsize=10)
    return save(fig, path)


def champion_curves(splits: list[Split], path: Path) -> Path:
    """(c) The champion's learning curves on every split: validation RMSE (solid) and train RMSE (dashed,
    eval mode on a fixed sample of training pairs) per epoch, one colour per seed, best epochs marked."""
    fig, axes = plt.subplots(1, len(splits), figsize=(3.3 * len(splits), 3.4))
    for ax, split in zip(np.atleast_1d(axes), splits):
        for colour, (_, fit) in zip(("tab:blue", "tab:green", "tab:purple"), split.fits_of(CHAMPION).iterrows()):
            curve = split.curve(fit)
            ax.plot(curve["epoch"], curve["val_rmse"], color=colour, label=f"seed {fit['seed']}")
            ax.plot(curve["epoch"], curve["train_rmse"], color=colour, linestyle="--", linewidth=0.8)
            best = curve.loc[curve["val_rmse"].idxmin()]
            ax.plot(best["epoch"], best["val_rmse"], "o", color=colour, ms=4)
        ax.set_title(f"{split.label} split", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("RMSE (ln IC50)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("gs_chemdrp_champion: validation (solid) and train (dashed) RMSE per epoch; dots: best epoch, "
                 "whose weights are kept", fontsize=10)
    return save(fig, path)


def known_set_ranks(path: Path) -> Path:
    """(d) Where each known mechanism set of the paper's ten drugs ranks in the drug's attention, per run."""
    runs = {name: interpretation(name) for name in RUNS}
    sets = round(100 / next(iter(runs.values()))[0]["top10_concentration"]["overlap_by_chance"])  # chance overlap is 10·10/K
    ranks = pd.concat({name: r.set_index(["drug", "set"])["rank"] for name, (_, r) in runs.items()}, axis=1)
    ranks = ranks.loc[list(dict.fromkeys(ranks.index.get_level_values("drug")))]  # the report's drug order
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(ranks) + 2.4))
    image = ax.imshow(ranks.to_numpy(), aspect="auto", cmap="Blues_r", vmin=1, vmax=sets)
    for (y, x), rank in np.ndenumerate(ranks.to_numpy()):
        hit = rank <= 10
        ax.text(x, y, str(rank), ha="center", va="center", fontsize=8 if hit else 7,
                color="white" if rank <= sets / 3 else "black", fontweight="bold" if hit else "normal")
    labels = []
    for name, (summary, _) in runs.items():
        paper = summary["paper_drugs"]
        labels.append(f"{RUNS[name]}\nhits {paper['hits']}/{paper['drugs_present']}, p = {paper['permutation_p_value']:.2f}\n"
                      f"gate mean {summary['gate_stats']['mean']:.3f}")
    ax.set_xticks(range(len(runs)), labels, fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(ranks)), [f"{drug}: {gene_set}" for drug, gene_set in ranks.index], fontsize=7)
    fig.colorbar(image, ax=ax, label=f"rank among {sets} Hallmark sets")
    ax.set_title("Rank of each known mechanism set in its drug's attention\n"
                 "(the paper's ten drugs, random split, test pairs; bold: top 10, a hit)", fontsize=9)
    return save(fig, path)


def gate_trajectories(runs: list[dict], path: Path) -> Path:
    """(e) Mean gate and attention entropy per epoch of every ``benchmarks/mechanism.py`` run (cell-blind)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    arms = list(dict.fromkeys(r["arm"] for r in runs if "explain" in r))
    colours = dict(zip(arms, plt.get_cmap("tab10").colors))
    for r in runs:
        if r["arm"] not in colours:
            continue
        history = pd.DataFrame(r["history"])
        for ax, column in zip(axes, ("train_gate_mean", "train_attention_entropy")):
            ax.plot(history["epoch"], history[column], color=colours[r["arm"]], lw=1.6 if r["seed"] == 0 else 0.8,
                    alpha=1.0 if r["seed"] == 0 else 0.6, label=r["arm"] if r["seed"] == 0 and ax is axes[0] else None)
    axes[0].set(xlabel="epoch", ylabel="mean gate over the epoch's pairs and sets", ylim=(0, 1))
    axes[1].set(xlabel="epoch", ylabel="mean attention entropy (nats)")
    sets = round(100 / next(r for r in runs if "explain" in r)["explain"]["top10_concentration"]["overlap_by_chance"])
    axes[1].axhline(np.log(sets), color="gray", ls=":", lw=1)
    axes[1].annotate(f"uniform over {sets} sets", (1, np.log(sets)), fontsize=7, color="gray", va="bottom")
    fig.legend(loc="lower center", ncol=len(arms), fontsize=8, frameon=False)
    fig.suptitle("The gene-set path while training, cell-blind split (thick: seed 0, thin: seeds 1 and 2)", fontsize=10)
    return save(fig, path, bottom=0.08)


def save(fig, path: Path, bottom: float = 0.0) -> Path:
    """Write ``fig``, leaving ``bottom`` (a share of its height) free for a figure legend."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_all(splits: list[Split], folder: Path) -> list[Path]:
    return [
        rmse_by_split(splits, folder / "test-rmse.png"),
        champion_error(splits, folder / "champion-error.png"),
        champion_curves(splits, folder / "champion-curves.png"),
        known_set_ranks(folder / "known-set-ranks.png"),
        gate_trajectories(mechanism_runs("cell_blind"), folder / "gate-trajectories.png"),
    ]
