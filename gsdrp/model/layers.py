"""The building blocks of GS-ChemDRP (docs/model.md), written to compute per distinct cell or drug.

A batch carries its distinct cells and drugs plus, per pair, the index of each. Everything that
depends on the cell alone (tokens, keys, values) or the drug alone (query, gate term) is
computed once per distinct cell or drug. The attention then works on the batch's pairs grouped
by cell (``CellGroups``), so each cell's keys and values are read in place by batched matrix
products instead of being copied once per pair.
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
    even at equal activity. The model only ever needs linear maps of the tokens (keys, values and
    the gate's token term), so ``project`` folds the map into f_g's last layer instead of forming h.
    """

    def __init__(self, n_sets: int, dim: int):
        super().__init__()
        self.value_mlp = mlp(1, dim, dim, dropout=0.0)  # dropout on [cells, K, dim] costs more than it helps
        self.set_embedding = nn.Parameter(torch.randn(n_sets, dim) * 0.02)

    def forward(self, activity: torch.Tensor) -> torch.Tensor:
        """[cells, K] -> tokens [cells, K, dim]."""
        return self.value_mlp(activity.unsqueeze(-1)) + self.set_embedding

    def hidden(self, activity: torch.Tensor) -> torch.Tensor:
        """g_k, the hidden layer of f_g: [cells, K] -> [cells, K, dim]."""
        return self.value_mlp[:-1](activity.unsqueeze(-1))

    def project(self, hidden: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """W h_k, [cells, K, out], from ``hidden`` for a bias-free map W [out, dim].

        W h_k = (W W_2) g_k + W (b_2 + e_k): one product per token instead of two.
        """
        last = self.value_mlp[-1]
        return torch.addmm(
            ((last.bias + self.set_embedding) @ weight.T).repeat(len(hidden), 1),
            hidden.flatten(0, 1),
            (weight @ last.weight).T,
        ).view(*hidden.shape[:2], -1)


class DrugGate(nn.Module):
    """s_k = sigmoid(w^T [z_d; h_k] + b), split as w_z.z_d (per drug) + w_h.h_k (per cell and set)."""

    def __init__(self, dim: int, prior: float = 0.0):
        super().__init__()
        self.drug_term = nn.Linear(dim, 1)
        self.token_term = nn.Linear(dim, 1, bias=False)
        self.prior = prior  # a fixed logit offset: > 0 holds the gates open (ModelConfig.gate_prior)

    def forward(self, z: torch.Tensor, token_term: torch.Tensor, drug_of_pair, cell_of_pair) -> torch.Tensor:
        """[pairs, K] gates in (0, 1) from z_d and the cells' w_h.h_k ([cells, K])."""
        logits = self.drug_term(z).index_select(0, drug_of_pair) + token_term.index_select(0, cell_of_pair)
        return torch.sigmoid(logits + self.prior)


class CellGroups:
    """The batch's pairs laid out per cell: slot ``[cell, j]`` holds the cell's j-th pair.

    Every cell gets as many slots as the cell with the most pairs in the batch; empty slots are
    padding. ``pad`` moves per-pair rows into slots (zeros in the padding), ``unpad`` reads them back.
    """

    def __init__(self, cell_of_pair: torch.Tensor, n_cells: int):
        counts = torch.bincount(cell_of_pair, minlength=n_cells)
        self.n_cells, self.slots = n_cells, int(counts.max()) if len(cell_of_pair) else 0
        order = torch.argsort(cell_of_pair, stable=True)
        first_of_cell = torch.cumsum(counts, 0) - counts
        rank = torch.empty_like(cell_of_pair)
        rank[order] = torch.arange(len(order), device=order.device) - first_of_cell[cell_of_pair[order]]
        self.position = cell_of_pair * self.slots + rank  # flat slot of each pair

    def pad(self, rows: torch.Tensor) -> torch.Tensor:
        """[pairs, ...] -> [cells, slots, ...]."""
        flat = rows.new_zeros(self.n_cells * self.slots, *rows.shape[1:]).index_copy(0, self.position, rows)
        return flat.view(self.n_cells, self.slots, *rows.shape[1:])

    def unpad(self, slotted: torch.Tensor) -> torch.Tensor:
        """[cells, slots, ...] -> [pairs, ...]."""
        return slotted.reshape(self.n_cells * self.slots, *slotted.shape[2:]).index_select(0, self.position)


class GatedCrossAttention(nn.Module):
    """Multi-head attention with z_d as the only query over a cell's gated gene-set tokens (eq. 5).

    A scalar gate scales a token, so with a bias-free projection the gated token's key and value,
    W(s.h), are the cell's W h scaled per pair: keys and values are projected once per distinct
    cell. Leaving out the biases loses nothing: a key bias adds the same logit to every set of a
    query (softmax ignores it) and a value bias adds a constant that ``out``'s bias absorbs.

    Per pair p of cell c and drug d, head by head:
    ``logits_pk = s_pk (q_d . k_ck) / (sqrt(e) T)``, ``w_p = softmax_k(logits_p)``,
    ``mixed_p = sum_k w_pk s_pk v_ck``. With the pairs grouped by cell these are two batched
    products per cell, [slots, e] x [e, K] and [slots, K] x [K, e]. The temperature T is 1 in the paper.
    """

    def __init__(self, dim: int, heads: int, temperature: float = 1.0):
        super().__init__()
        self.heads, self.head_dim, self.temperature = heads, dim // heads, temperature
        self.query = nn.Linear(dim, dim)
        self.key_value = nn.Linear(dim, 2 * dim, bias=False)
        self.out = nn.Linear(dim, dim)

    def forward(self, z, key_value, scale, drug_of_pair, cell_of_pair) -> tuple[torch.Tensor, torch.Tensor]:
        """v [pairs, dim] and attention weights [pairs, heads, K] (each row sums to 1).

        ``key_value`` is ``self.key_value`` applied to the cells' tokens, [cells, K, 2 dim].
        """
        cells, n_sets, _ = key_value.shape
        dim = self.heads * self.head_dim
        keys, values = key_value.view(cells, n_sets, 2, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        groups = CellGroups(cell_of_pair, cells)
        query = self.query(z).view(-1, self.heads, self.head_dim).index_select(0, drug_of_pair)
        query = groups.pad(query).transpose(1, 2)  # [cells, heads, slots, e]
        scale = groups.pad(scale).unsqueeze(1)  # [cells, 1, slots, K]; 0 in padding slots
        logits = (query @ keys.transpose(-1, -2)) * (scale / (math.sqrt(self.head_dim) * self.temperature))
        weights = torch.softmax(logits, dim=-1)  # [cells, heads, slots, K]
        mixed = (weights * scale) @ values  # [cells, heads, slots, e]
        mixed = groups.unpad(mixed.transpose(1, 2).reshape(cells, groups.slots, dim))
        return self.out(mixed), groups.unpad(weights.transpose(1, 2))
