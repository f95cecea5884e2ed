"""GS-ChemDRP network: shapes, gates, attention, variants, and the per-distinct-cell shortcut."""

from __future__ import annotations

import pytest
import torch

from gsdrp.config import ModelConfig
from gsdrp.model.network import Batch, GSChemDRP

N_SETS, DRUG_DIM = 7, 12


def make_batch(n_cells=3, n_drugs=2, pairs=10, seed=0) -> Batch:
    g = torch.Generator().manual_seed(seed)
    return Batch(
        activity=torch.randn(n_cells, N_SETS, generator=g),
        drug_input=torch.randn(n_drugs, DRUG_DIM, generator=g),
        cell_of_pair=torch.randint(0, n_cells, (pairs,), generator=g),
        drug_of_pair=torch.randint(0, n_drugs, (pairs,), generator=g),
        gdsc2=torch.randint(0, 2, (pairs,), generator=g).float(),
    )


def make_model(**changes) -> GSChemDRP:
    torch.manual_seed(0)
    return GSChemDRP(ModelConfig(dim=16, heads=4, **changes), N_SETS, DRUG_DIM).eval()


def test_shapes_gates_and_attention():
    out = make_model(variant="full")(make_batch())
    assert out.prediction.shape == (10,)
    assert out.drug_embedding.shape == (2, 16)
    assert out.gates.shape == (10, N_SETS) and out.attention.shape == (10, 4, N_SETS)
    assert ((out.gates > 0) & (out.gates < 1)).all()
    torch.testing.assert_close(out.attention.sum(-1), torch.ones(10, 4))


def test_baseline_variant_has_no_gene_set_path():
    model = make_model(variant="baseline")
    out = model(make_batch())
    assert out.gates is None and out.attention is None
    assert not hasattr(model, "attention") and not hasattr(model, "gate")


def test_residual_gate_changes_the_output():
    plain, residual = make_model(variant="full"), make_model(variant="full", residual_gate=True)
    residual.load_state_dict(plain.state_dict())
    batch = make_batch()
    assert not torch.allclose(plain(batch).prediction, residual(batch).prediction)


def test_screen_covariate_adds_a_learned_offset():
    model = make_model(variant="full", screen_covariate=True)
    with torch.no_grad():
        model.screen_offset.fill_(0.7)
    batch = make_batch()
    flipped = Batch(batch.activity, batch.drug_input, batch.cell_of_pair, batch.drug_of_pair, 1.0 - batch.gdsc2)
    diff = model(batch).prediction - model(flipped).prediction
    torch.testing.assert_close(diff, 0.7 * (batch.gdsc2 - flipped.gdsc2))
    assert make_model(screen_covariate=False).screen_offset is None


def test_per_distinct_cell_equals_per_pair():
    """Computing tokens once per distinct cell and gathering gives the per-pair result."""
    model = make_model(variant="full")
    batch = make_batch(n_cells=3, n_drugs=2, pairs=12)
    per_pair = Batch(
        batch.activity[batch.cell_of_pair],
        batch.drug_input[batch.drug_of_pair],
        torch.arange(12),
        torch.arange(12),
        batch.gdsc2,
    )
    shared, separate = model(batch), model(per_pair)
    torch.testing.assert_close(shared.prediction, separate.prediction)
    torch.testing.assert_close(shared.gates, separate.gates)
    torch.testing.assert_close(shared.attention, separate.attention)


def test_gates_depend_on_the_drug():
    batch = make_batch(n_cells=1, n_drugs=2, pairs=2)
    batch.cell_of_pair[:] = 0
    batch.drug_of_pair[:] = torch.tensor([0, 1])
    out = make_model(variant="gating")(batch)
    assert not torch.allclose(out.gates[0], out.gates[1])


def test_dim_must_divide_by_heads():
    with pytest.raises(ValueError, match="divisible by heads"):
        ModelConfig(dim=10, heads=4)
