"""GS-ChemDRP: the network of SPEC section 3, with the paper's ablation variants as configuration.

* ``baseline`` / ``contrastive``: y = head([u; z_d]), u = MLP([z_d; c]) (ChemBERTa + MLP).
* ``gating`` / ``full``: adds gene-set tokens, drug-conditioned gates and cross-attention:
  y = head([u; v; z_d]).

``contrastive`` and ``full`` add the SupCon loss (see ``losses``). z_d is the encoder's first-token
state passed through a trainable linear adapter (so SupCon shapes z_d even with a frozen encoder).
An optional learned offset for the GDSC2 screen models the systematic difference between screens.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gsdrp.config import ModelConfig
from gsdrp.encoders.drug import SmilesEncoder
from gsdrp.model.layers import DrugGate, GatedCrossAttention, GeneSetTokens, mlp


@dataclass
class Batch:
    """Distinct cells and drugs of a batch, and per pair the index of each."""

    activity: torch.Tensor  # [cells, K]
    drug_input: torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # [drugs, hidden] or (ids, mask)
    cell_of_pair: torch.Tensor  # [pairs]
    drug_of_pair: torch.Tensor  # [pairs]
    gdsc2: torch.Tensor  # [pairs]


@dataclass
class Output:
    prediction: torch.Tensor  # [pairs]
    drug_embedding: torch.Tensor  # z_d of the batch's distinct drugs, [drugs, dim]
    gates: torch.Tensor | None  # [pairs, K]
    attention: torch.Tensor | None  # [pairs, heads, K]


class GSChemDRP(nn.Module):
    def __init__(self, config: ModelConfig, n_sets: int, drug_dim: int, encoder: SmilesEncoder | None = None):
        super().__init__()
        dim, dropout = config.dim, config.dropout
        self.config = config
        self.encoder = encoder
        # the encoder's vectors share a large common component: z-scored per dimension over the
        # training drugs before the adapter (``standardise_drugs``); saved with the weights
        self.register_buffer("drug_shift", torch.zeros(drug_dim))
        self.register_buffer("drug_scale", torch.ones(drug_dim))
        self.drug_adapter = nn.Linear(drug_dim, dim)
        self.cell_mlp = mlp(n_sets, dim, dim, dropout)
        self.interaction_drug = nn.Linear(dim, dim)
        self.interaction_cell = nn.Linear(dim, dim, bias=False)
        self.interaction = nn.Sequential(nn.GELU(), nn.Dropout(dropout), nn.Linear(dim, dim), nn.GELU())
        if config.uses_gene_sets:
            self.tokens = GeneSetTokens(n_sets, dim)
            self.gate = DrugGate(dim)
            self.attention = GatedCrossAttention(dim, config.heads)
        self.head = mlp((3 if config.uses_gene_sets else 2) * dim, dim, 1, dropout)
        self.screen_offset = nn.Parameter(torch.zeros(1)) if config.screen_covariate else None

    @torch.no_grad()
    def standardise_drugs(self, raw: torch.Tensor) -> None:
        """Set the per-dimension shift and scale from encoder vectors of the training drugs, [drugs, drug_dim]."""
        self.drug_shift.copy_(raw.mean(0))
        self.drug_scale.copy_(raw.std(0).clamp_min(1e-6))

    def embed_drugs(self, drug_input) -> torch.Tensor:
        raw = self.encoder(*drug_input) if self.encoder is not None else drug_input
        return self.drug_adapter((raw - self.drug_shift) / self.drug_scale)

    def forward(self, batch: Batch) -> Output:
        z = self.embed_drugs(batch.drug_input)
        cell = self.cell_mlp(batch.activity)
        drug_of_pair, cell_of_pair = batch.drug_of_pair, batch.cell_of_pair
        u = self.interaction(
            self.interaction_drug(z).index_select(0, drug_of_pair)
            + self.interaction_cell(cell).index_select(0, cell_of_pair)
        )
        z_pair = z.index_select(0, drug_of_pair)
        gates = attention = None
        if self.config.uses_gene_sets:
            v, gates, attention = self.gene_set_path(z, batch)
            features = torch.cat([u, v, z_pair], dim=-1)
        else:
            features = torch.cat([u, z_pair], dim=-1)
        prediction = self.head(features).squeeze(-1)
        if self.screen_offset is not None:
            prediction = prediction + self.screen_offset * batch.gdsc2
        return Output(prediction, z, gates, attention)

    def gene_set_path(self, z: torch.Tensor, batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """v [pairs, dim], gates [pairs, K] and attention [pairs, heads, K] (eq. 4-5)."""
        drug_of_pair, cell_of_pair = batch.drug_of_pair, batch.cell_of_pair
        # the gate's token term and the keys and values, as projections of the tokens (GeneSetTokens.project)
        hidden = self.tokens.hidden(batch.activity)
        token_term = self.tokens.project(hidden, self.gate.token_term.weight).squeeze(-1)
        key_value = self.tokens.project(hidden, self.attention.key_value.weight)
        gates = self.gate(z, token_term, drug_of_pair, cell_of_pair)
        scale = 1.0 + gates if self.config.residual_gate else gates
        v, attention = self.attention(z, key_value, scale, drug_of_pair, cell_of_pair)
        return v, gates, attention
