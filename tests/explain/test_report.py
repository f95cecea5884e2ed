"""`gsdrp explain` on a real (briefly) trained run folder."""

from __future__ import annotations

import json

import pandas as pd

from gsdrp.cli import main
from gsdrp.config import DataConfig, ModelConfig, TrainConfig
from gsdrp.explain.matrices import KNOWN_PATHWAYS
from gsdrp.train.run import train_run


def test_explain_writes_report_matrices_and_plots(prepared_root, tmp_path, capsys):
    folder = train_run(
        DataConfig(), ModelConfig(variant="full"), TrainConfig(max_epochs=1, train_fraction=0.01), tmp_path, prepared_root
    )
    main(["explain", "--run", str(folder), "--prepared", str(prepared_root)])
    out = folder / "explain-test"
    assert "Known mechanisms in the top 10" in capsys.readouterr().out
    attention = pd.read_csv(out / "drug_set_attention.csv", index_col=0)
    assert attention.shape[1] == 44 and ((attention.sum(axis=1) - 1).abs() < 1e-4).all()
    hits = pd.read_csv(out / "hits_paper_drugs.csv", index_col=0)
    assert set(hits.index) == set(KNOWN_PATHWAYS)
    summary = json.loads((out / "summary.json").read_text())
    assert 0 < summary["gate_stats"]["min"] <= summary["gate_stats"]["max"] < 1
    assert summary["paper_drugs"]["drugs_present"] + summary["paper_drugs"]["drugs_absent"] == 10
    concentration = summary["top10_concentration"]
    assert 0 <= concentration["mean_overlap"] <= 10 and len(concentration["most_common"]) == 3
    assert "two drugs share" in (out / "report.md").read_text()
    assert summary["paper_drugs_by_gate"]["drugs_present"] == summary["paper_drugs"]["drugs_present"]
    assert 0 <= summary["paper_drugs_by_gate"]["hits"] <= summary["paper_drugs_by_gate"]["drugs_present"]
    assert {p.name for p in (out / "top10").iterdir()} <= {f"{d}.png" for d in KNOWN_PATHWAYS}
    assert (out / "attention_heatmap.png").stat().st_size > 10_000
    controls = summary["controls"]
    assert set(controls) == {"shuffled_set_labels", "untrained"}
    for control in controls.values():
        assert control["drugs_present"] == summary["target_pathways"]["drugs_present"]
        assert control["expected_hits_by_chance"] == summary["target_pathways"]["expected_hits_by_chance"]
        assert 0 < control["permutation_p_value"] <= 1 and len(control["top10_concentration"]["most_common"]) == 3
    assert "Controls, over the same mapped drugs" in (out / "report.md").read_text()


def test_shuffled_set_labels_keep_each_drugs_values_but_not_which_set_holds_them():
    from gsdrp.explain.report import shuffled_set_labels

    matrix = pd.DataFrame([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]], index=["a", "b"], columns=["X", "Y", "Z"])
    shuffled = shuffled_set_labels(matrix, seed=0)
    assert sorted(shuffled.columns) == ["X", "Y", "Z"] and list(shuffled.columns) != ["X", "Y", "Z"]
    assert (shuffled.to_numpy() == matrix.to_numpy()).all()
