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


def _screen_shift(model: GSChemDRP, batch: Batch) -> torch.Tensor:
    """Per pair: the prediction for the GDSC2 screen minus that for GDSC1."""
    in_screen = lambda gdsc2: Batch(batch.activity, batch.drug_input, batch.cell_of_pair, batch.drug_of_pair, gdsc2)
    ones = torch.ones_like(batch.gdsc2)
    return model(in_screen(ones)).prediction - model(in_screen(0 * ones)).prediction


@pytest.mark.parametrize("effect", ["global", "drug", "pair"])
def test_screen_effect_sets_what_the_gdsc2_shift_depends_on(effect):
    model = make_model(variant="full", screen_effect=effect)
    with torch.no_grad():
        model.screen_offset.fill_(0.7)
        if effect == "drug":  # zero at start (the single offset); trained, it varies with z_d
            torch.testing.assert_close(_screen_shift(model, make_batch()), torch.full((10,), 0.7))
            model.screen_by_drug.weight.normal_()
    batch = make_batch(n_cells=3, n_drugs=2, pairs=40)
    shift = _screen_shift(model, batch)
    per_drug = [shift[batch.drug_of_pair == d] for d in range(2)]
    same_within_drug = all(torch.allclose(s, s[0].expand_as(s)) for s in per_drug)
    if effect == "global":
        torch.testing.assert_close(shift, torch.full((40,), 0.7))
    elif effect == "drug":
        assert same_within_drug and not torch.isclose(per_drug[0][0], per_drug[1][0])
    else:
        assert not same_within_drug


def test_screen_effect_is_ignored_without_the_screen_covariate():
    model = make_model(variant="full", screen_covariate=False, screen_effect="pair")
    assert model.screen_offset is None and model.head[-1].out_features == 1


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


def test_attention_equals_standard_attention_over_gated_tokens():
    """Eq. 5: keys and values are projected from the gated tokens s.h, with biases (torch's MHA)."""
    from gsdrp.model.layers import GatedCrossAttention

    torch.manual_seed(1)
    dim, heads, cells, pairs = 16, 4, 3, 9
    ours = GatedCrossAttention(dim, heads)
    reference = torch.nn.MultiheadAttention(dim, heads, batch_first=True)
    with torch.no_grad():
        reference.in_proj_bias.normal_()
        reference.in_proj_weight[:dim] = ours.query.weight
        reference.in_proj_weight[dim:] = ours.key_value.weight
        reference.in_proj_bias[:dim] = ours.query.bias
        reference.out_proj.weight.copy_(ours.out.weight)
        # the value bias survives attention as a constant: fold it into ours' output bias
        ours.out.bias.copy_(reference.out_proj.bias + reference.out_proj.weight @ reference.in_proj_bias[2 * dim :])
    z, tokens = torch.randn(2, dim), torch.randn(cells, N_SETS, dim)
    cell_of_pair, drug_of_pair = torch.randint(0, cells, (pairs,)), torch.randint(0, 2, (pairs,))
    scale = torch.rand(pairs, N_SETS)
    v, weights = ours(z, ours.key_value(tokens), scale, drug_of_pair, cell_of_pair)
    gated = scale.unsqueeze(-1) * tokens[cell_of_pair]
    expected, expected_weights = reference(
        z[drug_of_pair].unsqueeze(1), gated, gated, need_weights=True, average_attn_weights=False
    )
    torch.testing.assert_close(v, expected.squeeze(1))
    torch.testing.assert_close(weights, expected_weights.squeeze(2))


@pytest.mark.parametrize(
    "options", [{}, {"residual_gate": True}, {"gate_prior": 1.5, "attention_temperature": 0.7}], ids=["paper", "residual", "prior+temperature"]
)
def test_cell_grouped_gene_set_path_equals_the_per_pair_reference(options):
    """The fast path (tokens projected once per cell, pairs grouped by cell) computes eq. 4-5 exactly:
    same predictions, gates, attention and parameter gradients as the per-pair reference."""
    from gsdrp.model.reference import per_pair

    torch.manual_seed(3)
    model = GSChemDRP(ModelConfig(dim=16, heads=4, **options), N_SETS, DRUG_DIM).double().eval()
    batch = make_batch(n_cells=6, n_drugs=5, pairs=40, seed=4)
    batch = Batch(batch.activity.double(), batch.drug_input.double(), batch.cell_of_pair, batch.drug_of_pair, batch.gdsc2.double())
    results = []
    for use_reference in (False, True):
        if use_reference:
            with per_pair(model):
                out = model(batch)
        else:
            out = model(batch)
        grads = torch.autograd.grad((out.prediction**2).sum() + out.gates.sum(), list(model.parameters()))
        results.append((out, grads))
    (fast, fast_grads), (reference, reference_grads) = results
    torch.testing.assert_close(fast.prediction, reference.prediction)
    torch.testing.assert_close(fast.gates, reference.gates)
    torch.testing.assert_close(fast.attention, reference.attention)
    for got, expected in zip(fast_grads, reference_grads, strict=True):
        torch.testing.assert_close(got, expected)
    assert "gene_set_path" not in vars(model)  # the reference is swapped out again


def test_cell_groups_pad_and_unpad_round_trip():
    from gsdrp.model.layers import CellGroups

    cell_of_pair = torch.tensor([2, 0, 2, 2, 1, 0])
    groups = CellGroups(cell_of_pair, n_cells=4)
    assert groups.slots == 3
    rows = torch.arange(6.0).unsqueeze(-1)
    slotted = groups.pad(rows)
    assert slotted.shape == (4, 3, 1)
    assert slotted[2, :, 0].tolist() == [0.0, 2.0, 3.0] and slotted[0, :, 0].tolist() == [1.0, 5.0, 0.0]
    assert slotted[3].abs().sum() == 0  # a cell without pairs is all padding
    torch.testing.assert_close(groups.unpad(slotted), rows)


def options_batch(seed=0) -> Batch:
    batch = make_batch(n_cells=3, n_drugs=2, pairs=10, seed=seed)
    g = torch.Generator().manual_seed(seed + 1)
    batch.expression = torch.randn(3, 5, generator=g)
    batch.fingerprint = torch.randint(0, 2, (2, 8), generator=g).float()
    batch.cell_ids, batch.drug_ids = torch.tensor([0, 1, -1]), torch.tensor([1, -1])
    return batch


def options_model(**changes) -> GSChemDRP:
    torch.manual_seed(0)
    config = ModelConfig(dim=16, heads=4, **changes)
    return GSChemDRP(config, N_SETS, DRUG_DIM, n_genes=5, fingerprint_bits=8, n_cells=3, n_drugs=2).eval()


@pytest.mark.parametrize("cell_input", ["sets", "genes", "both"])
def test_the_cell_mlp_reads_what_cell_input_names(cell_input):
    model, batch = options_model(cell_input=cell_input), options_batch()
    reference = model(batch).prediction
    changed_genes = Batch(**{**vars(batch), "expression": batch.expression + 1.0})
    assert torch.allclose(model(changed_genes).prediction, reference) == (cell_input == "sets")
    assert model.cell_mlp[0].in_features == {"sets": N_SETS, "genes": 5, "both": N_SETS + 5}[cell_input]


def test_drug_fingerprint_feeds_z_d():
    model, batch = options_model(drug_fingerprint=True), options_batch()
    flipped = Batch(**{**vars(batch), "fingerprint": 1.0 - batch.fingerprint})
    assert not torch.allclose(model(flipped).drug_embedding, model(batch).drug_embedding)
    plain = options_model()
    assert torch.allclose(plain(flipped).prediction, plain(batch).prediction)  # off: fingerprints unread


def test_identity_terms_apply_only_to_known_ids_and_drop_out_in_training():
    model, batch = options_model(identity=True, identity_dropout=0.5), options_batch()
    with torch.no_grad():
        model.cell_identity.weight.normal_()
        model.drug_identity.weight.normal_()
    anonymous = Batch(**{**vars(batch), "cell_ids": torch.full((3,), -1), "drug_ids": torch.full((2,), -1)})
    features_only, with_identity = model(anonymous), model(batch)
    # drug 0 has identity 1, drug 1 has none: only drug 0's z_d moves
    assert not torch.allclose(with_identity.drug_embedding[0], features_only.drug_embedding[0])
    torch.testing.assert_close(with_identity.drug_embedding[1], features_only.drug_embedding[1])
    # pairs of cell 2 with drug 1 have no identity at all: the features-only prediction
    unknown = (batch.cell_of_pair == 2) & (batch.drug_of_pair == 1)
    torch.testing.assert_close(with_identity.prediction[unknown], features_only.prediction[unknown])
    model.train()
    torch.manual_seed(0)
    dropped = sum(
        not torch.allclose(model.embed_drugs(batch)[0], with_identity.drug_embedding[0]) for _ in range(40)
    )
    assert 5 < dropped < 35  # the identity term was dropped in about half of the draws


def test_identity_is_zero_initialised_so_training_starts_on_the_features_path():
    model, batch = options_model(identity=True), options_batch()
    anonymous = Batch(**{**vars(batch), "cell_ids": torch.full((3,), -1), "drug_ids": torch.full((2,), -1)})
    torch.testing.assert_close(model(batch).prediction, model(anonymous).prediction)


def test_bilinear_term_adds_the_product_of_projected_z_d_and_c():
    plain, model, batch = options_model(), options_model(bilinear=True), options_batch()
    torch.testing.assert_close(model(batch).prediction, plain(batch).prediction)  # zero-initialised: no change yet
    with torch.no_grad():
        model.bilinear_cell.weight.normal_()
        z, cell = model.embed_drugs(batch), model.embed_cells(batch)
        product = (model.bilinear_drug(z)[batch.drug_of_pair] * model.bilinear_cell(cell)[batch.cell_of_pair]).sum(-1)
    torch.testing.assert_close(model(batch).prediction, plain(batch).prediction + product)


def test_gate_prior_shifts_every_gate_logit_and_temperature_flattens_attention():
    plain, opened, flat = make_model(), make_model(gate_prior=2.0), make_model(attention_temperature=4.0)
    batch = make_batch()
    logit = lambda gates: torch.log(gates / (1 - gates))  # noqa: E731
    torch.testing.assert_close(logit(opened(batch).gates), logit(plain(batch).gates) + 2.0, rtol=1e-4, atol=1e-4)
    entropy = lambda out: -(out.attention * out.attention.log()).sum(-1).mean()  # noqa: E731
    assert entropy(flat(batch)) > entropy(plain(batch))


def test_token_dropout_zeroes_tokens_in_training_only():
    model = make_model(token_dropout=0.5)
    batch = make_batch(pairs=200)
    torch.testing.assert_close(model(batch).prediction, make_model()(batch).prediction)  # eval: no dropout
    model.train()
    torch.manual_seed(1)
    attention = model(batch).attention
    torch.manual_seed(2)
    assert not torch.allclose(model(batch).attention, attention)


def test_tokens_only_cell_path_reaches_the_head_through_the_gated_tokens_alone():
    """With cell_path="tokens" the prediction changes with the cell only through its gene-set activities,
    and closing every gate cuts the cell out entirely."""
    model = make_model(cell_path="tokens")
    assert model.cell_mlp is None and model.interaction_cell is None
    batch = make_batch(n_cells=2, pairs=2)
    batch.cell_of_pair, batch.drug_of_pair = torch.tensor([0, 1]), torch.tensor([0, 0])
    first, second = model(batch).prediction
    assert not torch.isclose(first, second)  # two cells differ through their tokens
    model.gate.prior = -1e4  # every gate shut: v no longer depends on the cell
    first, second = model(batch).prediction
    torch.testing.assert_close(first, second)


@pytest.mark.parametrize("options", [{"variant": "baseline"}, {"bilinear": True}, {"identity": True}])
def test_tokens_only_cell_path_refuses_options_that_read_c(options):
    from gsdrp.config import ConfigError

    with pytest.raises(ConfigError, match="cell_path='tokens' needs"):
        ModelConfig(cell_path="tokens", **options)
