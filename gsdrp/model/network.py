"""GS-ChemDRP: the paper's network (docs/model.md), with the paper's ablation variants as configuration.

* ``baseline`` / ``contrastive``: y = head([u; z_d]), u = MLP([z_d; c]) (ChemBERTa + MLP).
* ``gating`` / ``full``: adds gene-set tokens, drug-conditioned gates and cross-attention:
  y = head([u; v; z_d]).

y is the head's first output; with ``screen_effect="pair"`` its second is the pair's GDSC2 shift.

``contrastive`` and ``full`` add the SupCon loss (see ``losses``). z_d is the encoder's first-token
state passed through a trainable linear adapter (so SupCon shapes z_d even with a frozen encoder).
An optional learned offset for the GDSC2 screen models the systematic difference between screens:
one number, or (``screen_effect``) a function of z_d, or a second output of the head, since GDSC1 and
GDSC2 tested many drugs over different concentration ranges.

Beyond the paper, as ``ModelConfig`` options: the cell MLP c may read expression genes as well as or
instead of the set activities (``cell_input``; the tokens always come from the sets), z_d may also
read the Morgan fingerprint (``drug_fingerprint``), and a learned identity embedding per training
cell line and drug may be added to c and z_d (``identity``). A cell line or drug without an
identity (id -1: not in training, or new) takes the features-only path, which identity dropout
trains too. ``bilinear`` adds <A z_d, B c> to y, the product that u's MLP learns poorly.

Options that can open the gene-set path (docs/interpretation.md): a fixed gate prior, an attention
temperature, token dropout, and ``cell_path="tokens"``, which leaves c out of u so that cell
information reaches the head only through the gated tokens.
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
    expression: torch.Tensor | None = None  # [cells, genes] if the cell MLP reads genes
    fingerprint: torch.Tensor | None = None  # [drugs, bits] if z_d reads fingerprints
    cell_ids: torch.Tensor | None = None  # [cells] identity index, -1 = none
    drug_ids: torch.Tensor | None = None  # [drugs] identity index, -1 = none


class Standardise(nn.Module):
    """(x - shift) / scale per feature, with shift and scale set from training data and saved with the weights."""

    def __init__(self, features: int):
        super().__init__()
        self.register_buffer("shift", torch.zeros(features))
        self.register_buffer("scale", torch.ones(features))

    @torch.no_grad()
    def fit(self, x: torch.Tensor) -> None:
        self.shift.copy_(x.mean(0))
        self.scale.copy_(x.std(0).clamp_min(1e-6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.shift) / self.scale


@dataclass
class Output:
    prediction: torch.Tensor  # [pairs]
    drug_embedding: torch.Tensor  # z_d of the batch's distinct drugs, [drugs, dim]
    gates: torch.Tensor | None  # [pairs, K]
    attention: torch.Tensor | None  # [pairs, heads, K]


class GSChemDRP(nn.Module):
    """``n_genes``, ``fingerprint_bits`` and ``n_cells``/``n_drugs`` (identity tables) are needed only
    by the options that read them."""

    def __init__(
        self, config: ModelConfig, n_sets: int, drug_dim: int, encoder: SmilesEncoder | None = None,
        n_genes: int = 0, fingerprint_bits: int = 0, n_cells: int = 0, n_drugs: int = 0,
    ):
        super().__init__()
        dim, dropout = config.dim, config.dropout
        self.config = config
        self.encoder = encoder
        # the encoder's vectors share a large common component: z-scored per dimension over the
        # training drugs before the adapter; expression genes likewise over the training cells
        self.drug_standardise = Standardise(drug_dim)
        self.drug_adapter = nn.Linear(drug_dim + (fingerprint_bits if config.drug_fingerprint else 0), dim)
        cell_inputs = (n_sets if config.uses_sets_in_cell_mlp else 0) + (n_genes if config.uses_genes else 0)
        self.gene_standardise = Standardise(n_genes) if config.uses_genes else None
        self.cell_mlp = mlp(cell_inputs, dim, dim, dropout) if config.cell_path == "mlp" else None
        if config.identity:
            self.cell_identity, self.drug_identity = nn.Embedding(n_cells, dim), nn.Embedding(n_drugs, dim)
            nn.init.zeros_(self.cell_identity.weight)  # training starts on the features-only path
            nn.init.zeros_(self.drug_identity.weight)
        self.interaction_drug = nn.Linear(dim, dim)
        self.interaction_cell = nn.Linear(dim, dim, bias=False) if self.cell_mlp is not None else None
        self.interaction = nn.Sequential(nn.GELU(), nn.Dropout(dropout), nn.Linear(dim, dim), nn.GELU())
        if config.uses_gene_sets:
            self.tokens = GeneSetTokens(n_sets, dim)
            self.gate = DrugGate(dim, config.gate_prior)
            self.attention = GatedCrossAttention(dim, config.heads, config.attention_temperature)
        self.screen_effect = config.screen_effect if config.screen_covariate else "global"
        self.head = mlp((3 if config.uses_gene_sets else 2) * dim, dim, 2 if self.screen_effect == "pair" else 1, dropout)
        if config.bilinear:
            self.bilinear_drug, self.bilinear_cell = nn.Linear(dim, dim, bias=False), nn.Linear(dim, dim, bias=False)
            nn.init.zeros_(self.bilinear_cell.weight)  # the term starts at zero, like the output at the mean
        self.screen_offset = nn.Parameter(torch.zeros(1)) if config.screen_covariate else None
        if self.screen_effect == "drug":
            self.screen_by_drug = nn.Linear(dim, 1, bias=False)
            nn.init.zeros_(self.screen_by_drug.weight)  # starts as the single offset

    def embed_drugs(self, batch: Batch) -> torch.Tensor:
        """z_d of the batch's distinct drugs."""
        raw = self.encoder(*batch.drug_input) if self.encoder is not None else batch.drug_input
        features = [self.drug_standardise(raw)]
        if self.config.drug_fingerprint:
            features.append(batch.fingerprint)
        z = self.drug_adapter(torch.cat(features, dim=-1))
        return z + self._identity(self.drug_identity, batch.drug_ids) if self.config.identity else z

    def embed_cells(self, batch: Batch) -> torch.Tensor:
        """c of the batch's distinct cells."""
        features = [batch.activity] if self.config.uses_sets_in_cell_mlp else []
        if self.gene_standardise is not None:
            features.append(self.gene_standardise(batch.expression))
        cell = self.cell_mlp(torch.cat(features, dim=-1))
        return cell + self._identity(self.cell_identity, batch.cell_ids) if self.config.identity else cell

    def _identity(self, table: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        """The identity term: zero for id -1; in training each one is also dropped with ``identity_dropout``."""
        keep = ids >= 0
        if self.training:
            keep = keep & (torch.rand(len(ids), device=ids.device) >= self.config.identity_dropout)
        return table(ids.clamp_min(0)) * keep.unsqueeze(-1)

    def forward(self, batch: Batch) -> Output:
        z = self.embed_drugs(batch)
        drug_of_pair, cell_of_pair = batch.drug_of_pair, batch.cell_of_pair
        mixed = self.interaction_drug(z).index_select(0, drug_of_pair)
        if self.cell_mlp is not None:  # cell_path "tokens": the cell reaches the head only through v
            cell = self.embed_cells(batch)
            mixed = mixed + self.interaction_cell(cell).index_select(0, cell_of_pair)
        u = self.interaction(mixed)
        z_pair = z.index_select(0, drug_of_pair)
        gates = attention = None
        if self.config.uses_gene_sets:
            v, gates, attention = self.gene_set_path(z, batch)
            features = torch.cat([u, v, z_pair], dim=-1)
        else:
            features = torch.cat([u, z_pair], dim=-1)
        outputs = self.head(features)
        prediction = outputs[:, 0]
        if self.config.bilinear:  # a matrix factorisation over the embeddings, identities included
            drug_factors = self.bilinear_drug(z).index_select(0, drug_of_pair)
            prediction = prediction + (drug_factors * self.bilinear_cell(cell).index_select(0, cell_of_pair)).sum(-1)
        if self.screen_offset is not None:
            offset = self.screen_offset
            if self.screen_effect == "drug":
                offset = offset + self.screen_by_drug(z_pair).squeeze(-1)
            elif self.screen_effect == "pair":  # the head's second output
                offset = offset + outputs[:, 1]
            prediction = prediction + offset * batch.gdsc2
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
        if self.training and self.config.token_dropout > 0:  # drop whole tokens of a pair: no key, no value
            scale = scale * (torch.rand_like(scale) >= self.config.token_dropout)
        v, attention = self.attention(z, key_value, scale, drug_of_pair, cell_of_pair)
        return v, gates, attention
