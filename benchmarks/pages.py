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
from benchmarks.published import SPLITS, Split, family, load_all, sweep_records
from gsdrp.benchmark import metric_table

ROOT = Path(__file__).resolve().parents[1]
# the model settings a sweep table names (the rest are in each sweep's JSON)
SHOWN = ("model.variant", "model.cell_input", "model.drug_fingerprint", "model.identity", "model.dim", "model.bilinear", "baseline.max_depth", "baseline.learning_rate")
QUESTIONS = {"random": "known cell lines and drugs", "cell_blind": "new cell lines", "drug_blind": "new drugs",
             "tissue_blind": "new tissues"}


def rmse(row: pd.Series) -> str:
    sd = f" ± {row['rmse_std']:.3f}" if row["seeds"] > 1 else ""
    return f"{row['rmse']:.3f}{sd} ({row['seeds']})"


def glance(splits: list[Split]) -> str:
    """The README's table: per split, the best GS-ChemDRP row beside the best baseline, the better in bold."""
    lines = [
        "Test RMSE (ln IC50, lower is better) with the screen covariate, mean ± SD over seeds (how many in "
        "brackets). Baselines: the naive models, ridge, random forest, XGBoost, the MLP and matrix factorisation.",
        "",
        "| question | split | best GS-ChemDRP | best baseline | fitted |",
        "|---|---|---|---|---|",
    ]
    for split in splits:
        deep, base = split.best(baseline=False), split.best(baseline=True)
        winner = min(deep["rmse"], base["rmse"])
        cells = [f"{f'**{rmse(r)}**' if r['rmse'] == winner else rmse(r)} `{r['model']}`" for r in (deep, base)]
        dates = split.dates([deep["model"], base["model"]])
        lines.append(f"| {QUESTIONS[split.name]} | {split.label} | {cells[0]} | {cells[1]} | {dates} |")
    return "\n".join(lines)


def by_model_table(splits: list[Split], title: str, models: list[str], cell: Callable[[Split, str], str | None]) -> str:
    """One row per model, one column per split; ``cell`` None shows as –."""
    lines = [title, "", "| model | " + " | ".join(f"{s.label} split" for s in splits) + " |", "|---|" + "---|" * len(splits)]
    lines += [f"| {m} | " + " | ".join(cell(s, m) or "–" for s in splits) + " |" for m in models]
    return "\n".join(lines)


def overview(splits: list[Split]) -> str:
    """Every model's test RMSE on every split, and its gap to XGBoost (screen covariate on)."""
    models = list(dict.fromkeys(m for s in splits for m in s.table.loc[s.table["screen"], "model"]))
    on = {s.name: set(s.table.loc[s.table["screen"], "model"]) for s in splits}

    def gap(split: Split, model: str) -> str | None:
        if model not in on[split.name] or "xgboost" not in on[split.name]:
            return None
        row, ref = split.row(model), split.row("xgboost")
        sd = f" ± {(row['rmse_std'] ** 2 + ref['rmse_std'] ** 2) ** 0.5:.3f}" if row["seeds"] > 1 and ref["seeds"] > 1 else ""
        return f"{row['rmse'] - ref['rmse']:+.3f}{sd}"

    return "\n\n".join([
        by_model_table(splits, "### Test RMSE of every model (screen covariate on; mean ± SD over seeds, seeds in brackets)",
                       models, lambda s, m: rmse(s.row(m)) if m in on[s.name] else None),
        by_model_table(splits, "### Gap to XGBoost (test RMSE minus XGBoost's; negative is better; ± combines both "
                       "models' seed SDs)", [m for m in models if m != "xgboost" and family(m) != "naive"], gap),
    ])


def settings(split: Split) -> str:
    """Every row's hyperparameters and the training budget it used (mean over its fits); the settings all
    GS-ChemDRP rows share are listed once."""
    rows = split.table[["model", "screen"]].itertuples(index=False)
    fits = dict(iter(pd.concat([split.fits_of(m, s) for m, s in rows]).groupby("model", sort=False)))
    # the screen switch is the table's, not a row's setting
    params = {m: {k: v for k, v in f["hyperparameters"].iloc[0].items() if not k.endswith("screen_covariate")}
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
        ROOT / "docs" / "sweeps.md": {"sweeps": sweep_summary(sweep_records())},
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
