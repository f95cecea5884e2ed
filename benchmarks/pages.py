"""The results in the README and on docs/benchmark.md, and the figures under docs/figures/, generated from
the committed results (``benchmarks/results/``): ``python -m benchmarks.pages``.

Each generated part of a page sits between ``<!-- generated: NAME -->`` and ``<!-- /generated: NAME -->``;
the prose around it is written by hand. A test fails when a committed page differs from what this writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from benchmarks import figures
from benchmarks.published import SPLITS, Split, fold_selection_records, load_all, mechanism_runs, screen_effect_records, sweep_records
from gsdrp.benchmark import combined_sd, metric_table
from gsdrp.zoo import family

ROOT = Path(__file__).resolve().parents[1]
# the model settings a sweep table names (the rest are in each sweep's JSON)
SHOWN = ("model.variant", "model.cell_input", "model.drug_fingerprint", "model.identity", "model.dim", "model.bilinear", "baseline.max_depth",
         "baseline.learning_rate", "baseline.dim", "baseline.l2", "baseline.screen_effect", "baseline.max_samples",
         "baseline.max_features", "baseline.min_samples_leaf")
MECHANISM_SPLITS = ("cell_blind", "drug_blind")  # benchmarks/mechanism.py's committed runs
QUESTIONS = {"random": "known cell lines and drugs", "cell_blind": "new cell lines", "drug_blind": "new drugs",
             "tissue_blind": "new tissues"}


def rmse(row: pd.Series) -> str:
    sd = f" ± {row['rmse_std']:.3f}" if row["seeds"] > 1 else ""
    return f"{row['rmse']:.3f}{sd} ({row['seeds']})"


def glance(splits: list[Split]) -> str:
    """The README's table: per split, the best GS-ChemDRP row beside the best baseline and the gap between
    them with both rows' seed SDs combined, then the best average of the two kinds; the best of all in bold."""
    lines = [
        "Test RMSE (ln IC50, lower is better) with the screen covariate, mean ± SD over seeds (how many in "
        "brackets). GS-ChemDRP: one model, or the average of five seeds of one (`ensemble_*_x5`). Baselines: the "
        "naive models, ridge, random forest, XGBoost, the MLP and matrix factorisation at one setting each "
        "(matrix factorisation also with a GDSC2 shift of its own per pair, `matrix_factorisation_pair`), and "
        "XGBoost, the random forest and matrix factorisation with the setting their own sweep on the split selected "
        "(`<model>_tuned_<split>`, where one ran). Gap: GS-ChemDRP minus baseline, ± both SDs combined. "
        "Blend: a GS-ChemDRP preset averaged with a baseline (`gsdrp.ensemble`), and its gap to that best baseline.",
        "",
        "| question | split | best GS-ChemDRP | best baseline | gap | best blend (gap) | fitted |",
        "|---|---|---|---|---|---|---|",
    ]
    for split in splits:
        deep, base, blend = split.best("gs_chemdrp"), split.best("baseline"), split.best("blend")
        shown = [r for r in (deep, base, blend) if r is not None]
        winner = min(r["rmse"] for r in shown)
        cells = [f"{f'**{rmse(r)}**' if r['rmse'] == winner else rmse(r)} `{r['model']}`" for r in shown]
        blended = f"{cells[2]} ({gap(blend, base)})" if blend is not None else "–"
        dates = split.dates([r["model"] for r in shown])
        lines.append(f"| {QUESTIONS[split.name]} | {split.label} | {cells[0]} | {cells[1]} | {gap(deep, base)} | {blended} | {dates} |")
    return "\n".join(lines)


def gap(row: pd.Series, reference: pd.Series) -> str:
    """``row`` minus ``reference`` in test RMSE, ± their seed SDs combined (when both have several seeds)."""
    both = row["seeds"] > 1 and reference["seeds"] > 1
    sd = f" ± {combined_sd(row, reference):.3f}" if both else ""
    return f"{row['rmse'] - reference['rmse']:+.3f}{sd}"


def by_model_table(splits: list[Split], title: str, models: list[str], cell: Callable[[Split, str], str | None]) -> str:
    """One row per model, one column per split; ``cell`` None shows as –."""
    lines = [title, "", "| model | " + " | ".join(f"{s.label} split" for s in splits) + " |", "|---|" + "---|" * len(splits)]
    lines += [f"| {m} | " + " | ".join(cell(s, m) or "–" for s in splits) + " |" for m in models]
    return "\n".join(lines)


def overview(splits: list[Split]) -> str:
    """Every model's test RMSE on every split, and its gap to XGBoost, tuned for the split where it was
    (screen covariate on)."""
    models = list(dict.fromkeys(m for s in splits for m in s.table.loc[s.table["screen"], "model"]))
    on = {s.name: set(s.table.loc[s.table["screen"], "model"]) for s in splits}

    def rival(split: Split) -> str:
        tuned = f"xgboost_tuned_{split.name}"
        return tuned if tuned in on[split.name] else "xgboost"

    def gap_to_rival(split: Split, model: str) -> str | None:
        if model not in on[split.name] or rival(split) not in on[split.name] or model == rival(split):
            return None
        return gap(split.row(model), split.row(rival(split)))

    rivals = ", ".join(f"{s.label} `{rival(s)}`" for s in splits)
    return "\n\n".join([
        by_model_table(splits, "### Test RMSE of every model (screen covariate on; mean ± SD over seeds, seeds in brackets)",
                       models, lambda s, m: rmse(s.row(m)) if m in on[s.name] else None),
        by_model_table(splits, f"### Gap to XGBoost (test RMSE minus XGBoost's, tuned for the split where it was: {rivals}; "
                       "negative is better; ± combines both models' seed SDs)",
                       [m for m in models if family(m) != "naive"], gap_to_rival),
    ])


def settings(split: Split) -> str:
    """Every row's hyperparameters and the training budget it used (mean over its fits); the settings all
    GS-ChemDRP rows share are listed once."""
    rows = split.table[["model", "screen"]].itertuples(index=False)
    fits = dict(iter(pd.concat([split.fits_of(m, s) for m, s in rows]).groupby("model", sort=False)))
    # the screen switch is the table's, not a row's setting
    # and an ensemble's member settings are its members' rows
    params = {m: {k: v for k, v in f["hyperparameters"].iloc[0].items() if not k.endswith("screen_covariate") and k != "member_settings"}
              for m, f in fits.items()}
    deep = [m for m in fits if family(m) == "gs_chemdrp"]
    shared = {k: v for k, v in params[deep[0]].items() if all(params[m].get(k) == v for m in deep)} if deep else {}

    def used(model: str) -> str:
        budget = pd.DataFrame(list(fits[model]["budget"])).mean(numeric_only=True)
        return ", ".join(f"{k} {v:,.0f}" for k, v in budget.items())

    def listed(values: dict) -> str:
        return ", ".join(f"{k}={v}" for k, v in values.items())

    lines = ["#### Settings of each row", "",
             "Hyperparameters; training budget used, mean over the model's fits (both screen modes where both ran).", ""]
    lines += [f"- `{m}`: {listed(params[m])}; used: {used(m)}" for m in fits if m not in deep]
    if deep:
        lines += ["", f"Every GS-ChemDRP row: {listed(shared)}.", "", "| model | its own settings | used |", "|---|---|---|"]
        own = {m: {k: v for k, v in params[m].items() if k not in shared} for m in deep}
        lines += [f"| `{m}` | {listed(own[m]) or '–'} | {used(m)} |" for m in deep]
    return "\n".join(lines)


def tables(splits: list[Split]) -> str:
    """Each split's full table per screen mode (``table.json``) and the settings of its rows (``results.jsonl``)."""
    parts = []
    for split in splits:
        parts.append(f"### {split.label} split\n\n{split.header}")
        for screen, part in split.table.groupby("screen", sort=False):
            parts.append(f"#### {'With' if screen else 'Without'} the screen covariate\n\n" + "\n".join(metric_table(part)))
        parts.append(settings(split))
    return "\n\n".join(parts)


def sweep_summary(records: list[dict]) -> str:
    """One row per committed sweep (``benchmarks/results/sweeps/*.json``): its budget, the trial that validation
    selects, that trial's test RMSE (one seed), and how well validation ranks the completed trials by test."""
    lines = [
        "| sweep | split | date | trials (completed) x at most epochs | trial CPU time | selected trial: val / test RMSE | its settings | Spearman(val, test) over completed trials |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        best = r["selected"]
        settings = ", ".join(f"{key.split('.', 1)[1]}={_short(best[key])}" for key in SHOWN if key in best) or "–"
        rank = "–" if r["spearman_val_test"] is None else f"{r['spearman_val_test']:.2f}"
        lines.append(
            f"| `{r['experiment']}` | {SPLITS.get(r['split'], r['split'])} | {r['date']} | {r['trials']} ({r['completed']}) x {r['max_epochs']} "
            f"| {r['trial_cpu_seconds'] / 3600:.1f} h | {best['final_val_rmse']:.3f} / {best['final_test_rmse']:.3f} | {settings} | {rank} |"
        )
    return "\n".join(lines)


def screen_effect_table(records: list[dict]) -> str:
    """Per preset: validation and test RMSE at seed 0 with each GDSC2 offset, and the one validation chose."""
    lines = ["| preset | split | date | global: val / test | drug: val / test | pair: val / test | chosen by validation |", "|---|---|---|---|---|---|---|"]
    for r in records:
        runs = {run["screen_effect"]: f"{run['val_rmse']:.3f} / {run['test_rmse']:.3f}" for run in r["runs"]}
        cells = " | ".join(runs.get(effect, "–") for effect in ("global", "drug", "pair"))
        lines.append(f"| `{r['preset']}` | {SPLITS.get(r['split'], r['split'])} | {r['date']} | {cells} | {r['chosen_by_validation']} |")
    return "\n".join(lines)


def fold_selection_table(records: list[dict]) -> str:
    """Per sweep: how well grouped folds and the split's validation part rank its trials by test RMSE."""
    lines = [
        "| sweep | date | trials refitted | folds | Spearman(fold score, test) | Spearman(validation, test) "
        "| test RMSE of the trial chosen by folds / by validation / best | CPU time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        s = r.get("summary") or {}
        if not s:
            continue
        cpu = sum(t["cpu_seconds"] for t in r["trials"]) / 3600
        lines.append(
            f"| `{r['experiment']}` | {r['date']} | {len(r['trials'])} | {r['folds']} | {s['spearman_fold_test']:.2f} "
            f"| {s['spearman_val_test']:.2f} | {s['selected_by_folds']['test_rmse']:.3f} / {s['selected_by_val']['test_rmse']:.3f} "
            f"/ {s['best_test_rmse']:.3f} | {cpu:.1f} h |"
        )
    return "\n".join(lines)


def mechanism_table(runs: list[dict]) -> str:
    """One row per ``benchmarks/mechanism.py`` run: accuracy, gates, attention, and the target-pathway hits
    against both nulls, beside the two controls (docs/interpretation.md)."""
    lines = [
        "| arm | seed | test RMSE | best epoch | mean gate | attention entropy at the best epoch (nats) | hits / mapped drugs | random rankings: expected, p "
        "| pathways shuffled: expected, p | shuffled set labels: hits, p | untrained: hits, p random / shuffled | most common set in top 10 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        metrics = r["metrics"]
        best = next(h for h in r["history"] if h["epoch"] == metrics["best_epoch"])
        head = f"| {r['arm']} | {r['seed']} | {metrics['test_rmse']:.3f} | {metrics['best_epoch']} |"
        if "explain" not in r:
            lines.append(head + " – | – | – | – | – | – | – | – |")
            continue
        e, hits = r["explain"], r["explain"]["target_pathways"]
        labels, untrained = e["controls"]["shuffled_set_labels"], e["controls"]["untrained"]
        lines.append(
            head + f" {e['gate_stats']['mean']:.3f} | {best['train_attention_entropy']:.2f} | {hits['hits']} / {hits['drugs_present']} "
            f"| {hits['expected_hits_by_chance']:.1f}, {hits['permutation_p_value']:.3f} "
            f"| {hits['expected_hits_pathways_shuffled']:.1f}, **{hits['pathways_shuffled_p_value']:.3f}** "
            f"| {labels['hits']}, {labels['pathways_shuffled_p_value']:.3f} "
            f"| {untrained['hits']}, {untrained['permutation_p_value']:.3f} / {untrained['pathways_shuffled_p_value']:.3f} "
            f"| {max(e['top10_concentration']['most_common'].values()):.0%} |"
        )
    return "\n".join(lines)


def _short(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:.3g}" if not number.is_integer() else str(int(number))


def replace(text: str, name: str, content: str) -> str:
    start, end = f"<!-- generated: {name} -->", f"<!-- /generated: {name} -->"
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"the page needs one {start!r} line and one {end!r} line")
    head, rest = text.split(start)
    return f"{head}{start}\n{content}\n{end}{rest.split(end)[1]}"


def render(splits: list[Split]) -> dict[Path, str]:
    """Every generated page, with its generated parts as they should be now."""
    parts = {
        ROOT / "README.md": {"glance": glance(splits)},
        ROOT / "docs" / "benchmark.md": {"overview": overview(splits), "tables": tables(splits)},
        ROOT / "docs" / "sweeps.md": {"sweeps": sweep_summary(sweep_records()), "fold-selection": fold_selection_table(fold_selection_records()),
                                       "screen-effect": screen_effect_table(screen_effect_records())},
        ROOT / "docs" / "interpretation.md": {
            f"mechanism-{split}": mechanism_table(mechanism_runs(split)) for split in MECHANISM_SPLITS
        },
    }
    pages = {}
    for path, blocks in parts.items():
        text = path.read_text()
        for name, content in blocks.items():
            text = replace(text, name, content)
        pages[path] = text
    return pages


def main() -> None:
    splits = load_all()
    for path, text in render(splits).items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    for path in figures.write_all(splits, ROOT / "docs" / "figures"):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
