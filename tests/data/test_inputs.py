"""Bad input gets a clear error naming the culprit; nothing half-written is left behind."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from gsdrp.config import DataConfig
from gsdrp.data.drugs import pathway_class, standardise_smiles
from gsdrp.data.prepare import cache_dir, prepare
from gsdrp.data.raw import DataError
from gsdrp.data.response import replicate_noise


def test_invalid_smiles_names_the_drug():
    with pytest.raises(DataError, match=r"drug 'Mystery'.*invalid SMILES 'C1CC\(\(N'"):
        standardise_smiles("C1CC((N", "Mystery")


def test_salts_are_stripped_but_platinum_is_kept():
    assert standardise_smiles("CCN.Cl") == "CCN"
    assert "Pt" in standardise_smiles("N.N.Cl[Pt]Cl", "Cisplatin")


def test_pathway_spellings_merge_and_unspecific_is_unlabelled():
    assert pathway_class("PI3K/mTOR pathway") == "PI3K/MTOR signaling"
    assert pathway_class("Other|EGFR signaling") == "EGFR signaling"
    assert pathway_class("Unclassified") is None
    assert pathway_class(float("nan")) is None


def test_bad_smiles_in_the_drug_table_drops_and_lists_the_drug(raw_copy, tmp_path):
    path = raw_copy / "drugs/gdsc_drugs_merged.csv"
    table = pd.read_csv(path)
    path.unlink()
    table.loc[table["DRUG_NAME"] == "Erlotinib", "SMILES_RAW"] = "not-a-smiles(("
    table.to_csv(path, index=False)
    summary_dir = prepare(DataConfig(), raw_copy, tmp_path / "out")
    dropped = pd.read_json(summary_dir / "summary.json", typ="series")["dropped"]["drugs"]
    assert "invalid SMILES" in dropped["Erlotinib"]


def test_missing_file_names_the_path(raw_copy, tmp_path):
    (raw_copy / "response/gdsc2_ln_ic50_rel8.4.csv.gz").unlink()
    with pytest.raises(DataError, match=r"missing raw file .*gdsc2_ln_ic50_rel8\.4\.csv\.gz"):
        prepare(DataConfig(), raw_copy, tmp_path / "out")


def test_missing_column_names_file_and_column(raw_copy, tmp_path):
    path = raw_copy / "response/gdsc1_ln_ic50_rel8.4.csv.gz"
    path.unlink()
    with gzip.open(path, "wt") as handle:
        handle.write("CELL_LINE_NAME,DRUG_NAME,IC50\nA,B,1.0\n")
    with pytest.raises(DataError, match=r"gdsc1_ln_ic50_rel8\.4\.csv\.gz lacks column\(s\) LN_IC50"):
        prepare(DataConfig(), raw_copy, tmp_path / "out")


def test_failed_prepare_leaves_no_cache(raw_copy, tmp_path):
    path = raw_copy / "genesets/h.all.v2023.1.Hs.entrez_via_org.Hs.eg.db.gmt"
    path.unlink()
    path.write_text("HALLMARK_BROKEN\n")
    out = tmp_path / "out"
    with pytest.raises(DataError, match="GMT line needs"):
        prepare(DataConfig(), raw_copy, out)
    assert not cache_dir(DataConfig(), out).exists()
    assert not out.exists() or not any(out.iterdir())  # no staging folder left either


def test_unknown_gene_universe_is_rejected():
    with pytest.raises(ValueError, match="genes='exome' is not one of landmark, all"):
        DataConfig(genes="exome")


def test_replicate_noise_by_hand():
    responses = pd.DataFrame(
        {
            "cell": ["a", "a", "b", "b", "c"],
            "drug": ["x", "x", "x", "x", "x"],
            "screen": ["GDSC1", "GDSC2", "GDSC1", "GDSC2", "GDSC1"],
            "ln_ic50": [1.0, 3.0, 0.0, 0.0, 5.0],
        }
    )
    noise = replicate_noise(responses)
    # pair a: deviations +-1 (SS 2), pair b: SS 0; dof 2 -> sqrt(2 / 2) = 1
    assert noise["pooled_within_pair_sd_all"] == pytest.approx(1.0)
    assert noise["gdsc2_minus_gdsc1_mean"] == pytest.approx(1.0)
    assert noise["n_pairs_in_both_screens"] == 2
