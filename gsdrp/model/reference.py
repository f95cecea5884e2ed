"""A straightforward per-pair implementation of the gene-set path (eq. 4-5, multi-head attention).

Every pair takes its own copy of its cell's tokens, gates them and projects the gated tokens to
keys and values, exactly as the equations read. ``GSChemDRP.gene_set_path`` computes the same
function without the per-pair copies; it is tested against this and timed beside it
(``benchmarks/train_speed.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import torch

from gsdrp.model.network import Batch, GSChemDRP


def per_pair_gene_set_path(model: GSChemDRP, z: torch.Tensor, batch: Batch):
    """v [pairs, dim], gates [pairs, K], attention [pairs, heads, K] with ``model``'s parameters."""
    tokens = model.tokens(batch.activity)[batch.cell_of_pair]  # h_k per pair, [pairs, K, dim]
    z_pair = z[batch.drug_of_pair]
    gates = torch.sigmoid(model.gate.drug_term(z_pair) + model.gate.token_term(tokens).squeeze(-1) + model.gate.prior)  # eq. 4
    scale = 1.0 + gates if model.config.residual_gate else gates
    gated = scale.unsqueeze(-1) * tokens
    attention = model.attention
    pairs, n_sets, _ = gated.shape
    query = attention.query(z_pair).view(pairs, attention.heads, attention.head_dim)
    keys, values = attention.key_value(gated).view(pairs, n_sets, 2, attention.heads, attention.head_dim).unbind(2)
    logits = torch.einsum("phe,pkhe->phk", query, keys) / (math.sqrt(attention.head_dim) * attention.temperature)
    weights = torch.softmax(logits, dim=-1)
    mixed = torch.einsum("phk,pkhe->phe", weights, values)  # eq. 5
    return attention.out(mixed.reshape(pairs, -1)), gates, weights


@contextmanager
def per_pair(model: GSChemDRP) -> Iterator[GSChemDRP]:
    """``model`` computing its gene-set path with ``per_pair_gene_set_path`` inside the block."""
    model.gene_set_path = partial(per_pair_gene_set_path, model)
    try:
        yield model
    finally:
        del model.gene_set_path
