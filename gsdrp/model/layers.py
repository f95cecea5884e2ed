"""The building blocks of GS-ChemDRP (SPEC section 3), written to compute per distinct cell or drug.

A batch carries its distinct cells and drugs plus, per pair, the index of each. Everything that
depends on the cell alone (tokens, keys, values) or the drug alone (query, gate term) is
computed once per distinct cell or drug and gathered per pair.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def mlp(inputs: int, hidden: int, outputs: int, dropout: float) -> nn.Sequential:
    """Two linear layers with GELU and dropout between them."""
    return nn.Sequential(nn.Linear(inputs, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, outputs))


class GeneSetTokens(nn.Module):
    """h_k = f_g(a_k) + e_k: one 2-layer MLP f_g shared by all sets, plus a learned embedding per set.

    Sharing f_g keeps the parameter count independent of K; e_k lets each set's token differ
    even at equal activity.
    """

    def __init__(self, n_sets: int, dim: int):
        super().__init__()
        self.value_mlp = mlp(1, dim, dim, dropout=0.0)  # dropout on [cells, K, dim] costs more than it helps
        self.set_embedding = nn.Parameter(torch.randn(n_sets, dim) * 0.02)

    def forward(self, activity: torch.Tensor) -> torch.Tensor:
        """[cells, K] -> [cells, K, dim]."""
        return self.value_mlp(activity.unsqueeze(-1)) + self.set_embedding


class DrugGate(nn.Module):
    """s_k = sigmoid(w^T [z_d; h_k] + b), split as w_z.z_d (per drug) + w_h.h_k (per cell and set)."""

    def __init__(self, dim: int):
        super().__init__()
        self.drug_term = nn.Linear(dim, 1)
        self.token_term = nn.Linear(dim, 1, bias=False)

    def forward(self, z: torch.Tensor, tokens: torch.Tensor, drug_of_pair, cell_of_pair) -> torch.Tensor:
        """[pairs, K] gates in (0, 1)."""
        logits = self.drug_term(z)[drug_of_pair] + self.token_term(tokens).squeeze(-1)[cell_of_pair]
        return torch.sigmoid(logits)


class GatedCrossAttention(nn.Module):
    """Multi-head attention with z_d as the only query over a cell's gated gene-set tokens.

    A scalar gate scales a token, so with a bias-free projection the gated token's key and value,
    W(s.h), are the cell's W h scaled per pair: keys and values are projected once per distinct
    cell. Leaving out the biases loses nothing: a key bias adds the same logit to every set of a
    query (softmax ignores it) and a value bias adds a constant that ``out``'s bias absorbs.
    """

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.query = nn.Linear(dim, dim)
        self.key_value = nn.Linear(dim, 2 * dim, bias=False)
        self.out = nn.Linear(dim, dim)

    def forward(self, z, tokens, scale, drug_of_pair, cell_of_pair) -> tuple[torch.Tensor, torch.Tensor]:
        """v [pairs, dim] and attention weights [pairs, heads, K] (each row sums to 1)."""
        cells, n_sets, _ = tokens.shape
        key_value = self.key_value(tokens).view(cells, n_sets, 2, self.heads, self.head_dim)[cell_of_pair]
        keys, values = key_value[:, :, 0], key_value[:, :, 1]
        query = self.query(z).view(-1, self.heads, self.head_dim)[drug_of_pair]
        logits = torch.einsum("phe,pkhe->phk", query, keys) * scale.unsqueeze(1) / math.sqrt(self.head_dim)
        weights = torch.softmax(logits, dim=-1)
        mixed = torch.einsum("phk,pkhe->phe", weights * scale.unsqueeze(1), values)
        return self.out(mixed.reshape(len(mixed), -1)), weights
